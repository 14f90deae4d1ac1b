import { randomBytes } from "node:crypto";
import type { StoreChange } from "../changes.js";
import type { EmulatorClock } from "../clock.js";
import { InvalidArgumentError, ResourceNotFoundError } from "../errors.js";
import type { EmulatorStore } from "../store.js";
import type { Actor } from "../users.js";
import { WebhookDeliveries, type WebhookFaultSettings } from "./deliveries.js";
import {
  parseWebhookConfig,
  SUBITEM_EVENTS,
  webhookReceives,
  type WebhookConfig,
  type WebhookEvent,
} from "./events.js";
import { webhookEvent } from "./payloads.js";

/** monday caps a webhook URL at 255 characters. */
export const MAX_WEBHOOK_URL = 255;
const FIRST_WEBHOOK_ID = 810_000_001;

/** A registered webhook. */
export interface WebhookRecord {
  id: string;
  boardId: string;
  event: WebhookEvent;
  config: WebhookConfig;
  /** `Webhook.config` as the API returns it: the JSON given, or `null`. */
  configText: string | null;
  url: string;
  /** Who created it; an app token makes its deliveries signed. */
  createdBy: Actor;
}

/** What `create_webhook` asks for. */
export interface WebhookSpec {
  boardId: string;
  url: string;
  event: WebhookEvent;
  config?: unknown;
}

/**
 * The endpoint did not pass the challenge. monday's exact error for this is not documented (API-FACTS
 * "Webhooks" documents only the handshake); the emulator answers like its other argument errors, an
 * `InvalidArgumentException` with the URL and the reason in `error_data`.
 */
export class WebhookChallengeError extends InvalidArgumentError {
  override name = "WebhookChallengeError";
  constructor(url: string, reason: string) {
    super("Failed to communicate with URL provided.", { url, reason });
  }
}

/** Options of {@link EmulatorWebhooks}. */
export interface WebhookOptions {
  /** HS256 secret of app-token webhooks; without one, an app token cannot create a webhook. */
  signingSecret?: string;
  /** Seed of the delivery-fault PRNG. */
  seed: number;
  faults?: Partial<WebhookFaultSettings>;
}

function checkUrl(url: string): void {
  if ([...url].length > MAX_WEBHOOK_URL)
    throw new InvalidArgumentError(`url must be at most ${MAX_WEBHOOK_URL} characters`, {
      url_length: url.length,
    });
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== "http:" && protocol !== "https:")
    throw new InvalidArgumentError("url must be an http or https URL", { url });
}

/**
 * The account's webhooks: registration (`create_webhook` with its challenge, `delete_webhook`, `webhooks`)
 * and the link from the store's change feed to the deliveries, so every change (API, admin endpoint or a
 * test writing to the store) reaches the webhooks registered for its event.
 */
export class EmulatorWebhooks {
  readonly deliveries: WebhookDeliveries;
  private readonly hooks = new Map<string, WebhookRecord>();
  private nextId = FIRST_WEBHOOK_ID;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: EmulatorStore,
    clock: EmulatorClock,
    private readonly options: WebhookOptions,
  ) {
    this.deliveries = new WebhookDeliveries(clock, options.signingSecret, options.seed, options.faults);
    this.unsubscribe = store.changes.subscribe((change) => this.dispatch(change));
  }

  /** Checks the spec, sends the challenge, and registers the webhook once the endpoint echoed it. */
  async create(spec: WebhookSpec, actor: Actor): Promise<WebhookRecord> {
    checkUrl(spec.url);
    const board = this.store.getBoard(spec.boardId);
    if (SUBITEM_EVENTS.has(spec.event) && board.parentBoardId !== null)
      throw new InvalidArgumentError("subitem events are registered on the parent board", {
        board_id: board.id,
        parent_board_id: board.parentBoardId,
      });
    const config = parseWebhookConfig(spec.config, spec.event, board, this.store);
    if (actor.app && !this.options.signingSecret)
      throw new InvalidArgumentError(
        "this app token's webhooks cannot be signed: the emulator was started without a signing secret",
      );
    const outcome = await this.deliveries.challenge(spec.url);
    if (!outcome.ok) throw new WebhookChallengeError(spec.url, outcome.reason);
    const hasConfig = spec.config !== undefined && spec.config !== null;
    const record: WebhookRecord = {
      id: String(this.nextId++),
      boardId: board.id,
      event: spec.event,
      config,
      configText: hasConfig ? JSON.stringify(config) : null,
      url: spec.url,
      createdBy: actor,
    };
    this.hooks.set(record.id, record);
    return record;
  }

  /** Removes a webhook; `ResourceNotFoundException` for an unknown id. */
  delete(id: string): WebhookRecord {
    const record = this.hooks.get(id);
    if (!record) throw new ResourceNotFoundError("Webhook", id);
    this.hooks.delete(id);
    return record;
  }

  /** A board's webhooks; with `appOnlyFor`, only those that app token created. */
  list(boardId: string, appOnlyFor?: Actor): WebhookRecord[] {
    return [...this.hooks.values()].filter(
      (h) =>
        h.boardId === boardId &&
        (!appOnlyFor || (appOnlyFor.app && h.createdBy.app && h.createdBy.token === appOnlyFor.token)),
    );
  }

  /** Stops listening to the store and every delivery. */
  close(): void {
    this.unsubscribe();
    this.deliveries.close();
  }

  /** Queues one delivery per webhook that receives `change`, each with its own trigger id. */
  private dispatch(change: StoreChange): void {
    for (const hook of this.hooks.values()) {
      if (!webhookReceives(hook, change, this.store)) continue;
      const event = webhookEvent(change, this.store, {
        subscriptionId: Number(hook.id),
        triggerUuid: randomBytes(16).toString("hex"),
      });
      const app = hook.createdBy.app ? { userId: hook.createdBy.user.id, token: hook.createdBy.token } : null;
      this.deliveries.deliver({ url: hook.url, app }, event);
    }
  }
}
