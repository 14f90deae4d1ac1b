import type { Settings } from "../config/index.js";
import { errorMessage, outcomeOf } from "../errors/index.js";
import {
  archiveItemOp,
  AuthError,
  BulkImportClient,
  changeColumnValuesOp,
  CircuitOpenError,
  ComplexityBudget,
  createItemOp,
  createSubitemOp,
  DailyLimitError,
  deleteItemOp,
  HttpTransport,
  InvalidDataError,
  maxOpsPerRequest,
  MondayClient,
  moveItemToGroupOp,
  MUTATION_COST,
  NetworkError,
  NotFoundError,
  RateLimitError,
  ResilientTransport,
  type BatchOp,
  type BreakerState,
  type MondayItem,
  type RequestEvent,
} from "../monday/index.js";
import {
  MondayUnavailableError,
  type BoardCell,
  type BoardItem,
  type BulkLane,
  type FoundItem,
  type MondayObserver,
  type MondayStats,
  type MondayWatch,
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
  delete_item: (op) => deleteItemOp({ itemId: op.itemId }),
};

/** An item's cells as the port shows them: display text and raw value by column id. */
function cellsOf(item: MondayItem): Record<string, BoardCell> {
  return Object.fromEntries(
    Object.entries(item.columnValues).map(([id, v]) => [id, { text: v.text, value: v.value }]),
  );
}

function toBatchOp(op: WriteOp): BatchOp {
  return (TO_BATCH_OP[op.kind] as (o: WriteOp) => BatchOp)(op);
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** monday errors after which no further request can succeed in this run (exit code 4), and what to say. */
const UNAVAILABLE: readonly [ErrorClass, (message: string) => string][] = [
  [
    CircuitOpenError,
    (m) => `monday.com is unavailable: the circuit breaker is open after repeated failures (${m})`,
  ],
  [AuthError, (m) => `monday.com refused the token: ${m}`],
  [DailyLimitError, (m) => `monday.com daily call limit reached: ${m}`],
];

/** monday errors for one op that no retry can fix (the row becomes DEAD): the data, or the item, is wrong. */
const PERMANENT_WRITE_ERRORS: readonly ErrorClass[] = [InvalidDataError, NotFoundError];

/** The run-ending error a monday error amounts to, if it is one of {@link UNAVAILABLE}. */
function unavailable(e: unknown): MondayUnavailableError | undefined {
  const hit = UNAVAILABLE.find(([cls]) => e instanceof cls);
  return hit && new MondayUnavailableError(hit[1]((e as Error).message));
}

/**
 * What a read that failed after every retry amounts to: a run-ending error when the error's class says
 * monday.com cannot be used now (`outcome` "unavailable": no answer, 5xx, 502, 429 on every try), so a run
 * whose first request already fails ends with exit 4 and one line; other errors as they are.
 */
function readFailure(e: unknown): unknown {
  const fatal = unavailable(e);
  if (fatal) return fatal;
  if (e instanceof NetworkError) return new MondayUnavailableError(`monday.com is unreachable: ${e.message}`);
  if (outcomeOf(e) === "unavailable")
    return new MondayUnavailableError(`monday.com unavailable: ${errorMessage(e)}`);
  return e;
}

/** A request's outcome for the metrics: `"ok"`, the error class, or the HTTP status of a failed reply. */
function requestOutcome(e: RequestEvent): string {
  if (e.error) return e.error.name;
  return e.status >= 200 && e.status < 300 ? "ok" : `HTTP${e.status}`;
}

/**
 * {@link SyncMonday} over a {@link MondayClient} whose transport is the resilience layer (budget wait,
 * retry by error class with the same Idempotency-Key, circuit breaker). Reads that still fail end the run;
 * a write batch that still fails leaves its rows FAILED (the next run reconciles them by key).
 */
export class MondayClientPort implements SyncMonday, MondayWatch {
  private readonly counts = { retries: {} as Record<string, number>, budgetWaits: 0, budgetWaitMs: 0 };
  /** The bulk import lane over the same resilient transport (budget, retries, breaker). */
  readonly bulk: BulkLane;

  constructor(
    private readonly client: MondayClient,
    private readonly http: HttpTransport,
    private readonly resilient: ResilientTransport,
    private readonly batchSize: number,
    /** A client without retries or budget, on its own transport, for health checks. */
    private readonly probe?: { client: MondayClient; http: HttpTransport },
  ) {
    this.bulk = bulkLaneOf(new BulkImportClient(resilient));
    resilient.onRetry((e) => {
      this.counts.retries[e.errorClass] = (this.counts.retries[e.errorClass] ?? 0) + 1;
    });
    resilient.budget.onWait((e) => {
      this.counts.budgetWaits++;
      this.counts.budgetWaitMs += e.waitMs;
    });
  }

  get requests(): number {
    return this.http.requests;
  }

  /** Most ops one request may carry: the configured batch size, within the per-query complexity cap. */
  get maxOpsPerRequest(): number {
    return maxOpsPerRequest(MUTATION_COST, { configuredMax: this.batchSize });
  }

  get breakerState(): BreakerState {
    return this.resilient.breakerState;
  }

  /** Listens to breaker state changes (for logs and, later, metrics). */
  onBreakerStateChange(listener: (e: { from: BreakerState; to: BreakerState }) => void): () => void {
    return this.resilient.onBreakerStateChange(listener);
  }

  observe(observer: MondayObserver): () => void {
    const onRequest = (e: RequestEvent) =>
      observer.request?.({
        operation: e.operation,
        outcome: requestOutcome(e),
        httpStatus: e.status,
        durationMs: e.durationMs,
        rateLimited: e.error instanceof RateLimitError || e.status === 429,
      });
    const off = [
      this.http.onRequest(onRequest),
      ...(this.probe ? [this.probe.http.onRequest(onRequest)] : []),
      this.resilient.onRetry((e) => observer.retry?.({ errorClass: e.errorClass, delayMs: e.delayMs })),
      this.resilient.budget.onWait((e) => observer.budgetWait?.({ waitMs: e.waitMs })),
      this.resilient.onBreakerStateChange((e) => observer.breaker?.({ from: e.from, to: e.to })),
    ];
    return () => off.forEach((f) => f());
  }

  budget(): { limit: number; remaining: number | undefined } {
    const s = this.resilient.budget.snapshot();
    return { limit: s.limit, remaining: s.remaining };
  }

  async ping(): Promise<void> {
    await (this.probe?.client ?? this.client).getComplexity();
  }

  stats(): MondayStats {
    return {
      requests: this.requests,
      breakerState: this.breakerState,
      retries: { ...this.counts.retries },
      budgetWaits: this.counts.budgetWaits,
      budgetWaitMs: Math.round(this.counts.budgetWaitMs),
    };
  }

  private async read<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw readFailure(e);
    }
  }

  getBoards(ids: string[]) {
    return this.read(() => this.client.getBoards(ids));
  }

  /** Every board the token can see (`order-sync boards list`). */
  listBoards() {
    return this.read(() => this.client.listBoards());
  }

  async findItemsByKey(boardId: string, keyColumnId: string, keys: string[]): Promise<FoundItem[]> {
    const found: FoundItem[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      const items = await this.read(() =>
        this.client.findItemsByColumnValue(boardId, keyColumnId, keys.slice(i, i + 100)),
      );
      for (const item of items)
        found.push({
          id: item.id,
          key: item.columnValues[keyColumnId]?.text ?? "",
          subitems: item.subitems.map((s) => ({ id: s.id, name: s.name, state: s.state, cells: cellsOf(s) })),
          name: item.name,
          groupTitle: item.group?.title ?? null,
          cells: cellsOf(item),
        });
    }
    return found;
  }

  itemCounts(boardIds: string[]): Promise<Map<string, number | null>> {
    return this.read(() => this.client.getItemCounts(boardIds));
  }

  async scanKeys(boardId: string, keyColumnId: string): Promise<FoundItem[]> {
    return this.read(async () => {
      const found: FoundItem[] = [];
      for await (const item of this.client.scanKeys(boardId, keyColumnId)) found.push(item);
      return found;
    });
  }

  async listItems(boardId: string, keyColumnId: string): Promise<BoardItem[]> {
    const texts = (values: Record<string, { text: string | null }>) =>
      Object.fromEntries(Object.entries(values).map(([id, v]) => [id, v.text || null]));
    return this.read(async () => {
      // monday charges a page by its limit, not by what it holds: a page no larger than the board.
      const count = (await this.client.getItemCounts([boardId])).get(boardId) ?? MAX_PAGE;
      const pageSize = Math.min(MAX_PAGE, Math.max(1, count ?? MAX_PAGE));
      const items: BoardItem[] = [];
      for await (const item of this.client.listItems(boardId, { pageSize }))
        items.push({
          id: item.id,
          key: item.columnValues[keyColumnId]?.text ?? "",
          name: item.name,
          group: item.group?.title ?? null,
          texts: texts(item.columnValues),
          subitems: item.subitems.map((s) => ({ id: s.id, name: s.name, texts: texts(s.columnValues) })),
        });
      return items;
    });
  }

  createGroup(boardId: string, title: string) {
    return this.read(() => this.client.createGroup(boardId, title));
  }

  async write(ops: readonly WriteOp[], idempotencyKey?: string): Promise<WriteOutcome[]> {
    let outcomes;
    try {
      outcomes = await this.client.runBatch(ops.map(toBatchOp), {
        // The budget is fed from the RateLimit headers, whose reset time has millisecond precision;
        // complexity.reset_in_x_seconds is whole seconds, too coarse to pace on.
        withComplexity: false,
        ...(idempotencyKey ? { idempotencyKey } : {}),
      });
    } catch (e) {
      throw unavailable(e) ?? e;
    }
    return outcomes.map((o): WriteOutcome => {
      if (o.ok) return { ok: true, id: String((o.data as { id?: unknown } | null)?.id ?? "") };
      const permanent = PERMANENT_WRITE_ERRORS.some((cls) => o.error instanceof cls);
      const message = `${o.error.code}: ${o.error.message}`;
      return o.error instanceof NotFoundError
        ? { ok: false, permanent, message, notFound: true }
        : { ok: false, permanent, message };
    });
  }
}

/** monday's largest page of items. */
const MAX_PAGE = 500;

/** One complexity budget per account token and API URL in this process, shared by every sync in it. */
const budgets = new Map<string, ComplexityBudget>();

/**
 * The monday.com port for the sync engine: HTTP (the real API or the emulator) behind the resilience
 * layer configured by `monday.*` in the config.
 */
/** The port's bulk lane over the client's; read failures become what the sync expects of reads. */
function bulkLaneOf(client: BulkImportClient): BulkLane {
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw readFailure(e);
    }
  };
  return {
    // A refused start (the 100 an hour, a 429) is not an outage: the step sends those orders as mutations.
    start: (kind, boardId, groupId) => client.start(kind, boardId, groupId),
    upload: async (url, csv) => void (await client.upload(url, csv)),
    status: (jobId) => guard(() => client.status(jobId)),
    report: (url) => client.readReport(url),
  };
}

export function createMondayPort(settings: Settings, token: string): MondayClientPort {
  const m = settings.config.monday;
  const budgetKey = `${settings.monday.apiUrl}\u0000${token}`;
  const budget = budgets.get(budgetKey) ?? new ComplexityBudget({ limitPerMinute: m.budgetPerMinute });
  budgets.set(budgetKey, budget);
  const http = new HttpTransport({
    url: settings.monday.apiUrl,
    token,
    apiVersion: settings.monday.apiVersion,
    timeoutMs: settings.monday.timeoutMs,
  });
  const resilient = new ResilientTransport(http, {
    budget,
    maxAttempts: m.maxAttempts,
    backoffInitialMs: m.backoffSeconds.initial * 1000,
    backoffMaxMs: m.backoffSeconds.max * 1000,
    timeoutBackoffMs: m.backoffSeconds.initial * 1000,
    failureThreshold: m.breaker.failureThreshold,
    recoveryMs: m.breaker.recoverySeconds * 1000,
  });
  const probeHttp = new HttpTransport({
    url: settings.monday.apiUrl,
    token,
    apiVersion: settings.monday.apiVersion,
    timeoutMs: Math.min(settings.monday.timeoutMs, 10_000),
  });
  return new MondayClientPort(new MondayClient(resilient), http, resilient, settings.config.sync.batchSize, {
    client: new MondayClient(probeHttp),
    http: probeHttp,
  });
}
