import {
  classifyGraphQLError,
  HttpTransport,
  loadDocument,
  NotFoundError,
  type DocumentName,
  type MondayTransport,
} from "../monday/index.js";

/** A webhook as `webhooks(board_id:)` and `create_webhook` return it. */
export interface BoardWebhook {
  id: string;
  board_id: string;
  event: string;
  /** The config as monday returns it: a JSON string or `null`. */
  config: string | null;
}

/** One `activity_logs` entry (`data` is a JSON string, `created_at` Unix seconds × 10,000,000). */
export interface ActivityLog {
  id: string;
  event: string;
  data: string;
  created_at: string;
  user_id: string;
}

/**
 * The monday.com calls of the webhooks component (register, list, remove, `me`, activity logs), one
 * document each in `src/monday/documents`, every value a variable.
 */
export class WebhooksApi {
  constructor(private readonly transport: MondayTransport) {}

  /** Over HTTP with the settings' URL, version and token. */
  static over(monday: {
    apiUrl: string;
    apiVersion: string;
    token: string | undefined;
    timeoutMs: number;
  }): WebhooksApi {
    return new WebhooksApi(
      new HttpTransport({
        url: monday.apiUrl,
        apiVersion: monday.apiVersion,
        token: monday.token,
        timeoutMs: monday.timeoutMs,
      }),
    );
  }

  async list(boardId: string): Promise<BoardWebhook[]> {
    const data = await this.query<{ webhooks: (BoardWebhook | null)[] | null }>("GetWebhooks", { boardId });
    return (data.webhooks ?? []).filter((w): w is BoardWebhook => w !== null);
  }

  async create(spec: {
    boardId: string;
    url: string;
    event: string;
    config?: unknown;
  }): Promise<BoardWebhook> {
    const data = await this.query<{ create_webhook: BoardWebhook | null }>("CreateWebhook", {
      boardId: spec.boardId,
      url: spec.url,
      event: spec.event,
      ...(spec.config !== undefined ? { config: JSON.stringify(spec.config) } : {}),
    });
    if (!data.create_webhook) throw new NotFoundError(`board ${spec.boardId} refused the webhook`);
    return data.create_webhook;
  }

  async remove(id: string): Promise<void> {
    await this.query("DeleteWebhook", { id });
  }

  /** The token's user id: events by this user are order-sync's own writes. */
  async me(): Promise<string> {
    const data = await this.query<{ me: { id: string } | null }>("GetMe", {});
    if (!data.me) throw new NotFoundError("monday.com returned no user for the token");
    return String(data.me.id);
  }

  /** One page of a board's activity log since `from` (ISO), newest first. */
  async activityLogs(boardId: string, from: string, page: number, limit: number): Promise<ActivityLog[]> {
    const data = await this.query<{
      boards: ({ activity_logs: (ActivityLog | null)[] | null } | null)[] | null;
    }>("GetActivityLogs", { boardId, from, page, limit });
    return (data.boards?.[0]?.activity_logs ?? []).filter((l): l is ActivityLog => l !== null);
  }

  private async query<T>(name: DocumentName, variables: Record<string, unknown>): Promise<T> {
    const response = await this.transport.request<T>(loadDocument(name), variables);
    const [first] = response.errors;
    if (first !== undefined)
      throw classifyGraphQLError(first, response.status, { "x-request-id": response.headers.requestId });
    if (response.data === null) throw new NotFoundError(`monday.com returned no data for ${name}`);
    return response.data;
  }
}
