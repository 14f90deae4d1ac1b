import { sql } from "kysely";
import { appliedMigrations, migrations, type Db } from "../db/index.js";
import { errorMessage } from "../errors/index.js";
import { pendingAge } from "../stage/index.js";
import { failedCustomers as failedCustomersOf, lastFinishedRun } from "../runlog/index.js";
import type { MondayWatch } from "../sync/index.js";
import type { DriftEntry } from "./drift.js";

/** One check's verdict; extra fields carry the figures behind it. */
export interface CheckResult {
  healthy: boolean;
  message: string;
  [detail: string]: unknown;
}

/** The `/health` body (the seed design's shape). */
export interface HealthReport {
  status: "healthy" | "unhealthy";
  timestamp: string;
  checks: Record<"database" | "monday_api" | "staging_tables" | "last_batch" | "board_drift", CheckResult> & {
    /** Present when serve receives webhooks (issue 14). */
    webhook_inbox?: CheckResult;
  };
}

/** Thresholds of the checks (`serve.health` in the config). */
export interface HealthOptions {
  /** `staging_tables` fails while a PENDING row is older than this. */
  pendingMaxAgeHours: number;
  /** `last_batch` fails when no run finished for this long. */
  lastBatchMaxAgeMinutes: number;
  /** A `monday_api` result is reused this long (each check costs a request). */
  mondayCheckCacheSeconds: number;
  /** Each check gives up after this long (a stopped database must not hang `/health`). */
  timeoutMs?: number;
  /** `webhook_inbox` fails while an event has waited longer than this (`serve.webhooks.inboxMaxLagSeconds`). */
  inboxMaxLagSeconds?: number;
}

/** What the checks look at. */
export interface HealthSources {
  db: Db;
  monday: Pick<MondayWatch, "ping" | "stats">;
  /** The latest run of this process that failed before it was logged (config, source table, database). */
  lastLocalFailure?: () => { at: string; error: string } | undefined;
  /** Each customer's latest board check (`DriftWatch`): the `board_drift` check. */
  drift?: () => readonly DriftEntry[];
  /** Told each check's result (the `order_sync_health_check` gauge). */
  onResult?: (check: string, healthy: boolean) => void;
  /** The webhook inbox's PENDING events and the oldest one's arrival, when serve receives webhooks. */
  webhookInbox?: () => Promise<{ pending: number; oldestPending: string | null }>;
}

class CheckTimeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CheckTimeout(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const message = (e: unknown) => errorMessage(e) || "unknown error";

/**
 * The health checks of `order-sync serve` (the seed design's `HealthChecker`): `database`,
 * `monday_api`, `staging_tables` (PENDING rows older than the threshold), `last_batch` and `board_drift`.
 *
 * @example
 * const health = new HealthChecker({ db, monday }, { pendingMaxAgeHours: 24, lastBatchMaxAgeMinutes: 60, mondayCheckCacheSeconds: 30 });
 * const report = await health.check(); // report.status === "healthy" → HTTP 200, else 503
 */
export class HealthChecker {
  #mondayCache: { at: number; result: CheckResult } | undefined;

  constructor(
    private readonly sources: HealthSources,
    private readonly options: HealthOptions,
  ) {}

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 5000;
  }

  /** Runs every check (in parallel) and reports them. */
  async check(): Promise<HealthReport> {
    const [database, monday_api, staging_tables, last_batch] = await Promise.all([
      this.guard("database", () => this.database()),
      this.guard("monday_api", () => this.mondayApi()),
      this.guard("staging_tables", () => this.stagingTables()),
      this.guard("last_batch", () => this.lastBatch()),
    ]);
    const inbox = this.sources.webhookInbox
      ? { webhook_inbox: await this.guard("webhook_inbox", () => this.webhookInbox()) }
      : {};
    const checks = {
      database,
      monday_api,
      staging_tables,
      last_batch,
      board_drift: this.boardDrift(),
      ...inbox,
    };
    for (const [name, c] of Object.entries(checks)) this.sources.onResult?.(name, c.healthy);
    return {
      status: Object.values(checks).every((c) => c.healthy) ? "healthy" : "unhealthy",
      timestamp: new Date().toISOString(),
      checks,
    };
  }

  /** Readiness: the database answers and order-sync's tables are migrated. */
  async ready(): Promise<CheckResult> {
    return this.guard("database", async () => {
      const applied = await appliedMigrations(this.sources.db);
      const missing = Object.keys(migrations(this.sources.db.dialect)).filter((m) => !applied.includes(m));
      return missing.length
        ? { healthy: false, message: `migrations not applied: ${missing.join(", ")}` }
        : { healthy: true, message: "OK" };
    });
  }

  private async guard(what: string, fn: () => Promise<CheckResult>): Promise<CheckResult> {
    try {
      return await withTimeout(fn(), this.timeoutMs, what);
    } catch (e) {
      return { healthy: false, message: message(e), error: message(e) };
    }
  }

  private async webhookInbox(): Promise<CheckResult> {
    const { pending, oldestPending } = await this.sources.webhookInbox!();
    const lagSeconds = oldestPending ? Math.max(0, (Date.now() - Date.parse(oldestPending)) / 1000) : 0;
    const max = this.options.inboxMaxLagSeconds ?? 300;
    return lagSeconds > max
      ? {
          healthy: false,
          message: `a webhook event has waited ${Math.round(lagSeconds)} s (more than ${max} s) to be applied`,
          pending,
          lagSeconds: Math.round(lagSeconds),
        }
      : { healthy: true, message: "OK", pending, lagSeconds: Math.round(lagSeconds) };
  }

  private async database(): Promise<CheckResult> {
    const t0 = performance.now();
    await sql`select 1`.execute(this.sources.db.kysely);
    return { healthy: true, message: "OK", latencyMs: Math.round(performance.now() - t0) };
  }

  private async mondayApi(): Promise<CheckResult> {
    const breaker = this.sources.monday.stats?.().breakerState;
    if (breaker === "OPEN")
      return {
        healthy: false,
        message: "the circuit breaker is open after repeated monday.com failures",
        breaker,
      };
    const cached = this.#mondayCache;
    if (cached && Date.now() - cached.at < this.options.mondayCheckCacheSeconds * 1000) return cached.result;
    let result: CheckResult;
    const t0 = performance.now();
    try {
      await this.sources.monday.ping?.();
      result = {
        healthy: true,
        message: "OK",
        latencyMs: Math.round(performance.now() - t0),
        breaker: breaker ?? "CLOSED",
      };
    } catch (e) {
      result = { healthy: false, message: `monday.com: ${message(e)}`, breaker: breaker ?? "CLOSED" };
    }
    this.#mondayCache = { at: Date.now(), result };
    return result;
  }

  private async stagingTables(): Promise<CheckResult> {
    const hours = this.options.pendingMaxAgeHours;
    const cutoff = new Date(Date.now() - hours * 3_600_000).toISOString();
    const tables = await pendingAge(this.sources.db, cutoff);
    const old = tables.reduce((n, t) => n + t.olderThanCutoff, 0);
    const oldest = tables
      .map((t) => t.oldest)
      .filter((t): t is string => t !== null)
      .sort()[0];
    return {
      healthy: old === 0,
      old_pending_records: old,
      oldest_pending: oldest ?? null,
      message: old > 0 ? `${old} records pending >${hours} hours` : "OK",
    };
  }

  /**
   * Unhealthy while a board holds items no order's state knows, or values that differ from the state's
   * (as the latest sync or `reconcile` of each customer found); items that were gone were created again
   * by the run that found them, and are only reported.
   */
  private boardDrift(): CheckResult {
    const entries = this.sources.drift?.() ?? [];
    const drifted = entries.filter((e) => e.unknown > 0 || e.differ > 0);
    const sum = (k: "unknown" | "missing" | "differ") => entries.reduce((n, e) => n + e[k], 0);
    const figures = {
      items_unknown: sum("unknown"),
      items_recreated: sum("missing"),
      values_differ: sum("differ"),
    };
    if (drifted.length === 0) return { healthy: true, message: "OK", ...figures };
    return {
      healthy: false,
      ...figures,
      drifted_customers: drifted.map((e) => e.customer),
      message: `boards differ from the sync state: ${figures.items_unknown} items on a board no order knows, ${figures.values_differ} values that differ (run order-sync reconcile --dry-run)`,
    };
  }

  private async lastBatch(): Promise<CheckResult> {
    const last = await lastFinishedRun(this.sources.db);
    const local = this.sources.lastLocalFailure?.();
    if (local && (!last?.finished_at || local.at > last.finished_at))
      return { healthy: false, message: `the last run could not start: ${local.error}`, failed_at: local.at };
    if (!last) return { healthy: true, message: "no run has finished yet" };
    const ageMinutes = (Date.now() - Date.parse(last.finished_at ?? "")) / 60_000;
    const details = { batch_id: last.batch_id, batch_status: last.status, finished_at: last.finished_at };
    // A customer whose run failed (monday down, a drifted board, a data-quality halt) makes the service
    // unhealthy; rows held back inside a finished customer run (quarantined, DEAD) are data problems with
    // alerts of their own, and would otherwise keep /health red until someone fixes the data.
    const failedCustomers =
      last.status === "PARTIAL" || last.status === "HALTED"
        ? await failedCustomersOf(this.sources.db, last.batch_id)
        : [];
    if (last.status === "FAILED" || last.status === "HALTED" || failedCustomers.length > 0)
      return {
        healthy: false,
        ...details,
        ...(failedCustomers.length ? { failed_customers: failedCustomers } : {}),
        message: `last run ${last.batch_id} ended ${last.status}${last.error ? `: ${last.error.split("\n")[0]}` : ""}`,
      };
    if (ageMinutes > this.options.lastBatchMaxAgeMinutes)
      return {
        healthy: false,
        ...details,
        message: `no run has finished for ${Math.round(ageMinutes)} minutes (limit ${this.options.lastBatchMaxAgeMinutes})`,
      };
    return { healthy: true, ...details, message: "OK" };
  }
}
