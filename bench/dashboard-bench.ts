/**
 * `npm run bench:dashboard [-- --orders N] [--db sqlite|postgres] [--rounds K] [--file path.db] [--json]`
 *
 * How fast the dashboard answers with N orders in the database: seeds N demo orders (multi-row inserts),
 * and in proportion runs (one per 1,000 orders), change log rows (one per order), FAILED / DEAD staged
 * rows and quarantine findings (one per 200 orders each), and the two-way records (status history, board
 * edits, inbox: test/helpers/two-way-data.ts). Then it starts serve's HTTP app (createHttpApp) on a
 * loopback port and requests every page and analytics endpoint K times over HTTP, printing the first
 * (cold) request and p50 / p95 of the K (default 20) per page; the analytics index README advises is
 * created first. Cold is truly cold: that app does not warm its analytics. Then a second app with serve's
 * warm-up (`analyticsWarm`) is timed until its first round is done, and the analytics pages a visit opens
 * (no parameters) are requested the same way. `--file` keeps a seeded SQLite file for the next run.
 */
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { sql } from "kysely";
import { mondayFor } from "../src/app.js";
import { ANALYTICS_VIEWS } from "../src/analytics/index.js";
import { migrateToLatest, openDatabase, type Db, type NewChangeLogEntry } from "../src/db/index.js";
import { DEMO_CUSTOMERS } from "../src/config/index.js";
import { createOrdersTable, writeDemoOrders } from "../src/demo/index.js";
import { createHttpApp, listen } from "../src/http/index.js";
import { createMetrics, HealthChecker } from "../src/observe/index.js";
import { SyncEvents, SyncScheduler } from "../src/sync/index.js";
import { syncEnv } from "../test/helpers/sync-env.js";
import { writeTwoWayRecords } from "../test/helpers/two-way-data.js";

const { values: args } = parseArgs({
  options: {
    orders: { type: "string", default: "200000" },
    db: { type: "string", default: "sqlite" },
    rounds: { type: "string", default: "20" },
    file: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const ORDERS = Number(args.orders);
const ROUNDS = Number(args.rounds);
const SEED = 42;
const TOKEN = "bench-token";
const say = (line: string) => {
  if (!args.json) process.stdout.write(`${line}\n`);
};
const PG_URL = process.env.ORDER_SYNC_TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/test";

/** A database for the bench: a SQLite file, or a fresh PostgreSQL schema dropped at the end. */
async function openBenchDb(): Promise<{ db: Db; seeded: boolean; drop(): Promise<void> }> {
  if (args.db === "postgres") {
    const schema = `bench_dash_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const url = new URL(PG_URL);
    url.searchParams.set("options", `-c search_path=${schema}`);
    const db = await openDatabase({ dialect: "postgres", url: url.toString() });
    return {
      db,
      seeded: false,
      drop: async () => {
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      },
    };
  }
  const file = args.file ?? join(tmpdir(), `order-sync-dash-bench-${process.pid}.db`);
  const seeded = existsSync(file);
  const db = await openDatabase({ dialect: "sqlite", url: file });
  return { db, seeded, drop: async () => undefined };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Runs and their change log: one run per 1,000 orders, each creating its orders. */
async function seedRuns(db: Db): Promise<void> {
  const runs = Math.max(1, Math.ceil(ORDERS / 1000));
  const t0 = Date.parse("2026-06-01T00:00:00Z");
  for (let r = 0; r < runs; r++) {
    const batchId = `bench-${String(r).padStart(6, "0")}`;
    const started = t0 + r * 600_000;
    const size = Math.min(1000, ORDERS - r * 1000);
    await db.kysely.transaction().execute(async (trx) => {
      await trx
        .insertInto("MON_SyncRuns")
        .values({
          batch_id: batchId,
          started_at: iso(started),
          finished_at: iso(started + 40_000),
          status: "SUCCESS",
          customers: JSON.stringify(DEMO_CUSTOMERS.map((c) => c.name)),
          counts: JSON.stringify({
            created: size,
            updated: 0,
            archived: 0,
            failed: 0,
            monday: { budgetWaits: 0 },
          }),
          api_requests: Math.ceil(size / 25),
          error: null,
          command: "sync",
        })
        .execute();
      const changes: NewChangeLogEntry[] = [];
      for (let i = 0; i < size; i++) {
        const n = r * 1000 + i;
        changes.push({
          batch_id: batchId,
          customer: DEMO_CUSTOMERS[n % DEMO_CUSTOMERS.length]!.name,
          order_key: `AAG-${String(n + 1).padStart(7, "0")}`,
          board_id: "5001000001",
          monday_item_id: String(9_000_000_000 + n),
          action: "CREATE",
          before_image: null,
          after_image: JSON.stringify({ status: "Open", qty: 100 + (n % 900) }),
          changed_at: iso(started + i * 30),
        });
      }
      for (let i = 0; i < changes.length; i += 200)
        await trx
          .insertInto("MON_ChangeLog")
          .values(changes.slice(i, i + 200))
          .execute();
    });
  }
}

/** FAILED and DEAD staged rows and quarantine findings: one each per 200 orders. */
async function seedAttention(db: Db): Promise<void> {
  const n = Math.max(1, Math.floor(ORDERS / 200));
  const at = (i: number) => iso(Date.parse("2026-08-01T00:00:00Z") + i * 1000);
  await db.kysely.transaction().execute(async (trx) => {
    for (let start = 0; start < n; start += 100) {
      const idx = Array.from({ length: Math.min(100, n - start) }, (_, j) => start + j);
      await trx
        .insertInto("STG_MON_CustMasterSchedule")
        .values(
          idx.map((i) => ({
            batch_id: "bench-000000",
            customer: DEMO_CUSTOMERS[i % DEMO_CUSTOMERS.length]!.name,
            order_key: `AAG-${String(i * 200 + 1).padStart(7, "0")}`,
            board_id: "5001000001",
            action: "UPDATE" as const,
            stg_status: i % 2 ? ("DEAD" as const) : ("FAILED" as const),
            item_name: null,
            group_title: null,
            column_values: "{}",
            changed_columns: "[]",
            new_hash: "h",
            new_values: "{}",
            monday_item_id: null,
            last_error: `ColumnValueException: label ${i % 7} does not exist`,
            stg_created_date: at(i),
            stg_updated_date: at(i),
          })),
        )
        .execute();
      await trx
        .insertInto("MON_Quarantine")
        .values(
          idx.map((i) => ({
            customer: DEMO_CUSTOMERS[i % DEMO_CUSTOMERS.length]!.name,
            order_key: `AAG-${String(i * 200 + 101).padStart(7, "0")}`,
            rule: "qty-matches-sizes",
            severity: "ERROR" as const,
            column_name: "ORDER QTY",
            value: String(i),
            message: "ORDER QTY differs from the sum of the sizes",
            batch_id: "bench-000000",
            first_seen: at(i),
            last_seen: at(i),
          })),
        )
        .execute();
    }
  });
}

/**
 * The index README advises for a large orders table: the analytics' columns, so the engine reads the
 * index instead of the table's rows (on-time and WIP group by its leading columns).
 */
async function analyticsIndex(db: Db): Promise<void> {
  const cols = ["CUSTOMER", "SEASON", "ORDER STATUS", "EX FACTORY DATE", "DELIVERY DATE", "ORDER QTY"];
  await sql`create index if not exists ${sql.id("IX_ORDERS_UNIFIED_analytics")} on ${sql.table("ORDERS_UNIFIED")}
    (${sql.join([...cols, "AAG ORDER NUMBER"].map((c) => sql.id(c)))})`.execute(db.kysely);
  await sql`analyze`.execute(db.kysely);
}

async function seed(db: Db): Promise<void> {
  const t0 = performance.now();
  await createOrdersTable(db);
  await writeDemoOrders(db, {
    count: ORDERS,
    seed: SEED,
    onProgress: (k) => {
      if (k % 100_000 < 2000) say(`  orders ${k}`);
    },
  });
  await migrateToLatest(db);
  const twoWay = await writeTwoWayRecords(db, { count: ORDERS, seed: SEED });
  await seedRuns(db);
  await seedAttention(db);
  say(
    `seeded ${ORDERS} orders, ${twoWay.history} status changes, ${twoWay.boardChanges} board changes, ` +
      `${twoWay.inbox} inbox events, ${Math.ceil(ORDERS / 1000)} runs, ${ORDERS} change log rows ` +
      `in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** The pages and endpoints the bench requests. */
function paths(): string[] {
  const f = "asOf=2026-09-01";
  return [
    "/",
    "/runs/bench-000100",
    "/customers",
    "/attention",
    "/attention?q=label%203",
    "/two-way",
    "/two-way?kind=CONFLICT&changesOffset=50",
    "/status",
    "/analytics",
    "/api/analytics",
    ...ANALYTICS_VIEWS.flatMap((v) => [
      `/analytics/${v.name}?${f}`,
      `/api/analytics/${v.name}?${f}&customer=BLUE%20HARBOR`,
    ]),
  ];
}

/** The analytics pages as a visit opens them (no parameters): what serve's warm-up computes. */
const defaultPaths = () => ANALYTICS_VIEWS.map((v) => `/analytics/${v.name}`);

async function measure(
  url: string,
  list: string[] = paths(),
): Promise<{ path: string; cold: number; p50: number; p95: number }[]> {
  const out = [];
  for (const path of list) {
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const res = await fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      await res.text();
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
      times.push(performance.now() - t0);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const line = { path, cold: times[0]!, p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
    say(`${path.padEnd(58)} cold ${ms(line.cold)}  p50 ${ms(line.p50)}  p95 ${ms(line.p95)}`);
    out.push(line);
  }
  return out;
}

const ms = (v: number) => `${v.toFixed(0).padStart(6)} ms`;

async function main(): Promise<void> {
  const { db, seeded, drop } = await openBenchDb();
  try {
    if (seeded) await migrateToLatest(db);
    else await seed(db);
    const t0 = performance.now();
    await analyticsIndex(db);
    say(`migrations and the analytics index in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const env = await syncEnv(db);
    const monday = mondayFor(env.settings);
    const metrics = createMetrics({ events: new SyncEvents(), monday, processMetrics: false });
    const health = new HealthChecker(
      { db, monday },
      { pendingMaxAgeHours: 24, lastBatchMaxAgeMinutes: 60, mondayCheckCacheSeconds: 30 },
    );
    const scheduler = new SyncScheduler(
      { kind: "interval", seconds: 3600, runOnStart: false },
      { run: () => Promise.reject(new Error("no sync in the bench")) },
    );
    const deps = {
      db,
      metrics,
      health,
      scheduler,
      customers: DEMO_CUSTOMERS.map((c) => c.name),
      apiToken: TOKEN,
      shuttingDown: () => false,
    };
    // Truly cold: no warm-up, so each page's first request computes its figures.
    const server = await listen(createHttpApp(deps), { port: 0, host: "127.0.0.1" });
    say(`${db.dialect}, ${ORDERS} orders, ${ROUNDS} requests per page, no warm-up (cold = computed):`);
    const lines = await measure(server.url);
    const worst = Math.max(...lines.map((l) => l.p95));
    say(`worst p95 ${ms(worst)}; worst cold ${ms(Math.max(...lines.map((l) => l.cold)))}`);
    await server.close();
    // serve's warm-up: a new app (an empty cache) that computes each view's default answer at start;
    // its first round is timed, then the pages a visit opens are requested as above.
    let warmed: (s: number) => void = () => undefined;
    const firstRound = new Promise<number>((resolve) => (warmed = resolve));
    const t1 = performance.now();
    const warmServer = await listen(
      createHttpApp({ ...deps, analyticsWarm: true, onAnalyticsWarmed: (s) => warmed(s) }),
      { port: 0, host: "127.0.0.1" },
    );
    const warmSeconds = await firstRound;
    say(
      `serve's warm-up of the ${ANALYTICS_VIEWS.length} default views: ${warmSeconds.toFixed(1)} s ` +
        `(${((performance.now() - t1) / 1000).toFixed(1)} s after start); then:`,
    );
    const warmLines = await measure(warmServer.url, defaultPaths());
    await warmServer.close();
    if (args.json)
      process.stdout.write(
        `${JSON.stringify({ dialect: db.dialect, orders: ORDERS, rounds: ROUNDS, lines, warmSeconds, warmLines })}\n`,
      );
    await scheduler.stop(1000);
    metrics.close();
    await env.close();
  } finally {
    await db.close();
    await drop();
  }
}

await main();
