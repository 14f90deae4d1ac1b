import { bulkhead } from "cockatiel";
import { resolve } from "node:path";
import type { CustomerConfig, Settings } from "../config/index.js";
import { DatabaseError } from "../db/index.js";
import { MappingError, type ResolvedBoard } from "../mapping/index.js";
import { buildReport, writeReports, type ValidationReport, type ValidationResult } from "../quality/index.js";
import { logCustomerRun, logRunFinished, logRunStarted } from "../runlog/index.js";
import { CountsTally, emptyCounts, sumCounts, type SyncCounts } from "./counts.js";
import { CustomerLease, newOwnerId } from "./customer-locks.js";
import { runCustomerPipeline, type CustomerMeters } from "./customer-pipeline.js";
import { errorMessage, HaltError } from "./errors.js";
import { SyncEvents } from "./events.js";
import {
  outcomeOf,
  runStatus,
  worstOutcome,
  OUTCOMES,
  type FinishedRunStatus,
  type Outcome,
} from "../errors/index.js";
import type { CustomerRunContext, SharedBoards } from "./customer-context.js";
import type { MondayStats } from "./port.js";
import { customerContext, prepare, type Prepared, type SyncDeps } from "./prepare.js";
import { StepClock } from "./step-clock.js";

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

/** The one JSON object `sync --json` prints. */
export interface SyncSummary {
  batchId: string;
  status: FinishedRunStatus;
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
  /**
   * What each customer runs under its lease (default: the sync's {@link runCustomerPipeline}); `rollback`
   * runs its own steps through the same leases, run log and summary. Returns the customer's validation, if any.
   */
  pipeline?: CustomerPipeline;
}

/** One customer's work inside a run: the sync pipeline, or another command's steps (rollback). */
export type CustomerPipeline = (
  ctx: CustomerRunContext,
  shared: SharedBoards,
  meters: CustomerMeters,
) => Promise<ValidationResult | undefined>;

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

/** What every customer of a run reads; nothing in it changes while the customers run. */
interface RunScope {
  p: Prepared;
  owner: string;
  ttlMs: number;
  signal?: AbortSignal;
  pipeline: CustomerPipeline;
}

/** One customer's part of a run, as the run sums it up. */
interface CustomerRun {
  result: CustomerResult;
  outcome: Outcome;
  validation?: ValidationResult;
}

/** The outcomes that end one customer's run with an outcome of their own; any other error fails its rows. */
const CUSTOMER_ENDINGS: ReadonlySet<Outcome> = new Set(["unavailable", "halted", "stopped"]);

/** A customer's result, told to the listeners (`customerDone`). */
function endCustomer(
  p: Prepared,
  customer: CustomerConfig,
  t0: number,
  outcome: Outcome,
  counts: SyncCounts,
  error?: string,
  how: { skipped?: boolean } = {},
): CustomerRun {
  const ok = outcome === "ok";
  const flags = { ...how, ...(outcome === "stopped" ? { stopped: true } : {}) };
  const result: CustomerResult = {
    customer: customer.name,
    boardId: customer.board,
    ok,
    counts,
    durationMs: Date.now() - t0,
    ...(error ? { error } : {}),
    ...flags,
  };
  p.events.emit("customerDone", {
    batchId: p.batchId,
    customer: customer.name,
    ok,
    ...flags,
    ...(error ? { error } : {}),
    durationMs: result.durationMs,
    counts,
  });
  return { result, outcome };
}

/** The pipeline for a customer whose lease this process holds, between its two run-log lines. */
async function underLease(
  deps: SyncDeps,
  scope: RunScope,
  customer: CustomerConfig,
  board: ResolvedBoard,
  lost: AbortSignal,
  t0: number,
): Promise<CustomerRun> {
  const { p } = scope;
  // The customer's log line spans exactly the time the lease is held (tests check no two overlap).
  const line = { batchId: p.batchId, customer: customer.name, owner: scope.owner, startedMs: Date.now() };
  const signal = scope.signal ? AbortSignal.any([scope.signal, lost]) : lost;
  const ctx = customerContext(deps, p, customer, board, signal);
  const meters: CustomerMeters = { tally: new CountsTally(), clock: new StepClock() };
  await logCustomerRun(deps.db, line, "RUNNING");
  p.events.emit("customerStarted", { batchId: p.batchId, customer: customer.name });
  let run: CustomerRun;
  try {
    const validation = await scope.pipeline(ctx, p, meters);
    meters.clock.report(p.events, p.batchId, customer.name);
    run = {
      ...endCustomer(p, customer, t0, "ok", meters.tally.total),
      ...(validation ? { validation } : {}),
    };
  } catch (e) {
    meters.clock.report(p.events, p.batchId, customer.name);
    run = endCustomer(p, customer, t0, customerOutcome(e), meters.tally.total, errorMessage(e));
    if (e instanceof HaltError) run.validation = e.validation;
  }
  return closeLine(deps, line, run);
}

/**
 * How an error ends a customer's run: its own outcome when it carries one of {@link CUSTOMER_ENDINGS};
 * exit 2 for a database that cannot be used (locked past the busy timeout, full: one line, issue 12);
 * else its rows failed.
 */
function customerOutcome(e: unknown): Outcome {
  const carried = outcomeOf(e);
  if (carried && CUSTOMER_ENDINGS.has(carried)) return carried;
  return e instanceof DatabaseError ? "config" : "rowsFailed";
}

/**
 * The customer's closing run-log line. A database fault writing it (a full disk) fails this customer
 * with that fault's one line instead of throwing past the other customers still running.
 */
async function closeLine(
  deps: SyncDeps,
  line: Parameters<typeof logCustomerRun>[1],
  run: CustomerRun,
): Promise<CustomerRun> {
  const { result } = run;
  const status = result.stopped ? "STOPPED" : result.ok ? "SUCCESS" : "FAILED";
  try {
    await logCustomerRun(deps.db, line, status, result.counts, result.error);
    return run;
  } catch (e) {
    if (!(e instanceof DatabaseError)) throw e;
    if (!result.ok) return run;
    return { ...run, outcome: "config", result: { ...result, ok: false, error: errorMessage(e) } };
  }
}

/**
 * One customer's part of a run, under its lease (see {@link runCustomerPipeline}). A customer whose lease
 * another process holds is skipped; the lease is released whatever happens.
 */
async function syncCustomer(deps: SyncDeps, scope: RunScope, customer: CustomerConfig): Promise<CustomerRun> {
  const { p } = scope;
  const t0 = Date.now();
  const board = p.boards.get(customer.board);
  if (scope.signal?.aborted)
    return endCustomer(p, customer, t0, "stopped", emptyCounts(), "not run: shutting down");
  if (!board || board instanceof MappingError)
    return endCustomer(
      p,
      customer,
      t0,
      "config",
      emptyCounts(),
      board?.message ?? `board ${customer.board} is not configured`,
    );
  const stop = new AbortController();
  const lease = await CustomerLease.acquire(deps.db, customer.name, scope.owner, p.batchId, scope.ttlMs, () =>
    stop.abort(new Error("the customer's lease was lost to another process")),
  );
  if (!(lease instanceof CustomerLease)) {
    const why = `skipped: another process (${lease.owner}, batch ${lease.batchId}) is syncing this customer`;
    await logCustomerRun(
      deps.db,
      { batchId: p.batchId, customer: customer.name, owner: scope.owner, startedMs: t0 },
      "SKIPPED",
      emptyCounts(),
      why,
    );
    return endCustomer(p, customer, t0, "ok", emptyCounts(), why, { skipped: true });
  }
  try {
    return await underLease(deps, scope, customer, board, stop.signal, t0);
  } finally {
    // A database that cannot be written now cannot release the lease either: it expires after its TTL.
    await lease.release().catch((e: unknown) => {
      if (!(e instanceof DatabaseError)) throw e;
    });
  }
}

/**
 * Runs the customers, in parallel up to `sync.concurrency`. Once one finds monday.com unavailable, the
 * customers not yet started are not run (each customer only returns its result; this scheduler alone
 * remembers the first such message).
 */
async function runCustomers(deps: SyncDeps, scope: RunScope): Promise<CustomerRun[]> {
  const pool = bulkhead(deps.settings.config.sync.concurrency, Infinity);
  let unavailable: string | undefined;
  return Promise.all(
    scope.p.customers.map((customer) =>
      pool.execute(async () => {
        if (unavailable !== undefined)
          return endCustomer(
            scope.p,
            customer,
            Date.now(),
            "unavailable",
            emptyCounts(),
            `not run: ${unavailable}`,
          );
        const run = await syncCustomer(deps, scope, customer).catch((e: unknown) => {
          // The database failed around the pipeline (its lease or run-log line): this customer ends in
          // that one line; the others go on (issue 12: no "driver has already been destroyed").
          if (!(e instanceof DatabaseError)) throw e;
          return endCustomer(scope.p, customer, Date.now(), "config", emptyCounts(), errorMessage(e));
        });
        if (run.outcome === "unavailable") unavailable = run.result.error ?? "";
        return run;
      }),
    ),
  );
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
  const error = errorMessage(e);
  events.emit("runFailed", { ...(batchId ? { batchId } : {}), error, durationMs: Date.now() - started });
  if (!batchId) return;
  await logRunFinished(deps.db, batchId, {
    status: "FAILED",
    error,
    apiRequests: deps.monday.requests - requestsBefore,
    counts: deps.monday.stats ? { monday: deps.monday.stats() } : null,
  }).catch(() => undefined);
}

/** The run's summary from its customers' results: counts summed, exit code and status from the outcomes. */
async function summarize(
  deps: SyncDeps,
  p: Prepared,
  runs: readonly CustomerRun[],
  started: { ms: number; requests: number },
  failures: SyncSummary["failures"],
): Promise<SyncSummary> {
  const results = runs.map((r) => r.result);
  const counts = sumCounts(results.map((r) => r.counts));
  const rowProblems = counts.failed + counts.dead + counts.quarantined;
  const outcome = worstOutcome([
    ...runs.map((r) => r.outcome),
    ...(rowProblems > 0 ? ["rowsFailed" as const] : []),
  ]);
  const validations = runs.flatMap((r) => (r.validation ? [r.validation] : []));
  return {
    batchId: p.batchId,
    status: runStatus(outcome, results),
    exitCode: OUTCOMES[outcome].exitCode,
    counts,
    apiRequests: deps.monday.requests - started.requests,
    durationMs: Date.now() - started.ms,
    customers: results,
    failures,
    ...(deps.monday.stats ? { monday: deps.monday.stats() } : {}),
    validation: await reportValidation(deps.settings, p.batchId, validations),
  };
}

/** Prepares a run, logging it as RUNNING before the first monday.com call (FAILED if preparing fails). */
async function start(
  deps: SyncDeps,
  options: RunOptions,
  started: { ms: number; requests: number },
): Promise<Prepared> {
  let logged: string | undefined;
  try {
    return await prepare(
      deps,
      options.customers,
      async (customers, batchId) => {
        logged = batchId;
        await logRunStarted(deps.db, {
          batchId,
          customers: customers.map((c) => c.name),
          command: options.command ?? "sync",
        });
      },
      options.batchId,
    );
  } catch (e) {
    await failRun(deps, deps.events ?? new SyncEvents(), logged, e, started.ms, started.requests);
    throw e;
  }
}

/**
 * One sync run (DESIGN.md pipeline): for each customer, in parallel up to `sync.concurrency`:
 * reconcile → read → detect → validate → stage → push → record → clear. Returns the run summary;
 * the run log (`MON_SyncRuns`) holds the same.
 */
export async function runSync(deps: SyncDeps, options: RunOptions = {}): Promise<SyncSummary> {
  const started = { ms: Date.now(), requests: deps.monday.requests };
  const p = await start(deps, options, started);
  const { batchId, events } = p;
  events.emit("runStarted", { batchId, customers: p.customers.map((c) => c.name) });
  const failures: SyncSummary["failures"] = [];
  const onFailed = (f: SyncSummary["failures"][number]) => {
    if (failures.length < 100) failures.push(f);
  };
  events.on("rowFailed", onFailed);
  const unsubscribe = deps.monday.onBreakerStateChange?.((e) => events.emit("breakerStateChange", e));
  try {
    const scope: RunScope = {
      p,
      owner: options.owner ?? newOwnerId(),
      ttlMs: deps.settings.config.sync.lockTtlSeconds * 1000,
      ...(options.signal ? { signal: options.signal } : {}),
      pipeline: options.pipeline ?? runCustomerPipeline,
    };
    const summary = await summarize(deps, p, await runCustomers(deps, scope), started, failures);
    await logRunFinished(deps.db, batchId, {
      status: summary.status,
      counts: { ...summary.counts, ...(summary.monday ? { monday: summary.monday } : {}) },
      apiRequests: summary.apiRequests,
      error:
        summary.customers
          .filter((r) => r.error && !r.skipped)
          .map((r) => `${r.customer}: ${r.error}`)
          .join("\n") || null,
    });
    events.emit("runDone", {
      batchId,
      status: summary.status,
      durationMs: summary.durationMs,
      exitCode: summary.exitCode,
    });
    return summary;
  } catch (e) {
    // Something broke the run itself (the database went away mid-run): it is logged FAILED, never left
    // RUNNING, and listeners hear that it ended.
    await failRun(deps, events, batchId, e, started.ms, started.requests);
    throw e;
  } finally {
    events.off("rowFailed", onFailed);
    unsubscribe?.();
  }
}
