// createMetrics: the registry matches METRIC_CATALOG exactly, and is fed by SyncEvents, an injected
// monday source (observe/budget/stats) and the staging callback read at scrape time.
import { afterEach, describe, expect, it } from "vitest";
import {
  BREAKER_STATE_VALUE,
  METRIC_CATALOG,
  createMetrics,
  type StagingSnapshot,
  type SyncMetrics,
} from "../../src/observe/index.js";
import { STAGED_STATUSES } from "../../src/db/index.js";
import { SyncEvents, type MondayObserver, type MondayStats, type SyncCounts } from "../../src/sync/index.js";
import { emptyCounts } from "../../src/sync/counts.js";

type Labels = Record<string, string | number>;

/** A sample's value by metric name and exact labels (undefined when there is no such sample). */
async function sample(metrics: SyncMetrics, name: string, labels: Labels = {}): Promise<number | undefined> {
  const all = await metrics.registry.getMetricsAsJSON();
  const metric = all.find((m) => m.name === name);
  if (!metric) throw new Error(`no metric ${name}`);
  const want = JSON.stringify(Object.entries(labels).sort());
  const hit = (metric.values as { value: number; labels: Labels; metricName?: string }[]).find(
    (v) =>
      (v.metricName === undefined || v.metricName === name) &&
      JSON.stringify(Object.entries(v.labels).sort()) === want,
  );
  return hit?.value;
}

/** A histogram's `_count` or `_sum` for the labels. */
async function histogram(
  metrics: SyncMetrics,
  name: string,
  part: "count" | "sum",
  labels: Labels = {},
): Promise<number | undefined> {
  const all = await metrics.registry.getMetricsAsJSON();
  const metric = all.find((m) => m.name === name);
  const want = JSON.stringify(Object.entries(labels).sort());
  return (metric?.values as { value: number; labels: Labels; metricName?: string }[] | undefined)?.find(
    (v) => v.metricName === `${name}_${part}` && JSON.stringify(Object.entries(v.labels).sort()) === want,
  )?.value;
}

const counts = (over: Partial<SyncCounts> = {}): SyncCounts => ({ ...emptyCounts(), ...over });

/** An injected monday source: the test drives its observer and sets what budget() and stats() say. */
function fakeMonday() {
  const observers = new Set<MondayObserver>();
  const state = {
    budget: { limit: 10_000_000, remaining: undefined as number | undefined },
    stats: {
      requests: 0,
      breakerState: "CLOSED",
      retries: {},
      budgetWaits: 0,
      budgetWaitMs: 0,
    } as MondayStats,
  };
  return {
    state,
    observers,
    emit: <K extends keyof MondayObserver>(kind: K, e: Parameters<NonNullable<MondayObserver[K]>>[0]) => {
      for (const o of observers) (o[kind] as ((x: typeof e) => void) | undefined)?.(e);
    },
    port: {
      observe: (o: MondayObserver) => {
        observers.add(o);
        return () => observers.delete(o);
      },
      budget: () => ({ ...state.budget }),
      stats: () => ({ ...state.stats }),
    },
  };
}

describe("createMetrics", () => {
  const made: SyncMetrics[] = [];
  const create = (...args: Parameters<typeof createMetrics>) => {
    const m = createMetrics(...args);
    made.push(m);
    return m;
  };
  afterEach(() => {
    for (const m of made.splice(0)) m.close();
  });

  it("registers exactly the catalog's metrics, with their types and labels", async () => {
    const metrics = create({ events: new SyncEvents(), processMetrics: false });
    const json = await metrics.registry.getMetricsAsJSON();
    expect(json.map((m) => m.name).sort()).toEqual(Object.keys(METRIC_CATALOG).sort());
    for (const [name, spec] of Object.entries(METRIC_CATALOG)) {
      const m = json.find((x) => x.name === name)!;
      expect(String(m.type), name).toBe(spec.type);
      expect(m.help, name).toBe(spec.help);
      const metric = metrics.registry.getSingleMetric(name) as unknown as { labelNames: string[] };
      expect([...metric.labelNames].sort(), name).toEqual([...spec.labels].sort());
    }
    // Every name is valid Prometheus and the exposition parses as text.
    const text = await metrics.registry.metrics();
    for (const name of Object.keys(METRIC_CATALOG)) {
      expect(name).toMatch(/^[a-z_][a-z0-9_]*$/);
      expect(text).toContain(`# TYPE ${name} ${METRIC_CATALOG[name as keyof typeof METRIC_CATALOG].type}`);
    }
    expect(metrics.registry.contentType).toContain("version=0.0.4");
  });

  it("adds prom-client's process metrics unless processMetrics is false", async () => {
    const metrics = create({ events: new SyncEvents() });
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toContain("process_cpu_seconds_total");
    for (const name of Object.keys(METRIC_CATALOG)) expect(names).toContain(name);
    // Two registries in one process do not clash (no global registry).
    const other = create({ events: new SyncEvents(), processMetrics: false });
    expect((await other.registry.getMetricsAsJSON()).map((m) => m.name)).not.toContain(
      "process_cpu_seconds_total",
    );
  });

  it("starts with zeroed run counters, nothing in progress and a closed breaker", async () => {
    const metrics = create({ events: new SyncEvents(), processMetrics: false });
    for (const status of ["SUCCESS", "PARTIAL", "FAILED", "HALTED", "STOPPED"])
      expect(await sample(metrics, "order_sync_runs_total", { status }), status).toBe(0);
    expect(await sample(metrics, "order_sync_sync_in_progress")).toBe(0);
    expect(await sample(metrics, "monday_circuit_breaker_state")).toBe(0);
    expect(await sample(metrics, "monday_rate_limited_total")).toBe(0);
    expect(await sample(metrics, "monday_budget_waits_total")).toBe(0);
    const text = await metrics.registry.getSingleMetricAsString("order_sync_runs_total");
    expect(text).toContain('order_sync_runs_total{status="SUCCESS"} 0');
  });

  it("follows a run's events: in progress, steps, customers with counts, and the finished run", async () => {
    const events = new SyncEvents();
    const metrics = create({ events, processMetrics: false });
    events.emit("runStarted", {
      batchId: "b1",
      customers: ["BLUE HARBOR", "KESTREL OUTDOOR", "MAPLE & MOSS"],
    });
    expect(await sample(metrics, "order_sync_sync_in_progress")).toBe(1);

    events.emit("stepDone", {
      batchId: "b1",
      customer: "BLUE HARBOR",
      step: "detect",
      durationMs: 1500,
      ok: true,
    });
    events.emit("stepDone", {
      batchId: "b1",
      customer: "BLUE HARBOR",
      step: "push",
      durationMs: 250,
      ok: true,
    });
    events.emit("stepDone", {
      batchId: "b1",
      customer: "BLUE HARBOR",
      step: "push",
      durationMs: 750,
      ok: true,
    });
    expect(
      await histogram(metrics, "staging_processing_seconds", "count", {
        customer: "BLUE HARBOR",
        operation: "push",
      }),
    ).toBe(2);
    expect(
      await histogram(metrics, "staging_processing_seconds", "sum", {
        customer: "BLUE HARBOR",
        operation: "push",
      }),
    ).toBeCloseTo(1.0);
    expect(
      await histogram(metrics, "staging_processing_seconds", "sum", {
        customer: "BLUE HARBOR",
        operation: "detect",
      }),
    ).toBeCloseTo(1.5);

    const before = Date.now() / 1000;
    events.emit("customerDone", {
      batchId: "b1",
      customer: "BLUE HARBOR",
      ok: true,
      durationMs: 3000,
      counts: counts({ created: 5, updated: 2, unchanged: 40, adopted: 1, subitemsCreated: 9 }),
    });
    events.emit("customerDone", {
      batchId: "b1",
      customer: "KESTREL OUTDOOR",
      ok: false,
      error: "boom",
      durationMs: 100,
      counts: counts({ failed: 3, dead: 1, quarantined: 2, archived: 4 }),
    });
    events.emit("customerDone", {
      batchId: "b1",
      customer: "MAPLE & MOSS",
      ok: true,
      skipped: true,
      error: "skipped: another process",
      durationMs: 1,
      counts: counts(),
    });
    const processed = (customer: string, status: string) =>
      sample(metrics, "staging_orders_processed_total", { customer, status });
    expect(await processed("BLUE HARBOR", "created")).toBe(5);
    expect(await processed("BLUE HARBOR", "updated")).toBe(2);
    expect(await processed("BLUE HARBOR", "unchanged")).toBe(40);
    expect(await processed("BLUE HARBOR", "adopted")).toBe(1);
    expect(await processed("BLUE HARBOR", "failed")).toBe(0);
    expect(await processed("KESTREL OUTDOOR", "failed")).toBe(3);
    expect(await processed("KESTREL OUTDOOR", "dead")).toBe(1);
    expect(await processed("KESTREL OUTDOOR", "quarantined")).toBe(2);
    expect(await processed("KESTREL OUTDOOR", "archived")).toBe(4);
    // A skipped customer processed nothing and has no samples.
    expect(await processed("MAPLE & MOSS", "created")).toBeUndefined();
    expect(
      await histogram(metrics, "staging_processing_seconds", "sum", {
        customer: "BLUE HARBOR",
        operation: "total",
      }),
    ).toBeCloseTo(3);
    const customerRuns = (customer: string, result: string) =>
      sample(metrics, "order_sync_customer_runs_total", { customer, result });
    expect(await customerRuns("BLUE HARBOR", "ok")).toBe(1);
    expect(await customerRuns("KESTREL OUTDOOR", "failed")).toBe(1);
    expect(await customerRuns("MAPLE & MOSS", "skipped")).toBe(1);
    // Only the successful customer has a last-success time.
    const last = await sample(metrics, "order_sync_last_success_timestamp_seconds", {
      customer: "BLUE HARBOR",
    });
    expect(last).toBeGreaterThanOrEqual(Math.floor(before));
    expect(last).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    expect(
      await sample(metrics, "order_sync_last_success_timestamp_seconds", { customer: "KESTREL OUTDOOR" }),
    ).toBeUndefined();
    expect(
      await sample(metrics, "order_sync_last_success_timestamp_seconds", { customer: "MAPLE & MOSS" }),
    ).toBeUndefined();

    events.emit("runDone", { batchId: "b1", status: "PARTIAL", durationMs: 4000, exitCode: 1 });
    expect(await sample(metrics, "order_sync_sync_in_progress")).toBe(0);
    expect(await sample(metrics, "order_sync_runs_total", { status: "PARTIAL" })).toBe(1);
    expect(await sample(metrics, "order_sync_runs_total", { status: "SUCCESS" })).toBe(0);
    expect(await histogram(metrics, "order_sync_run_duration_seconds", "count")).toBe(1);
    expect(await histogram(metrics, "order_sync_run_duration_seconds", "sum")).toBeCloseTo(4);
    expect(await sample(metrics, "order_sync_last_run_timestamp_seconds")).toBeGreaterThanOrEqual(
      Math.floor(before),
    );

    // The counters add up over runs; a run that could not start counts as FAILED.
    events.emit("runStarted", { batchId: "b2", customers: ["BLUE HARBOR"] });
    events.emit("customerDone", {
      batchId: "b2",
      customer: "BLUE HARBOR",
      ok: true,
      durationMs: 10,
      counts: counts({ created: 1 }),
    });
    events.emit("runDone", { batchId: "b2", status: "SUCCESS", durationMs: 10, exitCode: 0 });
    expect(await processed("BLUE HARBOR", "created")).toBe(6);
    expect(await sample(metrics, "order_sync_runs_total", { status: "SUCCESS" })).toBe(1);
    events.emit("runStarted", { batchId: "b3", customers: [] });
    events.emit("runFailed", { batchId: "b3", error: "db down", durationMs: 5 });
    expect(await sample(metrics, "order_sync_runs_total", { status: "FAILED" })).toBe(1);
    expect(await sample(metrics, "order_sync_sync_in_progress")).toBe(0);
    expect(await histogram(metrics, "order_sync_run_duration_seconds", "count")).toBe(3);
    const text = await metrics.registry.getSingleMetricAsString("staging_orders_processed_total");
    expect(text).toContain('staging_orders_processed_total{customer="BLUE HARBOR",status="created"} 6');
  });

  it("follows the monday source: calls, rate limits, retries, budget waits, breaker and budget", async () => {
    const monday = fakeMonday();
    const metrics = create({ events: new SyncEvents(), monday: monday.port, processMetrics: false });
    expect(monday.observers.size).toBe(1);
    const request = (operation: string, outcome: string, httpStatus: number, rateLimited = false) =>
      monday.emit("request", { operation, outcome, httpStatus, durationMs: 120, rateLimited });
    request("GetBoards", "ok", 200);
    request("CreateItem", "ok", 200);
    request("CreateItem", "ok", 200);
    request("CreateItem", "RateLimitError", 429, true);
    request("CreateItem", "ServerError", 502);
    expect(await sample(metrics, "monday_api_calls_total", { operation: "CreateItem", status: "ok" })).toBe(
      2,
    );
    expect(await sample(metrics, "monday_api_calls_total", { operation: "GetBoards", status: "ok" })).toBe(1);
    expect(
      await sample(metrics, "monday_api_calls_total", { operation: "CreateItem", status: "RateLimitError" }),
    ).toBe(1);
    expect(
      await sample(metrics, "monday_api_calls_total", { operation: "CreateItem", status: "ServerError" }),
    ).toBe(1);
    expect(await histogram(metrics, "monday_api_request_seconds", "count", { operation: "CreateItem" })).toBe(
      4,
    );
    expect(
      await histogram(metrics, "monday_api_request_seconds", "sum", { operation: "CreateItem" }),
    ).toBeCloseTo(0.48);
    expect(await sample(metrics, "monday_rate_limited_total")).toBe(1);

    monday.emit("retry", { errorClass: "RateLimitError", delayMs: 1000 });
    monday.emit("retry", { errorClass: "ServerError", delayMs: 200 });
    monday.emit("retry", { errorClass: "ServerError", delayMs: 400 });
    expect(await sample(metrics, "monday_retries_total", { error_class: "ServerError" })).toBe(2);
    expect(await sample(metrics, "monday_retries_total", { error_class: "RateLimitError" })).toBe(1);

    monday.emit("budgetWait", { waitMs: 1500 });
    monday.emit("budgetWait", { waitMs: 500 });
    expect(await sample(metrics, "monday_budget_waits_total")).toBe(2);
    expect(await sample(metrics, "monday_budget_wait_seconds_total")).toBeCloseTo(2);

    // The breaker opens: the event sets the gauge, and at scrape time stats() agrees.
    monday.state.stats.breakerState = "OPEN";
    monday.emit("breaker", { from: "CLOSED", to: "OPEN" });
    expect(await sample(metrics, "monday_circuit_breaker_state")).toBe(2);
    expect(BREAKER_STATE_VALUE.OPEN).toBe(2);
    monday.state.stats.breakerState = "HALF_OPEN";
    monday.emit("breaker", { from: "OPEN", to: "HALF_OPEN" });
    expect(await sample(metrics, "monday_circuit_breaker_state")).toBe(1);
    monday.state.stats.breakerState = "CLOSED";
    monday.emit("breaker", { from: "HALF_OPEN", to: "CLOSED" });
    expect(await sample(metrics, "monday_circuit_breaker_state")).toBe(0);

    // The budget gauges read budget() when scraped.
    expect(await sample(metrics, "monday_complexity_budget_limit")).toBe(10_000_000);
    monday.state.budget.remaining = 9_876_543;
    expect(await sample(metrics, "monday_complexity_budget_remaining")).toBe(9_876_543);
    monday.state.budget.remaining = 5;
    monday.state.budget.limit = 1_000_000;
    expect(await sample(metrics, "monday_complexity_budget_remaining")).toBe(5);
    expect(await sample(metrics, "monday_complexity_budget_limit")).toBe(1_000_000);
    expect(await metrics.registry.getSingleMetricAsString("monday_circuit_breaker_state")).toContain(
      "monday_circuit_breaker_state 0",
    );
  });

  it("does not report an exhausted budget before monday.com has said what is left", async () => {
    // Until the first sync request, budget() has remaining undefined (the health ping does not feed the
    // budget). A 0 sample here would make OrderSyncBudgetExhausted (remaining/limit < 0.05 for 10 m,
    // ops/prometheus/alerts.yml) fire on a server whose first run is more than 10 minutes away.
    const monday = fakeMonday();
    const metrics = create({ events: new SyncEvents(), monday: monday.port, processMetrics: false });
    expect(monday.port.budget().remaining).toBeUndefined();
    const remaining = await sample(metrics, "monday_complexity_budget_remaining");
    const limit = await sample(metrics, "monday_complexity_budget_limit");
    expect(limit).toBe(10_000_000);
    if (remaining !== undefined) expect(remaining / limit!).toBeGreaterThanOrEqual(0.05);
  });

  it("reads the staging gauges from the staging callback once per scrape", async () => {
    let reads = 0;
    const oldest = new Date(Date.now() - 90_000).toISOString();
    let snapshot: StagingSnapshot = {
      rows: [
        { table: "STG_MON_CustMasterSchedule", status: "PENDING", count: 7 },
        { table: "STG_MON_CustMasterSchedule", status: "FAILED", count: 2 },
        { table: "STG_MON_CustMasterSchedule_Subitems", status: "PENDING", count: 30 },
      ],
      oldestPending: [
        { table: "STG_MON_CustMasterSchedule", oldest },
        { table: "STG_MON_CustMasterSchedule_Subitems", oldest: null },
      ],
      quarantined: [{ customer: "BLUE HARBOR", orders: 3 }],
    };
    const metrics = create({
      events: new SyncEvents(),
      processMetrics: false,
      staging: async () => {
        reads++;
        return snapshot;
      },
    });
    const json = await metrics.registry.getMetricsAsJSON();
    expect(reads).toBe(1);
    const values = (name: string) =>
      (json.find((m) => m.name === name)!.values as { value: number; labels: Labels }[]).map(
        (v): Labels & { value: number } => ({ ...v.labels, value: v.value }),
      );
    expect(values("staging_rows")).toEqual(
      expect.arrayContaining([
        { table: "STG_MON_CustMasterSchedule", status: "PENDING", value: 7 },
        { table: "STG_MON_CustMasterSchedule", status: "FAILED", value: 2 },
        { table: "STG_MON_CustMasterSchedule_Subitems", status: "PENDING", value: 30 },
      ]),
    );
    // Every state of every table is reported, 0 when it has no rows.
    expect(values("staging_rows")).toHaveLength(2 * STAGED_STATUSES.length);
    for (const status of STAGED_STATUSES.filter((x) => x !== "PENDING"))
      expect(
        await sample(metrics, "staging_rows", { table: "STG_MON_CustMasterSchedule_Subitems", status }),
        status,
      ).toBe(0);
    expect(values("order_sync_quarantined_orders")).toEqual([{ customer: "BLUE HARBOR", value: 3 }]);
    expect(values("staging_table_rows")).toEqual(
      expect.arrayContaining([
        { table: "STG_MON_CustMasterSchedule", value: 9 },
        { table: "STG_MON_CustMasterSchedule_Subitems", value: 30 },
      ]),
    );
    const ages = values("staging_oldest_pending_age_seconds");
    const age = ages.find((a) => a.table === "STG_MON_CustMasterSchedule")!.value;
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(120);
    expect(ages.find((a) => a.table === "STG_MON_CustMasterSchedule_Subitems")!.value).toBe(0);

    // The next scrape reads again; states whose rows went away drop to 0.
    await new Promise((r) => setTimeout(r, 5));
    snapshot = {
      rows: [{ table: "STG_MON_CustMasterSchedule", status: "DONE", count: 1 }],
      oldestPending: [
        { table: "STG_MON_CustMasterSchedule", oldest: null },
        { table: "STG_MON_CustMasterSchedule_Subitems", oldest: null },
      ],
    };
    expect(
      await sample(metrics, "staging_rows", { table: "STG_MON_CustMasterSchedule", status: "DONE" }),
    ).toBe(1);
    expect(reads).toBe(2);
    expect(
      await sample(metrics, "staging_rows", { table: "STG_MON_CustMasterSchedule", status: "PENDING" }),
    ).toBe(0);
    expect(await sample(metrics, "staging_table_rows", { table: "STG_MON_CustMasterSchedule" })).toBe(1);
    expect(
      await sample(metrics, "staging_table_rows", { table: "STG_MON_CustMasterSchedule_Subitems" }),
    ).toBe(0);
    expect(
      await sample(metrics, "staging_oldest_pending_age_seconds", { table: "STG_MON_CustMasterSchedule" }),
    ).toBe(0);
  });

  it("a failing staging callback does not break the scrape", async () => {
    const metrics = create({
      events: new SyncEvents(),
      processMetrics: false,
      staging: () => Promise.reject(new Error("database is down")),
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain("order_sync_runs_total");
  });

  it("setHealth records each check as 1 or 0", async () => {
    const metrics = create({ events: new SyncEvents(), processMetrics: false });
    metrics.setHealth("database", true);
    metrics.setHealth("monday_api", false);
    expect(await sample(metrics, "order_sync_health_check", { check: "database" })).toBe(1);
    expect(await sample(metrics, "order_sync_health_check", { check: "monday_api" })).toBe(0);
    metrics.setHealth("monday_api", true);
    expect(await sample(metrics, "order_sync_health_check", { check: "monday_api" })).toBe(1);
  });

  it("close() stops listening to the events and the monday source", async () => {
    const events = new SyncEvents();
    const monday = fakeMonday();
    const metrics = create({ events, monday: monday.port, processMetrics: false });
    const listenersBefore = events.eventNames().reduce((n, e) => n + events.listenerCount(e), 0);
    expect(listenersBefore).toBeGreaterThan(0);
    metrics.close();
    expect(events.eventNames().reduce((n, e) => n + events.listenerCount(e), 0)).toBe(0);
    expect(monday.observers.size).toBe(0);

    events.emit("runStarted", { batchId: "b", customers: ["X"] });
    events.emit("customerDone", {
      batchId: "b",
      customer: "X",
      ok: true,
      durationMs: 5,
      counts: counts({ created: 3 }),
    });
    events.emit("runDone", { batchId: "b", status: "SUCCESS", durationMs: 5, exitCode: 0 });
    monday.emit("request", {
      operation: "CreateItem",
      outcome: "ok",
      httpStatus: 200,
      durationMs: 1,
      rateLimited: true,
    });
    monday.emit("retry", { errorClass: "ServerError", delayMs: 1 });
    expect(await sample(metrics, "order_sync_sync_in_progress")).toBe(0);
    expect(await sample(metrics, "order_sync_runs_total", { status: "SUCCESS" })).toBe(0);
    expect(
      await sample(metrics, "staging_orders_processed_total", { customer: "X", status: "created" }),
    ).toBeUndefined();
    expect(
      await sample(metrics, "monday_api_calls_total", { operation: "CreateItem", status: "ok" }),
    ).toBeUndefined();
    expect(await sample(metrics, "monday_rate_limited_total")).toBe(0);
    expect(await sample(metrics, "monday_retries_total", { error_class: "ServerError" })).toBeUndefined();
  });
});
