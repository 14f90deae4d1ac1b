import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings, type Settings } from "../../src/config/index.js";
import { openDatabase, type Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { METRIC_CATALOG } from "../../src/observe/index.js";
import { runCli } from "../helpers/cli.js";
import { createServerDatabase, testDatabases, type TestDatabase } from "../helpers/databases.js";
import {
  editConfigFile,
  getJson,
  parseMetrics,
  startServe,
  startTcpProxy,
  sumOf,
  type ServeProcess,
  type TcpProxy,
} from "../helpers/serve.js";
import { stagedOrderRow } from "../helpers/sync-env.js";

const ORDERS = 400;
const API_TOKEN = "serve-test-api-token-7f3a";
const MONDAY_TOKEN = "serve-test-monday-token-91bc";

interface Setup {
  settings: Settings;
  /** A direct connection (not through the proxy) for the test's own reads and writes. */
  db: Db;
  emulator: Emulator;
  serve: ServeProcess;
  proxy?: TcpProxy;
  close(): Promise<void>;
}

/** A config and database for `serve`: SQLite from `init`, or a fresh PostgreSQL schema behind a TCP proxy. */
async function setUp(engine: TestDatabase["name"]): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), `order-sync-serve-${engine}-`));
  expect(
    (await runCli(["init", "--dir", dir, "--orders", String(engine === "sqlite" ? ORDERS : 1)])).code,
  ).toBe(0);
  const config = join(dir, "order-sync.yaml");
  editConfigFile(config, (raw) => {
    // Runs only when the test asks; every /health looks at monday afresh.
    raw.serve = {
      schedule: { intervalSeconds: 3600, runOnStart: false },
      health: { pendingMaxAgeHours: 24, mondayCheckCacheSeconds: 0 },
      shutdownGraceSeconds: 30,
    };
  });
  const env: Record<string, string> = { MONDAY_API_TOKEN: MONDAY_TOKEN, ORDER_SYNC_API_TOKEN: API_TOKEN };
  let proxy: TcpProxy | undefined;
  let dropSchema = async (): Promise<void> => undefined;
  let directUrl: string | undefined;
  if (engine !== "sqlite") {
    const created = await createServerDatabase(engine, "os_serve");
    dropSchema = created.drop;
    directUrl = created.url;
    // The server reaches its database through a proxy the test can cut, as a stopped database would look.
    const direct = new URL(created.url);
    proxy = await startTcpProxy({ host: direct.hostname, port: created.port });
    const viaProxy = new URL(created.url);
    viaProxy.port = String(proxy.port);
    env.ORDER_SYNC_DB_URL = viaProxy.toString();
  }
  const settings = loadSettings(config, directUrl ? { ORDER_SYNC_DB_URL: directUrl } : {});
  const db = await openDatabase(settings.db);
  if (engine !== "sqlite") {
    await createOrdersTable(db);
    await writeDemoOrders(db, { count: ORDERS, seed: 42 });
  }
  const emulator = await startEmulator({ port: 0, boards: emulatorBoards(settings.config) });
  env.MONDAY_API_URL = emulator.url;
  const serve = await startServe(config, env, ["--log-level", "debug"]);
  return {
    settings,
    db,
    emulator,
    serve,
    ...(proxy ? { proxy } : {}),
    close: async () => {
      if (serve.child.exitCode === null) serve.child.kill("SIGKILL");
      await emulator.close().catch(() => undefined);
      await proxy?.close();
      await db.close();
      await dropSchema();
    },
  };
}

async function postSync(url: string, token: string | undefined, body?: unknown) {
  const res = await fetch(`${url}/api/sync?wait=true`, {
    method: "POST",
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      "Content-Type": "application/json",
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface Summary {
  batchId: string;
  status: string;
  apiRequests: number;
  counts: Record<string, number>;
  customers: { customer: string; counts: Record<string, number> }[];
}

const STAGED_ROW = (key: string, created: string) =>
  stagedOrderRow({
    batch_id: "old-batch",
    order_key: key,
    item_name: key,
    stg_created_date: created,
    stg_updated_date: created,
  });

for (const target of await testDatabases()) {
  describe.skipIf(!target.available)(`order-sync serve on ${target.name}`, () => {
    let s: Setup;
    beforeAll(async () => {
      s = await setUp(target.name);
    }, 120_000);
    afterAll(async () => {
      await s?.close();
    });

    it("is healthy before any run, and refuses API calls without the token", async () => {
      const health = await getJson(`${s.serve.url}/health`);
      expect(health.status).toBe(200);
      expect(health.body.status).toBe("healthy");
      const checks = health.body.checks as Record<string, { healthy: boolean; message: string }>;
      expect(Object.keys(checks).sort()).toEqual([
        "board_drift",
        "database",
        "last_batch",
        "monday_api",
        "staging_tables",
      ]);
      expect(checks.last_batch?.message).toBe("no run has finished yet");
      expect((await getJson(`${s.serve.url}/health/live`)).status).toBe(200);
      expect((await getJson(`${s.serve.url}/health/ready`)).status).toBe(200);
      expect((await postSync(s.serve.url, undefined)).status).toBe(401);
      expect((await postSync(s.serve.url, "wrong")).status).toBe(401);
      const bad = await postSync(s.serve.url, API_TOKEN, { customers: ["NO SUCH CUSTOMER"] });
      expect(bad.status).toBe(400);
      expect(String(bad.body.error)).toContain('"NO SUCH CUSTOMER"');
    });

    it("syncs on POST /api/sync, and /metrics shows the counts the sync reported", async () => {
      const writesBefore = s.emulator.log.writeRequests;
      const res = await postSync(s.serve.url, API_TOKEN);
      expect(res.status).toBe(200);
      const summary = res.body as unknown as Summary;
      expect(summary.status).toBe("SUCCESS");
      expect(summary.counts.created).toBeGreaterThan(ORDERS * 0.9);
      const text = await (await fetch(`${s.serve.url}/metrics`)).text();
      const metrics = parseMetrics(text);
      // Every catalog metric is exported, with its type.
      for (const [name, spec] of Object.entries(METRIC_CATALOG))
        expect(text, name).toContain(`# TYPE ${name} ${spec.type}\n`);
      for (const status of ["created", "updated", "archived", "unchanged", "failed", "dead", "quarantined"])
        expect(sumOf(metrics, "staging_orders_processed_total", { status }), status).toBe(
          summary.counts[status],
        );
      for (const c of summary.customers)
        expect(
          sumOf(metrics, "staging_orders_processed_total", { customer: c.customer, status: "created" }),
        ).toBe(c.counts.created);
      // Requests as the emulator saw them: every write request is one `Batch` call in the metrics.
      expect(
        sumOf(metrics, "monday_api_calls_total", { operation: "Batch", status: "ok" }) +
          sumOf(metrics, "monday_api_calls_total", { operation: "CreateGroup", status: "ok" }),
      ).toBe(s.emulator.log.writeRequests - writesBefore);
      // The health checks' own requests do not count as sync requests; all others do.
      const syncCalls =
        sumOf(metrics, "monday_api_calls_total") -
        sumOf(metrics, "monday_api_calls_total", { operation: "GetComplexity" });
      expect(syncCalls).toBe(summary.apiRequests);
      expect(sumOf(metrics, "order_sync_runs_total", { status: "SUCCESS" })).toBe(1);
      expect(sumOf(metrics, "order_sync_run_duration_seconds_count")).toBe(1);
      expect(sumOf(metrics, "monday_rate_limited_total")).toBe(0);
      expect(sumOf(metrics, "monday_circuit_breaker_state")).toBe(0);
      expect(sumOf(metrics, "staging_table_rows")).toBe(0);
      expect(sumOf(metrics, "order_sync_sync_in_progress")).toBe(0);
      for (const c of summary.customers) {
        const ts = sumOf(metrics, "order_sync_last_success_timestamp_seconds", { customer: c.customer });
        expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(120);
        expect(
          sumOf(metrics, "staging_processing_seconds_count", { customer: c.customer, operation: "push" }),
        ).toBe(1);
      }
      // A second run finds nothing to do; the counters add up.
      const again = (await postSync(s.serve.url, API_TOKEN)).body as unknown as Summary;
      expect((again.counts.created ?? 0) + (again.counts.updated ?? 0)).toBe(0);
      const after = parseMetrics(await (await fetch(`${s.serve.url}/metrics`)).text());
      expect(sumOf(after, "order_sync_runs_total", { status: "SUCCESS" })).toBe(2);
      expect(sumOf(after, "staging_orders_processed_total", { status: "unchanged" })).toBe(
        again.counts.unchanged,
      );
      // The logs are JSON lines carrying the batch and customer ids, and never a token.
      const lines = s.serve
        .logs()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.some((l) => l.batchId === summary.batchId && typeof l.customer === "string")).toBe(true);
      expect(s.serve.logs()).not.toContain(MONDAY_TOKEN);
      expect(s.serve.logs()).not.toContain(API_TOKEN);
    });

    it("turns unhealthy, saying why, while the monday.com API is down, and healthy when it is back", async () => {
      const port = Number(new URL(s.emulator.url).port);
      await s.emulator.close();
      const down = await getJson(`${s.serve.url}/health`);
      expect(down.status).toBe(503);
      expect(down.body.status).toBe("unhealthy");
      const checks = down.body.checks as Record<string, { healthy: boolean; message: string }>;
      expect(checks.monday_api?.healthy).toBe(false);
      expect(checks.monday_api?.message).toMatch(/monday\.com/);
      expect(checks.database?.healthy).toBe(true);
      s.emulator = await startEmulator({ port, boards: emulatorBoards(s.settings.config) });
      const up = await getJson(`${s.serve.url}/health`);
      expect(up.status).toBe(200);
      const metrics = parseMetrics(await (await fetch(`${s.serve.url}/metrics`)).text());
      expect(sumOf(metrics, "order_sync_health_check", { check: "monday_api" })).toBe(1);
    });

    it("turns unhealthy while a PENDING row is older than 24 hours", async () => {
      const old = new Date(Date.now() - 25 * 3_600_000).toISOString();
      await s.db.kysely.insertInto("STG_MON_CustMasterSchedule").values(STAGED_ROW("OLD-1", old)).execute();
      const fresh = new Date().toISOString();
      await s.db.kysely.insertInto("STG_MON_CustMasterSchedule").values(STAGED_ROW("NEW-1", fresh)).execute();
      const bad = await getJson(`${s.serve.url}/health`);
      expect(bad.status).toBe(503);
      const checks = bad.body.checks as Record<string, Record<string, unknown>>;
      expect(checks.staging_tables).toMatchObject({
        healthy: false,
        old_pending_records: 1,
        message: "1 records pending >24 hours",
      });
      const metrics = parseMetrics(await (await fetch(`${s.serve.url}/metrics`)).text());
      expect(
        sumOf(metrics, "staging_oldest_pending_age_seconds", { table: "STG_MON_CustMasterSchedule" }),
      ).toBeGreaterThan(24 * 3600);
      expect(sumOf(metrics, "staging_rows", { status: "PENDING" })).toBe(2);
      expect(sumOf(metrics, "order_sync_health_check", { check: "staging_tables" })).toBe(0);
      await s.db.kysely
        .deleteFrom("STG_MON_CustMasterSchedule")
        .where("batch_id", "=", "old-batch")
        .execute();
      expect((await getJson(`${s.serve.url}/health`)).status).toBe(200);
    });

    // SQLite has no server to stop; PostgreSQL and MariaDB are reached through a proxy the test cuts.
    if (target.name !== "sqlite")
      it("turns unhealthy while the database is stopped, and healthy when it is back", async () => {
        await s.proxy!.stop();
        const t0 = Date.now();
        const down = await getJson(`${s.serve.url}/health`);
        expect(Date.now() - t0).toBeLessThan(15_000);
        expect(down.status).toBe(503);
        const checks = down.body.checks as Record<string, { healthy: boolean; message: string }>;
        expect(checks.database?.healthy).toBe(false);
        expect(checks.database?.message.length).toBeGreaterThan(0);
        expect(checks.monday_api?.healthy).toBe(true);
        expect((await getJson(`${s.serve.url}/health/ready`)).status).toBe(503);
        await s.proxy!.start();
        let status = 0;
        for (let i = 0; i < 20 && status !== 200; i++) {
          status = (await getJson(`${s.serve.url}/health`)).status;
          if (status !== 200) await new Promise((r) => setTimeout(r, 250));
        }
        expect(status).toBe(200);
        // And it syncs again.
        const res = await postSync(s.serve.url, API_TOKEN);
        expect((res.body as unknown as Summary).status).toBe("SUCCESS");
      }, 60_000);

    it("exits 0 on SIGTERM", async () => {
      if (s.serve.child.exitCode !== null) console.log(s.serve.logs().slice(-3000));
      s.serve.child.kill("SIGTERM");
      expect(await s.serve.exited).toBe(0);
      expect(s.serve.logs()).toContain("order-sync serve stopped");
    });
  });
}
