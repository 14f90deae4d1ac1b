import { randomBytes } from "node:crypto";
import { bulkhead } from "cockatiel";
import { resolve } from "node:path";
import { ConfigError, type CustomerConfig, type Settings } from "../config/index.js";
import {
  buildReport,
  mergeResults,
  validateOrders,
  writeReports,
  type ValidationContext,
  type ValidationReport,
  type ValidationResult,
} from "../quality/index.js";
import { readOrderPages } from "../source/index.js";
import { migrateToLatest, type Db } from "../db/index.js";
import { MappingError, mappingSourceColumns, resolveBoard, type ResolvedBoard } from "../mapping/index.js";
import { checkSourceTable } from "../source/index.js";
import { clearDone, nowIso } from "../stage/index.js";
import { BoardLocks } from "./board-locks.js";
import {
  detectAndStage,
  emptyCounts,
  HaltError,
  reconcileLeftovers,
  sourceColumns,
  StoppedError,
  type CustomerRunContext,
  type PlannedChange,
  type SyncCounts,
} from "./customer-run.js";
import { CustomerLease, newOwnerId } from "./customer-locks.js";
import { SyncEvents, type SyncStep } from "./events.js";
import { MondayUnavailableError, type MondayStats, type SyncMonday } from "./port.js";
import { GroupDirectory, pushStaged } from "./push.js";

/** Exit codes (DESIGN.md): the CLI returns them, scripts rely on them. */
export const EXIT = { ok: 0, rowsFailed: 1, config: 2, halted: 3, mondayUnavailable: 4 } as const;

/** What the sync engine is given: settings, the database, and monday.com behind an injected shape. */
export interface SyncDeps {
  settings: Settings;
  db: Db;
  monday: SyncMonday;
  events?: SyncEvents;
}

export interface CustomerResult {
  customer: string;
  boardId: string;
  ok: boolean;
  counts: SyncCounts;
  error?: string;
  durationMs: number;
  /** Another process held the customer's lease; nothing was done (not a failure). */
  skipped?: boolean;
  /** Stopped by shutdown or a lost lease after recording what was sent. */
  stopped?: boolean;
}

/** Writes a customer's line of the run log (`MON_SyncRunCustomers`): RUNNING first, then how it ended. */
async function logCustomerRun(
  { db, batchId, customer, owner }: { db: Db; batchId: string; customer: string; owner: string },
  startedMs: number,
  status: "RUNNING" | "SUCCESS" | "FAILED" | "STOPPED" | "SKIPPED",
  counts?: SyncCounts,
  error?: string,
): Promise<void> {
  const row = {
    owner,
    status,
    finished_at: status === "RUNNING" ? null : nowIso(),
    counts: counts ? JSON.stringify(counts) : null,
    error: error ?? null,
  };
  if (status === "RUNNING" || status === "SKIPPED")
    await db.kysely
      .insertInto("MON_SyncRunCustomers")
      .values({ batch_id: batchId, customer, started_at: new Date(startedMs).toISOString(), ...row })
      .execute();
  else
    await db.kysely
      .updateTable("MON_SyncRunCustomers")
      .set(row)
      .where("batch_id", "=", batchId)
      .where("customer", "=", customer)
      .execute();
}

/** The one JSON object `sync --json` prints. */
export interface SyncSummary {
  batchId: string;
  status: "SUCCESS" | "PARTIAL" | "FAILED" | "STOPPED";
  exitCode: number;
  counts: SyncCounts;
  apiRequests: number;
  durationMs: number;
  customers: CustomerResult[];
  failures: { customer: string; orderKey: string; action: string; status: string; error: string }[];
  /** Retries by error class, budget waits and the circuit breaker's state at the end of the run. */
  monday?: MondayStats;
  /** The data-quality report of the run: issue counts and where the JSON and HTML files are. */
  validation: ValidationSummary;
}

/** The data-quality part of a run summary. */
export interface ValidationSummary {
  issues: number;
  bySeverity: Record<string, number>;
  quarantinedOrders: number;
  haltedCustomers: string[];
  files: { json: string; html: string };
  report: ValidationReport;
}

/**
 * Builds the run's validation report and writes it as JSON and HTML: always as `validation-latest.*`,
 * and also under the batch id when it has issues (so problem runs keep their report).
 */
async function reportValidation(
  settings: Settings,
  batchId: string,
  results: readonly ValidationResult[],
): Promise<ValidationSummary> {
  const report = buildReport(results, { batchId });
  const dir = resolve(settings.baseDir, settings.config.quality.reportDir);
  const latest = await writeReports(dir, report, "latest");
  const files = report.totals.issues > 0 ? await writeReports(dir, report) : latest;
  return {
    issues: report.totals.issues,
    bySeverity: report.totals.bySeverity,
    quarantinedOrders: report.totals.orders.QUARANTINE,
    haltedCustomers: report.customers.filter((c) => c.halt).map((c) => c.customer),
    files,
    report,
  };
}

/** A new batch id: sortable by time, unique across processes. */
export function newBatchId(): string {
  return `${new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`;
}

/** The configured customers a run covers; unknown names are a usage error. */
export function selectCustomers(settings: Settings, names: readonly string[] | undefined): CustomerConfig[] {
  const all = settings.config.customers;
  if (!names || names.length === 0) return all;
  const unknown = names.filter((n) => !all.some((c) => c.name === n));
  if (unknown.length)
    throw new ConfigError(
      `unknown customer ${unknown.map((u) => JSON.stringify(u)).join(", ")}; configured: ${all.map((c) => JSON.stringify(c.name)).join(", ")}`,
    );
  return all.filter((c) => names.includes(c.name));
}

/** Reads every board (and subitems board) the customers use, in one request, and resolves the mappings. */
export async function resolveBoards(
  settings: Settings,
  monday: SyncMonday,
  customers: readonly CustomerConfig[],
  groups: GroupDirectory,
): Promise<Map<string, ResolvedBoard | MappingError>> {
  const boards = settings.config.boards.filter((b) => customers.some((c) => c.board === b.id));
  const ids = [...new Set(boards.flatMap((b) => [b.id, ...(b.subitems ? [b.subitems.boardId] : [])]))];
  const live = new Map((await monday.getBoards(ids)).map((b) => [b.id, b]));
  const out = new Map<string, ResolvedBoard | MappingError>();
  for (const board of boards) {
    const index = settings.config.boards.indexOf(board);
    try {
      const liveBoard = live.get(board.id);
      out.set(
        board.id,
        resolveBoard(board, index, liveBoard, board.subitems ? live.get(board.subitems.boardId) : undefined),
      );
      if (liveBoard) groups.seed(board.id, liveBoard.groups);
    } catch (e) {
      if (!(e instanceof MappingError)) throw e;
      out.set(board.id, e);
    }
  }
  return out;
}

/** Checks the source table has every column the selected customers' mappings read (exit 2 otherwise). */
export async function checkSource(deps: SyncDeps, customers: readonly CustomerConfig[]): Promise<void> {
  const { config } = deps.settings;
  const required: { column: string; where: string }[] = [
    { column: config.source.keyColumn, where: "source.keyColumn" },
    { column: config.source.customerColumn, where: "source.customerColumn" },
    { column: config.source.cancelled.column, where: "source.cancelled.column" },
  ];
  config.boards.forEach((b, i) => {
    if (!customers.some((c) => c.board === b.id)) return;
    b.columns.forEach((c, j) =>
      mappingSourceColumns(c).forEach((column, k) =>
        required.push({
          column,
          where: `boards[${i}].columns[${j}].${k === 0 ? "source" : `transform.join.columns[${k - 1}]`}`,
        }),
      ),
    );
    b.subitems?.sizes.forEach((s, j) =>
      required.push({ column: s.source, where: `boards[${i}].subitems.sizes[${j}].source` }),
    );
  });
  const q = config.quality;
  q.required.forEach((c, i) => required.push({ column: c, where: `quality.required[${i}]` }));
  for (const [key, column] of Object.entries(q.columns))
    if (key !== "sizePrefix" && typeof column === "string")
      required.push({ column, where: `quality.columns.${key}` });
  await checkSourceTable(deps.db, config.source, required);
}

interface Prepared {
  batchId: string;
  customers: CustomerConfig[];
  boards: Map<string, ResolvedBoard | MappingError>;
  groups: GroupDirectory;
  locks: BoardLocks;
  events: SyncEvents;
}

async function prepare(
  deps: SyncDeps,
  names: readonly string[] | undefined,
  beforeMonday: (customers: CustomerConfig[], batchId: string) => Promise<void> = async () => undefined,
  batchId: string = newBatchId(),
): Promise<Prepared> {
  const customers = selectCustomers(deps.settings, names);
  await migrateToLatest(deps.db);
  await checkSource(deps, customers);
  await beforeMonday(customers, batchId);
  const locks = new BoardLocks();
  const groups = new GroupDirectory({ monday: deps.monday }, locks);
  const boards = await resolveBoards(deps.settings, deps.monday, customers, groups);
  return { batchId, customers, boards, groups, locks, events: deps.events ?? new SyncEvents() };
}

function addCounts(into: SyncCounts, from: SyncCounts): void {
  for (const key of Object.keys(into) as (keyof SyncCounts)[]) into[key] += from[key];
}

/** How a run is started. */
export interface RunOptions {
  customers?: readonly string[];
  /** The command recorded in the run log (`sync`, `serve`, `serve:api`). */
  command?: string;
  /**
   * Aborting it stops the run gracefully: each customer finishes and records the request in flight, rows
   * not yet sent stay PENDING for the next run, and the run is logged as STOPPED.
   */
  signal?: AbortSignal;
  /** This process's lease owner id (default: a new one per run). */
  owner?: string;
  /** The run's batch id (default: a new one), so a caller can name the run before it starts. */
  batchId?: string;
}

/** What the customers of one run share; their outcomes decide the run's exit code. */
interface RunState {
  p: Prepared;
  owner: string;
  ttlMs: number;
  signal?: AbortSignal;
  unavailable?: MondayUnavailableError;
  configProblem: boolean;
  halted: boolean;
  validations: ValidationResult[];
}

/**
 * One customer's part of a run, under its lease: reconcile → detect and stage → push → clear. A customer
 * whose lease another process holds is skipped; the lease is released whatever happens.
 */
async function syncCustomer(
  deps: SyncDeps,
  run: RunState,
  customer: CustomerConfig,
): Promise<CustomerResult> {
  const { batchId, events } = run.p;
  const t0 = Date.now();
  const counts = emptyCounts();
  const board = run.p.boards.get(customer.board);
  const result = (ok: boolean, error?: string, how: { skipped?: boolean; stopped?: boolean } = {}) => {
    const r: CustomerResult = {
      customer: customer.name,
      boardId: customer.board,
      ok,
      counts,
      durationMs: Date.now() - t0,
      ...(error ? { error } : {}),
      ...how,
    };
    events.emit("customerDone", {
      batchId,
      customer: customer.name,
      ok,
      ...how,
      ...(error ? { error } : {}),
      durationMs: r.durationMs,
      counts,
    });
    return r;
  };
  if (run.unavailable) return result(false, `not run: ${run.unavailable.message}`);
  if (run.signal?.aborted) return result(false, "not run: shutting down", { stopped: true });
  if (!board || board instanceof MappingError) {
    run.configProblem = true;
    return result(false, board?.message ?? `board ${customer.board} is not configured`);
  }
  const log = { db: deps.db, batchId, customer: customer.name, owner: run.owner };
  const stop = new AbortController();
  const lease = await CustomerLease.acquire(deps.db, customer.name, run.owner, batchId, run.ttlMs, () =>
    stop.abort(new Error("the customer's lease was lost to another process")),
  );
  if (!(lease instanceof CustomerLease)) {
    const why = `skipped: another process (${lease.owner}, batch ${lease.batchId}) is syncing this customer`;
    await logCustomerRun(log, t0, "SKIPPED", counts, why);
    return result(true, why, { skipped: true });
  }
  // The customer's log line spans exactly the time the lease is held (tests check no two overlap).
  const leased = Date.now();
  const ctx: CustomerRunContext = {
    settings: deps.settings,
    db: deps.db,
    monday: deps.monday,
    events,
    batchId,
    customer,
    board,
    signal: run.signal ? AbortSignal.any([run.signal, stop.signal]) : stop.signal,
  };
  const step = async <T>(name: SyncStep, fn: () => Promise<T>): Promise<T> => {
    const s0 = Date.now();
    let ok = false;
    try {
      const out = await fn();
      ok = true;
      return out;
    } finally {
      events.emit("stepDone", {
        batchId,
        customer: customer.name,
        step: name,
        durationMs: Date.now() - s0,
        ok,
      });
    }
  };
  try {
    await logCustomerRun(log, leased, "RUNNING");
    events.emit("customerStarted", { batchId, customer: customer.name });
    let r: CustomerResult;
    try {
      const leftovers = await step("reconcile", () => reconcileLeftovers(ctx, counts));
      if (ctx.signal?.aborted) throw new StoppedError(ctx.signal.reason);
      const { validation } = await step("detect", () => detectAndStage(ctx, counts, leftovers));
      run.validations.push(validation);
      await step("push", () => pushStaged(ctx, counts, run.p.groups, run.p.locks));
      await step("clear", () => clearDone(deps.db, customer.name));
      r = result(true);
    } catch (e) {
      if (e instanceof MondayUnavailableError) run.unavailable = e;
      if (e instanceof HaltError) {
        run.halted = true;
        run.validations.push(e.validation);
      }
      const message = e instanceof Error ? e.message : String(e);
      r = result(false, message, e instanceof StoppedError ? { stopped: true } : {});
    }
    await logCustomerRun(log, leased, r.stopped ? "STOPPED" : r.ok ? "SUCCESS" : "FAILED", counts, r.error);
    return r;
  } finally {
    await lease.release();
  }
}

/** Logs a run that could not finish as FAILED (never left RUNNING) and tells the listeners. */
async function failRun(
  deps: SyncDeps,
  events: SyncEvents,
  batchId: string | undefined,
  e: unknown,
  started: number,
  requestsBefore: number,
): Promise<void> {
  const error = e instanceof Error ? e.message : String(e);
  events.emit("runFailed", { ...(batchId ? { batchId } : {}), error, durationMs: Date.now() - started });
  if (!batchId) return;
  await deps.db.kysely
    .updateTable("MON_SyncRuns")
    .set({
      finished_at: nowIso(),
      status: "FAILED",
      error,
      api_requests: deps.monday.requests - requestsBefore,
      ...(deps.monday.stats ? { counts: JSON.stringify({ monday: deps.monday.stats() }) } : {}),
    })
    .where("batch_id", "=", batchId)
    .execute()
    .catch(() => undefined);
}

/**
 * One sync run (DESIGN.md pipeline): for each customer, in parallel up to `sync.concurrency`:
 * reconcile leftovers → read → detect → validate → stage → push → record → clear. Returns the run summary;
 * the run log (`MON_SyncRuns`) holds the same.
 */
export async function runSync(deps: SyncDeps, options: RunOptions = {}): Promise<SyncSummary> {
  const started = Date.now();
  const requestsBefore = deps.monday.requests;
  let runRow: string | undefined;
  let p: Prepared;
  try {
    // The run is logged before the first monday.com call, so a run that finds monday down is logged too.
    p = await prepare(
      deps,
      options.customers,
      async (customers, batchId) => {
        runRow = batchId;
        await deps.db.kysely
          .insertInto("MON_SyncRuns")
          .values({
            batch_id: batchId,
            started_at: nowIso(),
            finished_at: null,
            status: "RUNNING",
            customers: JSON.stringify(customers.map((c) => c.name)),
            counts: null,
            api_requests: 0,
            error: null,
            command: options.command ?? "sync",
          })
          .execute();
      },
      options.batchId,
    );
  } catch (e) {
    await failRun(deps, deps.events ?? new SyncEvents(), runRow, e, started, requestsBefore);
    throw e;
  }
  const { batchId, events } = p;
  events.emit("runStarted", { batchId, customers: p.customers.map((c) => c.name) });
  const failures: SyncSummary["failures"] = [];
  const onFailed = (f: {
    customer: string;
    orderKey: string;
    action: string;
    error: string;
    status: string;
  }) => {
    if (failures.length < 100) failures.push(f);
  };
  events.on("rowFailed", onFailed);
  const unsubscribe = deps.monday.onBreakerStateChange?.((e) => events.emit("breakerStateChange", e));
  try {
    const run: RunState = {
      p,
      owner: options.owner ?? newOwnerId(),
      ttlMs: deps.settings.config.sync.lockTtlSeconds * 1000,
      ...(options.signal ? { signal: options.signal } : {}),
      configProblem: false,
      halted: false,
      validations: [],
    };
    const pool = bulkhead(deps.settings.config.sync.concurrency, Infinity);
    const results = await Promise.all(
      p.customers.map((customer) => pool.execute(() => syncCustomer(deps, run, customer))),
    );
    const { unavailable, configProblem, halted, validations } = run;
    const counts = emptyCounts();
    for (const r of results) addCounts(counts, r.counts);
    const rowProblems = counts.failed + counts.dead + counts.quarantined;
    const stopped = results.some((r) => r.stopped);
    const exitCode = unavailable
      ? EXIT.mondayUnavailable
      : configProblem
        ? EXIT.config
        : halted
          ? EXIT.halted
          : rowProblems > 0 || stopped || results.some((r) => !r.ok)
            ? EXIT.rowsFailed
            : EXIT.ok;
    const status = stopped
      ? "STOPPED"
      : exitCode === EXIT.ok
        ? "SUCCESS"
        : results.some((r) => r.ok)
          ? "PARTIAL"
          : "FAILED";
    const summary: SyncSummary = {
      batchId,
      status,
      exitCode,
      counts,
      apiRequests: deps.monday.requests - requestsBefore,
      durationMs: Date.now() - started,
      customers: results,
      failures,
      ...(deps.monday.stats ? { monday: deps.monday.stats() } : {}),
      validation: await reportValidation(deps.settings, batchId, validations),
    };
    await deps.db.kysely
      .updateTable("MON_SyncRuns")
      .set({
        finished_at: nowIso(),
        status,
        counts: JSON.stringify({ ...counts, ...(summary.monday ? { monday: summary.monday } : {}) }),
        api_requests: summary.apiRequests,
        error:
          results
            .filter((r) => r.error && !r.skipped)
            .map((r) => `${r.customer}: ${r.error}`)
            .join("\n") || null,
      })
      .where("batch_id", "=", batchId)
      .execute();
    events.emit("runDone", { batchId, status, durationMs: summary.durationMs, exitCode });
    return summary;
  } catch (e) {
    // Something broke the run itself (the database went away mid-run): it is logged FAILED, never left
    // RUNNING, and listeners hear that it ended.
    await failRun(deps, events, batchId, e, started, requestsBefore);
    throw e;
  } finally {
    events.off("rowFailed", onFailed);
    unsubscribe?.();
  }
}

/** The `plan` command: detection only; reads monday's board schema but writes nothing anywhere but migrations. */
export async function planSync(
  deps: SyncDeps,
  options: { customers?: readonly string[] } = {},
): Promise<{ changes: PlannedChange[]; counts: SyncCounts; errors: { customer: string; error: string }[] }> {
  const p = await prepare(deps, options.customers);
  const changes: PlannedChange[] = [];
  const counts = emptyCounts();
  const errors: { customer: string; error: string }[] = [];
  for (const customer of p.customers) {
    const board = p.boards.get(customer.board);
    if (!board || board instanceof MappingError) {
      errors.push({ customer: customer.name, error: board?.message ?? "board not configured" });
      continue;
    }
    const ctx: CustomerRunContext = {
      settings: deps.settings,
      db: deps.db,
      monday: deps.monday,
      events: p.events,
      batchId: p.batchId,
      customer,
      board,
    };
    try {
      await detectAndStage(ctx, counts, { dead: new Map(), failed: new Map() }, changes);
    } catch (e) {
      if (!(e instanceof HaltError)) throw e;
      errors.push({ customer: customer.name, error: e.message });
    }
  }
  for (const c of changes) {
    if (c.action === "CREATE") counts.created++;
    else if (c.action === "UPDATE") counts.updated++;
    else if (c.action === "ARCHIVE") counts.archived++;
  }
  return { changes, counts, errors };
}

/**
 * The `validate` command: every open order of the selected customers through the data-quality rules,
 * against the live boards. Writes nothing anywhere (no migrations, no staging, no monday writes).
 */
export async function validateSource(
  deps: SyncDeps,
  options: { customers?: readonly string[] } = {},
): Promise<{ results: ValidationResult[]; report: ValidationReport }> {
  const customers = selectCustomers(deps.settings, options.customers);
  await checkSource(deps, customers);
  const groups = new GroupDirectory({ monday: deps.monday }, new BoardLocks());
  const boards = await resolveBoards(deps.settings, deps.monday, customers, groups);
  const src = deps.settings.config.source;
  const results: ValidationResult[] = [];
  for (const customer of customers) {
    const board = boards.get(customer.board);
    const ctx: ValidationContext = {
      customer: customer.name,
      board,
      config: deps.settings.config.quality,
      keyColumn: src.keyColumn,
      customerColumn: src.customerColumn,
      groupTemplate: customer.group,
    };
    const pages: ValidationResult[] = [validateOrders([], ctx)];
    if (board && !(board instanceof MappingError))
      for await (const page of readOrderPages(deps.db, {
        table: src.table,
        keyColumn: src.keyColumn,
        customerColumn: src.customerColumn,
        customer: customer.name,
        cancelled: src.cancelled,
        columns: sourceColumns(deps.settings, board, customer),
        pageSize: deps.settings.config.sync.pageSize,
      }))
        pages.push(validateOrders(page.rows, ctx));
    results.push(mergeResults(pages, ctx));
  }
  return { results, report: buildReport(results) };
}

export { sourceColumns };
