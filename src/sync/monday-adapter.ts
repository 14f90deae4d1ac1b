import { ExponentialBackoff, handleWhen, retry } from "cockatiel";
import {
  archiveItemOp,
  AuthError,
  changeColumnValuesOp,
  createItemOp,
  createSubitemOp,
  DailyLimitError,
  InvalidDataError,
  isRetryable,
  moveItemToGroupOp,
  NetworkError,
  NotFoundError,
  type BatchOp,
  type MondayClient,
} from "../monday/index.js";
import {
  MondayUnavailableError,
  type FoundItem,
  type SyncMonday,
  type WriteOp,
  type WriteOutcome,
} from "./port.js";

/** Ops as data: each sync op kind to the monday document that performs it. */
const TO_BATCH_OP: { [K in WriteOp["kind"]]: (op: Extract<WriteOp, { kind: K }>) => BatchOp } = {
  create_item: (op) =>
    createItemOp({
      boardId: op.boardId,
      groupId: op.groupId,
      itemName: op.itemName,
      columnValues: op.columnValues,
      createLabels: op.createLabels,
    }),
  change_columns: (op) =>
    changeColumnValuesOp({
      boardId: op.boardId,
      itemId: op.itemId,
      columnValues: op.columnValues,
      createLabels: op.createLabels,
    }),
  move_item: (op) => moveItemToGroupOp({ itemId: op.itemId, groupId: op.groupId }),
  create_subitem: (op) =>
    createSubitemOp({
      parentItemId: op.parentItemId,
      itemName: op.itemName,
      columnValues: op.columnValues,
      createLabels: op.createLabels,
    }),
  archive_item: (op) => archiveItemOp({ itemId: op.itemId }),
};

function toBatchOp(op: WriteOp): BatchOp {
  return (TO_BATCH_OP[op.kind] as (o: WriteOp) => BatchOp)(op);
}

/** Errors after which no further request can succeed in this run: exit code 4. */
function asUnavailable(e: unknown): unknown {
  if (e instanceof AuthError) return new MondayUnavailableError(`monday.com refused the token: ${e.message}`);
  if (e instanceof DailyLimitError)
    return new MondayUnavailableError(`monday.com daily call limit reached: ${e.message}`);
  if (e instanceof NetworkError) return new MondayUnavailableError(`monday.com is unreachable: ${e.message}`);
  return e;
}

/**
 * {@link SyncMonday} over a {@link MondayClient}. Reads and batches without creates are retried on
 * retryable errors; batches that create items are not (a lost reply could mean a duplicate): their rows
 * stay FAILED and the next run reconciles them by key.
 */
export class MondayClientPort implements SyncMonday {
  private readonly retry = retry(handleWhen(isRetryable), {
    maxAttempts: 3,
    backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 5_000 }),
  });

  constructor(
    private readonly client: MondayClient,
    private readonly counter: { readonly requests: number },
  ) {}

  get requests(): number {
    return this.counter.requests;
  }

  private async call<T>(fn: () => Promise<T>, retryable = true): Promise<T> {
    try {
      return retryable ? await this.retry.execute(fn) : await fn();
    } catch (e) {
      throw asUnavailable(e);
    }
  }

  getBoards(ids: string[]) {
    return this.call(() => this.client.getBoards(ids));
  }

  async findItemsByKey(boardId: string, keyColumnId: string, keys: string[]): Promise<FoundItem[]> {
    const found: FoundItem[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      const items = await this.call(() =>
        this.client.findItemsByColumnValue(boardId, keyColumnId, keys.slice(i, i + 100)),
      );
      for (const item of items)
        found.push({
          id: item.id,
          key: item.columnValues[keyColumnId]?.text ?? "",
          subitems: item.subitems.map((s) => ({ id: s.id, name: s.name })),
        });
    }
    return found;
  }

  createGroup(boardId: string, title: string) {
    return this.call(() => this.client.createGroup(boardId, title));
  }

  async write(ops: readonly WriteOp[], idempotencyKey?: string): Promise<WriteOutcome[]> {
    const creates = ops.some((op) => op.kind === "create_item" || op.kind === "create_subitem");
    const outcomes = await this.call(
      () => this.client.runBatch(ops.map(toBatchOp), idempotencyKey ? { idempotencyKey } : {}),
      !creates,
    );
    return outcomes.map((o): WriteOutcome => {
      if (o.ok) return { ok: true, id: String((o.data as { id?: unknown } | null)?.id ?? "") };
      const permanent = o.error instanceof InvalidDataError || o.error instanceof NotFoundError;
      return { ok: false, permanent, message: `${o.error.code}: ${o.error.message}` };
    });
  }
}
