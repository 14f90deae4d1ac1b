// The serve HTTP app through app.request (no port): health, metrics, readiness, the sync API with its
// auth, validation and 409 while running, and the run log. A real database, real HealthChecker and
// metrics, the emulator over HTTP, and a real SyncScheduler whose `run` the test controls.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { mondayFor } from "../../src/app.js";
import { createHttpApp } from "../../src/http/index.js";
import { createMetrics, HealthChecker, type SyncMetrics } from "../../src/observe/index.js";
import { SyncEvents, SyncScheduler, type RunOptions, type SyncSummary } from "../../src/sync/index.js";
import { testDatabases } from "../helpers/databases.js";
import { syncEnv, type SyncEnv } from "../helpers/sync-env.js";

const TOKEN = "s3cret-token";
const CUSTOMERS = ["NORTHWIND APPAREL", "BLUE HARBOR", "KESTREL OUTDOOR"];

const sqlite = (await testDatabases()).find((d) => d.name === "sqlite")!;

interface Pending {
  options: RunOptions;
  resolve(s: SyncSummary): void;
  reject(e: unknown): void;
}

const summaryOf = (batchId: string): SyncSummary =>
  ({
    batchId,
    status: "SUCCESS",
    exitCode: 0,
    counts: { created: 3 },
    apiRequests: 2,
    durationMs: 10,
    customers: [],
    failures: [],
    validation: {
      issues: 0,
      bySeverity: {},
      quarantinedOrders: 0,
      haltedCustomers: [],
      files: { json: "v.json", html: "v.html" },
      report: { big: "report" },
    },
  }) as unknown as SyncSummary;

describe("createHttpApp", () => {
  let db: Db;
  let env: SyncEnv;
  let events: SyncEvents;
  let metrics: SyncMetrics;
  let scheduler: SyncScheduler;
  let shuttingDown = false;
  const pending: Pending[] = [];
  const run = vi.fn(
    (options: RunOptions) =>
      new Promise<SyncSummary>((resolve, reject) => {
        pending.push({ options, resolve, reject });
      }),
  );
  let app: ReturnType<typeof createHttpApp>;
  let openApp: ReturnType<typeof createHttpApp>;
  let deps: Parameters<typeof createHttpApp>[0];

  /** Settles the run in progress (if any) and lets the scheduler record it. */
  const finishRun = async (fail?: Error) => {
    const p = pending.shift();
    if (!p) return;
    if (fail) p.reject(fail);
    else p.resolve(summaryOf(p.options.batchId ?? "?"));
    await new Promise((r) => setTimeout(r, 0));
  };
  const post = (
    body: string | undefined,
    headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` },
  ) =>
    app.request("/api/sync", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body,
    });

  beforeAll(async () => {
    db = await sqlite.open();
    await migrateToLatest(db);
    env = await syncEnv(db);
    const monday = mondayFor(env.settings);
    events = new SyncEvents();
    metrics = createMetrics({ events, monday, processMetrics: false });
    const health = new HealthChecker(
      { db, monday, onResult: metrics.setHealth },
      { pendingMaxAgeHours: 24, lastBatchMaxAgeMinutes: 60, mondayCheckCacheSeconds: 0 },
    );
    scheduler = new SyncScheduler({ kind: "interval", seconds: 3600, runOnStart: false }, { run });
    scheduler.start();
    deps = { db, metrics, health, scheduler, customers: CUSTOMERS, shuttingDown: () => shuttingDown };
    app = createHttpApp({ ...deps, apiToken: TOKEN });
    openApp = createHttpApp(deps);
  });
  beforeEach(async () => {
    while (pending.length) await finishRun();
    run.mockClear();
    shuttingDown = false;
    await db.kysely.deleteFrom("MON_SyncRuns").execute();
  });
  afterAll(async () => {
    while (pending.length) await finishRun();
    await scheduler?.stop(1000);
    metrics?.close();
    await env?.close();
    await db?.close();
  });

  it("GET /health answers 200 with every check when healthy, 503 when one fails", async () => {
    const res = await app.request("/health");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      status: "healthy",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      checks: {
        database: expect.objectContaining({ healthy: true, message: "OK" }),
        monday_api: expect.objectContaining({ healthy: true, message: "OK" }),
        staging_tables: expect.objectContaining({ healthy: true, old_pending_records: 0 }),
        last_batch: expect.objectContaining({ healthy: true }),
        board_drift: expect.objectContaining({ healthy: true, message: "OK" }),
      },
    });
    // The result feeds the health gauge.
    expect(await metrics.registry.getSingleMetricAsString("order_sync_health_check")).toContain(
      'order_sync_health_check{check="database"} 1',
    );

    await db.kysely
      .insertInto("MON_SyncRuns")
      .values({
        batch_id: "b-failed",
        started_at: new Date(Date.now() - 60_000).toISOString(),
        finished_at: new Date().toISOString(),
        status: "FAILED",
        customers: "[]",
        counts: null,
        api_requests: 0,
        error: "monday.com unreachable",
        command: "serve",
      })
      .execute();
    const bad = await app.request("/health");
    expect(bad.status).toBe(503);
    const badBody = (await bad.json()) as { status: string; checks: Record<string, { healthy: boolean }> };
    expect(badBody.status).toBe("unhealthy");
    expect(Object.keys(badBody.checks).sort()).toEqual([
      "board_drift",
      "database",
      "last_batch",
      "monday_api",
      "staging_tables",
    ]);
    expect(badBody.checks.last_batch).toMatchObject({ healthy: false, batch_status: "FAILED" });
    expect(badBody.checks.database!.healthy).toBe(true);
    expect(await metrics.registry.getSingleMetricAsString("order_sync_health_check")).toContain(
      'order_sync_health_check{check="last_batch"} 0',
    );
  });

  it("GET /metrics serves the Prometheus text format", async () => {
    events.emit("runStarted", { batchId: "m1", customers: ["BLUE HARBOR"] });
    events.emit("runDone", { batchId: "m1", status: "SUCCESS", durationMs: 1200, exitCode: 0 });
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    const type = res.headers.get("content-type") ?? "";
    expect(type).toMatch(/^text\/plain/);
    expect(type).toContain("version=0.0.4");
    const text = await res.text();
    expect(text).toContain("# TYPE order_sync_runs_total counter");
    expect(text).toMatch(/^order_sync_runs_total\{status="SUCCESS"\} [1-9]/m);
    expect(text).toContain("order_sync_sync_in_progress 0");
    // No auth on /metrics, even with an API token configured.
    expect((await openApp.request("/metrics")).status).toBe(200);
  });

  it("GET /health/live is 200; /health/ready is 200 until shutting down, then 503", async () => {
    const live = await app.request("/health/live");
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({
      status: "alive",
      pid: process.pid,
      uptimeSeconds: expect.any(Number),
    });

    const ready = await app.request("/health/ready");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ready",
      checks: { database: { healthy: true, message: "OK" } },
    });

    shuttingDown = true;
    const notReady = await app.request("/health/ready");
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: "not ready" });
    // Liveness does not depend on it.
    expect((await app.request("/health/live")).status).toBe(200);
  });

  it("POST /api/sync needs the bearer token when one is configured", async () => {
    const none = await post("{}", {});
    expect(none.status).toBe(401);
    const wrong = await post("{}", { Authorization: "Bearer not-the-token" });
    expect(wrong.status).toBe(401);
    expect((await app.request("/api/runs", { headers: { Authorization: "Bearer nope" } })).status).toBe(401);
    expect(run).not.toHaveBeenCalled();

    const ok = await post("{}");
    expect(ok.status).toBe(202);
    const body = (await ok.json()) as { batchId: string; status: string; trigger: string };
    expect(body).toMatchObject({ status: "started", trigger: "api", batchId: expect.any(String) });
    expect(run).toHaveBeenCalledTimes(1);
    expect(pending[0]!.options).toMatchObject({ batchId: body.batchId, command: "serve:api" });
    expect(pending[0]!.options.customers).toBeUndefined();
  });

  it("POST /api/sync answers 409 while a run is in progress, and starts the next once it is done", async () => {
    const first = await post(JSON.stringify({ customers: ["BLUE HARBOR"] }));
    expect(first.status).toBe(202);
    const { batchId } = (await first.json()) as { batchId: string };
    expect(pending[0]!.options.customers).toEqual(["BLUE HARBOR"]);

    const busy = await post("{}");
    expect(busy.status).toBe(409);
    expect(await busy.json()).toMatchObject({
      error: expect.stringMatching(/already running/),
      running: { batchId, trigger: "api", customers: ["BLUE HARBOR"] },
    });
    expect(run).toHaveBeenCalledTimes(1);

    const status = await app.request("/api/sync", { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      running: { batchId },
      schedule: { kind: "interval", seconds: 3600 },
    });

    await finishRun();
    const done = (await (
      await app.request("/api/sync", { headers: { Authorization: `Bearer ${TOKEN}` } })
    ).json()) as Record<string, unknown>;
    expect(done.running).toBeNull();
    expect(done.lastFinished).toMatchObject({
      batchId,
      status: "SUCCESS",
      exitCode: 0,
      counts: { created: 3 },
    });

    const again = await post("");
    expect(again.status).toBe(202);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("POST /api/sync?wait=true answers with the run's summary (without the full report), 500 if it throws", async () => {
    const url = "/api/sync?wait=true";
    const headers = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };
    let answered = false;
    const waited = Promise.resolve(app.request(url, { method: "POST", headers, body: "{}" })).finally(
      () => (answered = true),
    );
    await vi.waitFor(() => expect(pending).toHaveLength(1));
    const batchId = pending[0]!.options.batchId;
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toBe(false); // it waits for the run
    await finishRun();
    const ok = await waited;
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown> & { validation: Record<string, unknown> };
    expect(body).toMatchObject({ batchId, status: "SUCCESS", exitCode: 0, trigger: "api" });
    expect(body.validation).toMatchObject({ issues: 0, files: { json: "v.json" } });
    expect(body.validation.report).toBeUndefined();

    const failing = app.request(url, { method: "POST", headers, body: "{}" });
    await vi.waitFor(() => expect(pending).toHaveLength(1));
    await finishRun(new Error("the source table is gone"));
    const failed = await failing;
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ status: "FAILED", error: "the source table is gone" });
  });

  it("POST /api/sync refuses malformed bodies with 400 and starts nothing", async () => {
    const cases: [string, RegExp][] = [
      ["{not json", /must be JSON/],
      [JSON.stringify({ customers: ["BLUE HARBOR", "NOPE INC"] }), /unknown customer "NOPE INC"/],
      [JSON.stringify({ customer: ["BLUE HARBOR"] }), /customer/],
      [JSON.stringify({ customers: "BLUE HARBOR" }), /customers/],
      [JSON.stringify({ customers: [""] }), /customers/],
      ["[]", /body/],
      ["null", /body/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
      const json = (await res.json()) as { error: string; known?: string[] };
      expect(json.error, body).toMatch(message);
    }
    const huge = await post(
      JSON.stringify({ customers: Array.from({ length: 900 }, () => "X".repeat(100)) }),
    );
    expect(huge.status).toBe(413);
    const unknown = (await (await post(JSON.stringify({ customers: ["NOPE INC"] }))).json()) as {
      known: string[];
    };
    expect(unknown.known).toEqual(CUSTOMERS);
    const extra = (await (await post(JSON.stringify({ customers: [], force: true }))).json()) as {
      error: string;
    };
    expect(extra.error).toContain("force");
    expect(run).not.toHaveBeenCalled();
  });

  it("without a token the API is loopback only: 403 naming ORDER_SYNC_API_TOKEN otherwise", async () => {
    const res = await openApp.request("/api/sync", { method: "POST", body: "{}" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toContain("ORDER_SYNC_API_TOKEN");
    expect((await openApp.request("/api/runs")).status).toBe(403);
    const remote = {
      incoming: { socket: { remoteAddress: "10.1.2.3", remotePort: 5000, remoteFamily: "IPv4" } },
    };
    expect((await openApp.request("/api/runs", {}, remote)).status).toBe(403);
    expect(run).not.toHaveBeenCalled();

    for (const address of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
      const local = {
        incoming: { socket: { remoteAddress: address, remotePort: 5000, remoteFamily: "IPv4" } },
      };
      expect((await openApp.request("/api/runs", {}, local)).status, address).toBe(200);
    }
    const local = {
      incoming: { socket: { remoteAddress: "127.0.0.1", remotePort: 5000, remoteFamily: "IPv4" } },
    };
    const started = await openApp.request(
      "/api/sync",
      { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } },
      local,
    );
    expect(started.status).toBe(202);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("loopback only refuses what a browser page can send: cross-origin, text/plain, another Host", async () => {
    const local = {
      incoming: { socket: { remoteAddress: "127.0.0.1", remotePort: 5000, remoteFamily: "IPv4" } },
    };
    const json = { "Content-Type": "application/json" };
    const refused: [Record<string, string>, number, RegExp][] = [
      // A form or fetch(no-cors) from a page: text/plain needs no preflight.
      [{ "Content-Type": "text/plain;charset=UTF-8" }, 415, /application\/json/],
      [{ "Content-Type": "application/x-www-form-urlencoded" }, 415, /application\/json/],
      [{ ...json, Origin: "https://evil.example" }, 403, /another origin/],
      [{ ...json, "Sec-Fetch-Site": "cross-site" }, 403, /cross-site/],
      // DNS rebinding: the page's own name now resolves to 127.0.0.1.
      [{ ...json, Host: "evil.example:8080" }, 403, /Host header "evil\.example"/],
    ];
    for (const [headers, status, message] of refused) {
      const res = await openApp.request("/api/sync", { method: "POST", body: "{}", headers }, local);
      expect(res.status, JSON.stringify(headers)).toBe(status);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
    const rebound = await openApp.request("/api/runs", { headers: { Host: "evil.example" } }, local);
    expect(rebound.status).toBe(403);
    expect(run).not.toHaveBeenCalled();
    for (const headers of [
      { ...json, Host: "127.0.0.1:8080", "Sec-Fetch-Site": "same-origin" },
      { ...json, Host: "localhost:8080" },
      { Host: "[::1]:8080" },
    ]) {
      const res = await openApp.request("/api/sync", { method: "POST", headers }, local);
      expect(res.status, JSON.stringify(headers)).toBe(202);
      await finishRun();
    }
    const bound = createHttpApp({ ...deps, host: "orders-box.internal" });
    expect(
      (await bound.request("/api/runs", { headers: { Host: "orders-box.internal:8080" } }, local)).status,
    ).toBe(200);
  });

  it("a token with spaces or # authenticates; a wrong one gets 401 with a message; 413 says why", async () => {
    const odd = "two words # and more";
    const oddApp = createHttpApp({ ...deps, apiToken: odd });
    expect((await oddApp.request("/api/runs", { headers: { Authorization: `Bearer ${odd}` } })).status).toBe(
      200,
    );
    for (const header of ["Bearer two words", "Bearer two words # and", "Basic abc", ""]) {
      const res = await oddApp.request("/api/runs", { headers: { Authorization: header } });
      expect(res.status, header).toBe(401);
      expect(((await res.json()) as { error: string }).error).toMatch(/Bearer token is required/);
    }
    const huge = await post(
      JSON.stringify({ customers: Array.from({ length: 900 }, () => "X".repeat(100)) }),
    );
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toMatch(/over 64 KiB/);
  });

  it("GET /api/runs lists the run log, newest first, with a limit", async () => {
    for (let i = 1; i <= 3; i++)
      await db.kysely
        .insertInto("MON_SyncRuns")
        .values({
          batch_id: `run-${i}`,
          started_at: new Date(Date.now() - (10 - i) * 60_000).toISOString(),
          finished_at: new Date(Date.now() - (9 - i) * 60_000).toISOString(),
          status: i === 2 ? "PARTIAL" : "SUCCESS",
          customers: JSON.stringify(["BLUE HARBOR"]),
          counts: JSON.stringify({ created: i }),
          api_requests: i,
          error: null,
          command: "serve",
        })
        .execute();
    const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
    const res = await app.request("/api/runs", auth);
    expect(res.status).toBe(200);
    const { runs } = (await res.json()) as { runs: { batch_id: string; status: string }[] };
    expect(runs.map((r) => r.batch_id)).toEqual(["run-3", "run-2", "run-1"]);
    expect(runs[1]).toMatchObject({ status: "PARTIAL", api_requests: 2, command: "serve" });
    // counts and customers are JSON values, not JSON text inside JSON (issue 13).
    expect(runs[1]).toMatchObject({ counts: { created: 2 }, customers: ["BLUE HARBOR"] });
    const limited = (await (await app.request("/api/runs?limit=2", auth)).json()) as { runs: unknown[] };
    expect(limited.runs).toHaveLength(2);
    const junk = (await (await app.request("/api/runs?limit=abc", auth)).json()) as { runs: unknown[] };
    expect(junk.runs).toHaveLength(3);
  });

  it("answers an unknown route with a 404 JSON error", async () => {
    const res = await app.request("/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ error: "no route GET /nope" });
    expect((await app.request("/health", { method: "DELETE" })).status).toBe(404);
  });

  it("POST /api/sync answers 503 once the scheduler is stopping", async () => {
    const started = await post("{}");
    expect(started.status).toBe(202);
    const stopping = scheduler.stop(5000);
    expect(pending[0]!.options.signal?.aborted).toBe(true);
    const res = await post("{}");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: expect.stringMatching(/shutting down/) });
    await finishRun();
    expect(await stopping).toMatchObject({ timedOut: false });
  });
});
