import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { STAGED_STATUSES } from "../db/index.js";
import type { MondayWatch, SyncEvents } from "../sync/index.js";
import { BREAKER_STATE_VALUE, METRIC_CATALOG, type MetricName } from "./metric-catalog.js";

/** Staging figures read at scrape time. */
export interface StagingSnapshot {
  rows: { table: string; status: string; count: number }[];
  /** The oldest PENDING row's creation time per table (ISO), null when none is PENDING. */
  oldestPending: { table: string; oldest: string | null }[];
  /** Orders held back by data quality per customer (`MON_Quarantine`); absent when not read. */
  quarantined?: { customer: string; orders: number }[];
}

/** What the metrics listen to. */
export interface MetricsSources {
  /** The sync's events (one emitter for the life of the process). */
  events: SyncEvents;
  /** The monday.com port: requests, retries, budget and breaker. */
  monday?: Pick<MondayWatch, "observe" | "budget" | "stats">;
  /** Reads the staging tables when `/metrics` is scraped. */
  staging?: () => Promise<StagingSnapshot>;
  /** Also export prom-client's process and Node.js metrics (default true). */
  processMetrics?: boolean;
  /** The webhook inbox when serve receives webhooks (issue 14): read at each scrape. */
  webhookInbox?: () => Promise<{ pending: number; oldestPending: string | null }>;
}

/** The process's metrics: a registry of its own (no global state), and the listeners that feed it. */
export interface SyncMetrics {
  readonly registry: Registry;
  /** Records a health check's result (`order_sync_health_check{check}`). */
  setHealth(check: string, healthy: boolean): void;
  /** Counts one webhook event by outcome (`webhook_events_total{outcome}`). */
  webhookEvent(outcome: string): void;
  /** Stops listening. */
  close(): void;
}

const SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const REQUEST_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const COUNT_KEYS = [
  ["created", "created"],
  ["updated", "updated"],
  ["archived", "archived"],
  ["unchanged", "unchanged"],
  ["adopted", "adopted"],
  ["failed", "failed"],
  ["dead", "dead"],
  ["quarantined", "quarantined"],
  ["held", "held"],
  ["discarded", "discarded"],
] as const;

/**
 * Builds the Prometheus metrics of {@link METRIC_CATALOG} and subscribes them to the sync's events and
 * the monday port (DESIGN.md: core code emits, observe listens; nothing in the pipeline imports prom-client).
 *
 * @example
 * const metrics = createMetrics({ events, monday, staging: () => stagingSnapshot(db) });
 * app.get("/metrics", async (c) => c.text(await metrics.registry.metrics()));
 */
export function createMetrics(sources: MetricsSources): SyncMetrics {
  const registry = new Registry();
  const make = <N extends MetricName>(
    name: N,
    extra: { buckets?: number[]; collect?: () => unknown } = {},
  ) => {
    const spec = METRIC_CATALOG[name];
    const config = {
      name,
      help: spec.help,
      labelNames: [...spec.labels] as string[],
      registers: [registry],
      ...(extra.collect ? { collect: extra.collect as never } : {}),
    };
    if (spec.type === "counter") return new Counter(config);
    if (spec.type === "gauge") return new Gauge(config);
    return new Histogram({ ...config, buckets: extra.buckets ?? SECONDS_BUCKETS });
  };
  const counter = (name: MetricName) => make(name) as Counter;
  const gauge = (name: MetricName, collect?: (this: Gauge) => unknown) =>
    make(name, collect ? { collect } : {}) as Gauge;
  const histogram = (name: MetricName, buckets?: number[]) =>
    make(name, buckets ? { buckets } : {}) as Histogram;

  const processed = counter("staging_orders_processed_total");
  const stepSeconds = histogram("staging_processing_seconds");
  const apiCalls = counter("monday_api_calls_total");
  const apiSeconds = histogram("monday_api_request_seconds", REQUEST_BUCKETS);
  const rateLimited = counter("monday_rate_limited_total");
  const retries = counter("monday_retries_total");
  const budgetWaits = counter("monday_budget_waits_total");
  const budgetWaitSeconds = counter("monday_budget_wait_seconds_total");
  const runs = counter("order_sync_runs_total");
  const runSeconds = histogram("order_sync_run_duration_seconds");
  const customerRuns = counter("order_sync_customer_runs_total");
  const lastSuccess = gauge("order_sync_last_success_timestamp_seconds");
  const lastRun = gauge("order_sync_last_run_timestamp_seconds");
  const inProgress = gauge("order_sync_sync_in_progress");
  const health = gauge("order_sync_health_check");
  const drift = gauge("order_sync_board_drift_items");
  inProgress.set(0);
  for (const status of ["SUCCESS", "PARTIAL", "FAILED", "HALTED", "STOPPED"]) runs.inc({ status }, 0);

  const { monday, staging } = sources;
  gauge("monday_complexity_budget_remaining", function () {
    // Until monday.com has said what is left, the window is taken as full (as the budget itself does),
    // so a server that has not synced yet does not look exhausted.
    const b = monday?.budget?.();
    if (b) this.set(b.remaining ?? b.limit);
  });
  gauge("monday_complexity_budget_limit", function () {
    const b = monday?.budget?.();
    if (b) this.set(b.limit);
  });
  const breaker = gauge("monday_circuit_breaker_state", function () {
    const state = monday?.stats?.().breakerState;
    if (state) this.set(BREAKER_STATE_VALUE[state]);
  });
  breaker.set(0);
  rateLimited.inc(0);
  budgetWaits.inc(0);
  budgetWaitSeconds.inc(0);

  // The staging gauges are read from the database once per scrape, shared by the three of them.
  let snapshot: Promise<StagingSnapshot | undefined> | undefined;
  const readStaging = () => {
    snapshot ??= (staging ? staging() : Promise.resolve(undefined))
      .catch(() => undefined)
      .finally(() => setTimeout(() => (snapshot = undefined), 0));
    return snapshot;
  };
  gauge("staging_table_rows", async function () {
    const s = await readStaging();
    if (!s) return;
    this.reset();
    const totals = new Map<string, number>();
    for (const r of s.rows) totals.set(r.table, (totals.get(r.table) ?? 0) + r.count);
    for (const t of s.oldestPending) this.set({ table: t.table }, totals.get(t.table) ?? 0);
  });
  gauge("staging_rows", async function () {
    const s = await readStaging();
    if (!s) return;
    this.reset();
    // Every state is reported, 0 when empty, so dashboards and alerts never see "no data".
    for (const t of s.oldestPending)
      for (const status of STAGED_STATUSES) this.set({ table: t.table, status }, 0);
    for (const r of s.rows) this.set({ table: r.table, status: r.status }, r.count);
  });
  gauge("order_sync_quarantined_orders", async function () {
    const s = await readStaging();
    if (!s?.quarantined) return;
    this.reset();
    for (const q of s.quarantined) this.set({ customer: q.customer }, q.orders);
  });
  gauge("staging_oldest_pending_age_seconds", async function () {
    const s = await readStaging();
    if (!s) return;
    this.reset();
    for (const t of s.oldestPending)
      this.set({ table: t.table }, t.oldest ? Math.max(0, (Date.now() - Date.parse(t.oldest)) / 1000) : 0);
  });

  const unsubscribe = sources.events.subscribe({
    runStarted: () => inProgress.set(1),
    runDone: (e) => {
      inProgress.set(0);
      runs.inc({ status: e.status });
      runSeconds.observe(e.durationMs / 1000);
      lastRun.set(Date.now() / 1000);
    },
    runFailed: (e) => {
      inProgress.set(0);
      runs.inc({ status: "FAILED" });
      runSeconds.observe(e.durationMs / 1000);
      lastRun.set(Date.now() / 1000);
    },
    boardChecked: (e) => {
      drift.set({ customer: e.customer, kind: "unknown" }, e.unknown);
      drift.set({ customer: e.customer, kind: "missing" }, e.missing);
      if (e.differ !== undefined) drift.set({ customer: e.customer, kind: "differ" }, e.differ);
    },
    stepDone: (e) => stepSeconds.observe({ customer: e.customer, operation: e.step }, e.durationMs / 1000),
    customerDone: (e) => {
      const result = e.skipped ? "skipped" : e.stopped ? "stopped" : e.ok ? "ok" : "failed";
      customerRuns.inc({ customer: e.customer, result });
      if (e.skipped) return;
      stepSeconds.observe({ customer: e.customer, operation: "total" }, e.durationMs / 1000);
      for (const [key, status] of COUNT_KEYS)
        processed.inc({ customer: e.customer, status }, e.counts[key] ?? 0);
      if (e.ok) lastSuccess.set({ customer: e.customer }, Date.now() / 1000);
    },
  });

  const unobserve = monday?.observe?.({
    request: (e) => {
      apiCalls.inc({ operation: e.operation, status: e.outcome });
      apiSeconds.observe({ operation: e.operation }, e.durationMs / 1000);
      if (e.rateLimited) rateLimited.inc();
    },
    retry: (e) => retries.inc({ error_class: e.errorClass }),
    budgetWait: (e) => {
      budgetWaits.inc();
      budgetWaitSeconds.inc(e.waitMs / 1000);
    },
    breaker: (e) => breaker.set(BREAKER_STATE_VALUE[e.to as keyof typeof BREAKER_STATE_VALUE] ?? 0),
  });

  if (sources.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const webhookEvents = webhookMetrics(counter, gauge, sources.webhookInbox);

  return {
    registry,
    setHealth: (check, healthy) => health.set({ check }, healthy ? 1 : 0),
    webhookEvent: (outcome) => webhookEvents.inc({ outcome }),
    close: () => {
      unsubscribe();
      unobserve?.();
    },
  };
}

/** The webhook metrics (issue 14): events by outcome, and the inbox's depth and lag read at each scrape. */
function webhookMetrics(
  counter: (name: MetricName) => Counter,
  gauge: (name: MetricName, collect?: (this: Gauge) => unknown) => Gauge,
  inbox: MetricsSources["webhookInbox"],
): Counter {
  const events = counter("webhook_events_total");
  for (const outcome of WEBHOOK_OUTCOMES) events.inc({ outcome }, 0);
  let reading: ReturnType<NonNullable<typeof inbox>> | undefined;
  const read = () => {
    reading ??= (inbox ? inbox() : Promise.resolve({ pending: 0, oldestPending: null }))
      .catch(() => ({ pending: 0, oldestPending: null }))
      .finally(() => setTimeout(() => (reading = undefined), 0));
    return reading;
  };
  gauge("webhook_inbox_depth", async function () {
    this.set((await read()).pending);
  });
  gauge("webhook_inbox_lag_seconds", async function () {
    const { oldestPending } = await read();
    this.set(oldestPending ? Math.max(0, (Date.now() - Date.parse(oldestPending)) / 1000) : 0);
  });
  return events;
}

/** The outcomes `webhook_events_total` counts, each reported from 0. */
export const WEBHOOK_OUTCOMES = [
  "received",
  "duplicate",
  "rejected",
  "applied",
  "echo",
  "ignored",
  "failed",
] as const;
