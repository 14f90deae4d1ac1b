/**
 * `npm run bench [-- --orders N] [--json] [--time-scale X] [--latency MS] [--lane L] [--bulk-rate N[,N...]]
 *   [--bulk-concurrency N]`
 *
 * `--lane mutations|ingest|backfill|all` (issue 18) adds first loads through the bulk lane (`monday.bulk`)
 * at each emulated processing rate of `--bulk-rate` (rows a second, default 100,500,2000: monday does not
 * document its speed), each with requests, complexity, wall time and its ratio to the mutation lane's
 * complexity-budget minimum. `--lane mutations` (the default) runs what the bench always ran.
 * `--bulk-concurrency N` lets the emulated account process at most N jobs at once (default: every job
 * from its upload; monday does not document whether jobs of different boards or groups run side by side).
 *
 * Syncs N new demo orders with their size subitems, then an incremental run with 1% of the orders
 * changed, against the emulator with monday.com's costs, limits and a realistic latency, two ways:
 * (a) order-sync, (b) the naive "Phase 1" way: one mutation per request, one request at a time, every
 * order re-pushed each run (waiting `retry_in_seconds` when it hits a 429). Prints requests, complexity
 * points, 429s received and wall time, and for order-sync the ratio of its wall time to the budget-bound
 * minimum (total complexity ÷ budget per minute, under the same time scale).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sql } from "kysely";
import { parse as parseYaml } from "yaml";
import {
  DEMO_CUSTOMERS,
  parseConfig,
  resolveSettings,
  starterConfig,
  type Config,
  type Settings,
} from "../src/config/index.js";
import { migrateToLatest, openDatabase, type Db } from "../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../src/demo/index.js";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { emulatorBoards } from "../src/cli/emulator-boards.js";
import { wireApp } from "../src/app.js";
import { naiveSync, type NaiveMemory } from "./naive.js";

interface RunFigures {
  requests: number;
  complexity: number;
  rateLimited: number;
  wallSeconds: number;
  writes?: Record<string, number>;
}

const { values: args } = parseArgs({
  options: {
    orders: { type: "string", default: "10000" },
    json: { type: "boolean", default: false },
    "time-scale": { type: "string", default: "30" },
    latency: { type: "string", default: "150" },
    budget: { type: "string", default: "10000000" },
    only: { type: "string" },
    lane: { type: "string", default: "mutations" },
    "bulk-rate": { type: "string", default: "100,500,2000" },
    "bulk-concurrency": { type: "string" },
  },
});
const LANE = args.lane as "mutations" | "ingest" | "backfill" | "all";
if (!["mutations", "ingest", "backfill", "all"].includes(LANE))
  throw new Error(`--lane takes mutations, ingest, backfill or all, not ${args.lane}`);
const BULK_RATES = args["bulk-rate"].split(",").map(Number);
const BULK_CONCURRENCY =
  args["bulk-concurrency"] === undefined ? undefined : Number(args["bulk-concurrency"]);
const ORDERS = Number(args.orders);
const TIME_SCALE = Number(args["time-scale"]);
const LATENCY_MS = Number(args.latency);
const BUDGET = Number(args.budget);
const say = (line: string) => {
  if (!args.json) process.stdout.write(`${line}\n`);
};

/**
 * The starter mapping, with each demo customer split in two (`NAME #0`, `NAME #1`) and every one of the
 * ten on a board of its own: monday caps a board (and a subitems board) at 10,000 items, and 10,000
 * orders carry about 50,000 size subitems.
 */
function benchConfig(bulk: "off" | "ingest" | "backfill" = "off"): Config {
  const raw = parseYaml(starterConfig()) as {
    monday: Record<string, unknown>;
    boards: Record<string, unknown>[];
    customers: { name: string; board: string; group: string }[];
  };
  raw.monday.budgetPerMinute = BUDGET;
  raw.monday.bulk = bulk;
  // The docs' 10-s poll, in emulator time.
  raw.monday.bulkPollSeconds = 10 / TIME_SCALE;
  const template = raw.boards[0]!;
  const customers = DEMO_CUSTOMERS.flatMap((c) => [`${c.name} #0`, `${c.name} #1`]);
  raw.boards = customers.map((name, i) => ({
    ...template,
    id: String(6_000_000_001 + i * 10),
    name: `Master Schedule ${name}`,
    subitems: { ...(template.subitems as object), boardId: String(6_000_000_002 + i * 10) },
  }));
  raw.customers = customers.map((name, i) => ({
    name,
    board: String(6_000_000_001 + i * 10),
    group: "{SEASON}",
  }));
  return parseConfig(raw);
}

/** Spreads the demo orders over the ten bench customers (by the parity of the order number). */
async function splitCustomers(db: Db): Promise<void> {
  await sql`UPDATE "ORDERS_UNIFIED" SET "CUSTOMER" = "CUSTOMER" || ${" #"} || (CAST(substr("AAG ORDER NUMBER", 5, 7) AS INTEGER) % 2)`.execute(
    db.kysely,
  );
}

async function freshWorld(
  bulk: "off" | "ingest" | "backfill" = "off",
  bulkRowsPerSecond?: number,
): Promise<{ db: Db; emulator: Emulator; settings: Settings; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "order-sync-bench-"));
  const db = await openDatabase({ dialect: "sqlite", url: join(dir, "bench.db") });
  await createOrdersTable(db);
  await writeDemoOrders(db, { count: ORDERS, seed: 42 });
  await splitCustomers(db);
  await migrateToLatest(db);
  const config = benchConfig(bulk);
  const emulator = await startEmulator({
    ...(bulkRowsPerSecond !== undefined && { bulkRowsPerSecond }),
    ...(BULK_CONCURRENCY !== undefined && { bulkConcurrentJobs: BULK_CONCURRENCY }),
    port: 0,
    boards: emulatorBoards(config),
    enforceLimits: true,
    budgetPerMinute: BUDGET,
    timeScale: TIME_SCALE,
    // monday's own latency, on the same time scale as its budget window.
    latencyMs: LATENCY_MS / TIME_SCALE,
  });
  const settings = resolveSettings(config, dir, { MONDAY_API_URL: emulator.url, MONDAY_API_TOKEN: "bench" });
  return { db, emulator, settings, dir };
}

/** Changes 1% of the open orders (every 100th): a new status and PO number. */
async function changeOnePercent(db: Db): Promise<number> {
  const keys = (
    await sql<{
      k: string;
    }>`SELECT "AAG ORDER NUMBER" AS k FROM "ORDERS_UNIFIED" WHERE "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"} ORDER BY 1`.execute(
      db.kysely,
    )
  ).rows
    .map((r) => r.k)
    .filter((_, i) => i % 100 === 0);
  for (const k of keys)
    await sql`UPDATE "ORDERS_UNIFIED" SET "PO NUMBER" = ${`${k}-REV`}, "ORDER STATUS" = CASE WHEN "ORDER STATUS" = ${"On Hold"} THEN ${"Open"} ELSE ${"On Hold"} END WHERE "AAG ORDER NUMBER" = ${k}`.execute(
      db.kysely,
    );
  return keys.length;
}

async function measure(emulator: Emulator, run: () => Promise<void>): Promise<RunFigures> {
  const before = emulator.stats();
  const entriesBefore = emulator.log.entries.length;
  const t0 = performance.now();
  await run();
  const wallSeconds = (performance.now() - t0) / 1000;
  const after = emulator.stats();
  const writes: Record<string, number> = {};
  for (const e of emulator.log.entries.slice(entriesBefore))
    writes[e.operation] = (writes[e.operation] ?? 0) + 1;
  const rateLimited = (s: ReturnType<Emulator["stats"]>) =>
    Object.values(s.rateLimited).reduce((a, b) => a + b, 0);
  return {
    requests: after.requests - before.requests,
    complexity: after.complexityUsed - before.complexityUsed,
    rateLimited: rateLimited(after) - rateLimited(before),
    wallSeconds: Math.round(wallSeconds * 100) / 100,
    writes,
  };
}

async function benchOrderSync(): Promise<{ initial: RunFigures; incremental: RunFigures; changed: number }> {
  const w = await freshWorld();
  try {
    const app = () => wireApp(w.settings, w.db);
    const initial = await measure(w.emulator, async () => {
      const s = await app().sync();
      if (s.exitCode !== 0)
        throw new Error(`order-sync initial run ended ${s.status}: ${JSON.stringify(s.counts)}`);
    });
    const changed = await changeOnePercent(w.db);
    const incremental = await measure(w.emulator, async () => {
      const s = await app().sync();
      if (s.counts.updated !== changed)
        throw new Error(`expected ${changed} updates, got ${s.counts.updated}`);
    });
    return { initial, incremental, changed };
  } finally {
    await w.emulator.close();
    await w.db.close();
    rmSync(w.dir, { recursive: true, force: true });
  }
}

async function benchNaive(): Promise<{ initial: RunFigures; incremental: RunFigures }> {
  const w = await freshWorld();
  try {
    const memory: NaiveMemory = { items: new Map(), groups: new Map() };
    const initial = await measure(w.emulator, () => naiveSync(w.db, w.settings, memory));
    await changeOnePercent(w.db);
    const incremental = await measure(w.emulator, () => naiveSync(w.db, w.settings, memory));
    return { initial, incremental };
  } finally {
    await w.emulator.close();
    await w.db.close();
    rmSync(w.dir, { recursive: true, force: true });
  }
}

/** A first load of every order through the bulk lane `kind` (beside the mutation lane), at `rate` rows a second. */
async function benchLane(kind: "ingest" | "backfill", rate: number): Promise<RunFigures & { jobs: number }> {
  const w = await freshWorld(kind, rate);
  try {
    const figures = await measure(w.emulator, async () => {
      const s = await wireApp(w.settings, w.db).sync();
      if (s.exitCode !== 0)
        throw new Error(`${kind} first load ended ${s.status}: ${JSON.stringify(s.counts)}`);
    });
    return { ...figures, jobs: w.emulator.bulk.stats.jobsStarted };
  } finally {
    await w.emulator.close();
    await w.db.close();
    rmSync(w.dir, { recursive: true, force: true });
  }
}

function budgetBoundSeconds(complexity: number): number {
  // Budget-bound minimum: the minutes the points need at BUDGET a minute, in real seconds under the time scale.
  return ((complexity / BUDGET) * 60) / TIME_SCALE;
}

say(
  `order-sync benchmark: ${ORDERS} orders, budget ${BUDGET.toLocaleString("en")} points/min, time scale ${TIME_SCALE}× (1 monday minute = ${(60 / TIME_SCALE).toFixed(2)} s), latency ${LATENCY_MS} ms (scaled)`,
);
const orderSync = args.only === "naive" ? undefined : await benchOrderSync();
const laneRuns: { lane: string; rate: number; figures: RunFigures & { jobs: number } }[] = [];
for (const kind of ["ingest", "backfill"] as const)
  if (LANE === kind || LANE === "all")
    for (const rate of BULK_RATES) {
      laneRuns.push({
        lane: kind === "ingest" ? "ingest+mutations" : "backfill",
        rate,
        figures: await benchLane(kind, rate),
      });
      say(`${kind} @ ${rate} rows/s done: ${laneRuns.at(-1)!.figures.wallSeconds} s`);
    }
if (orderSync)
  say(
    `order-sync done: initial ${orderSync.initial.wallSeconds} s, incremental ${orderSync.incremental.wallSeconds} s`,
  );
const naive = args.only === "order-sync" ? undefined : await benchNaive();

const totalComplexity = orderSync ? orderSync.initial.complexity + orderSync.incremental.complexity : 0;
const totalWall = orderSync ? orderSync.initial.wallSeconds + orderSync.incremental.wallSeconds : 0;
// The complexity-budget minimum of a first load: what the mutation lane's points need at BUDGET a minute.
const firstLoadMinimum = orderSync ? budgetBoundSeconds(orderSync.initial.complexity) : null;
const lanes = laneRuns.map((r) => ({
  ...r,
  ratioToBudgetMinimum: firstLoadMinimum
    ? Math.round((r.figures.wallSeconds / firstLoadMinimum) * 1000) / 1000
    : null,
}));
const result = {
  orders: ORDERS,
  lanes,
  bulkConcurrentJobs: BULK_CONCURRENCY ?? null,
  timeScale: TIME_SCALE,
  budgetPerMinute: BUDGET,
  orderSync: orderSync && { initial: orderSync.initial, incremental: orderSync.incremental },
  naive,
  budgetBoundRatio: orderSync
    ? Math.round((totalWall / budgetBoundSeconds(totalComplexity)) * 1000) / 1000
    : null,
  initialBudgetBoundRatio: orderSync
    ? Math.round((orderSync.initial.wallSeconds / budgetBoundSeconds(orderSync.initial.complexity)) * 1000) /
      1000
    : null,
  requestRatioInitial:
    orderSync && naive ? Math.round((naive.initial.requests / orderSync.initial.requests) * 10) / 10 : null,
  requestRatioIncremental:
    orderSync && naive
      ? Math.round((naive.incremental.requests / orderSync.incremental.requests) * 10) / 10
      : null,
};

if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  const row = (name: string, f: RunFigures | undefined) =>
    f
      ? `${name.padEnd(26)} ${String(f.requests).padStart(9)} ${f.complexity.toLocaleString("en").padStart(15)} ${String(f.rateLimited).padStart(6)} ${f.wallSeconds.toFixed(2).padStart(9)}`
      : `${name.padEnd(26)} (not run)`;
  say(
    `\n${"run".padEnd(26)} ${"requests".padStart(9)} ${"complexity".padStart(15)} ${"429s".padStart(6)} ${"wall s".padStart(9)}`,
  );
  say(row("order-sync initial", orderSync?.initial));
  say(row("order-sync incremental", orderSync?.incremental));
  say(row("naive initial", naive?.initial));
  say(row("naive incremental", naive?.incremental));
  if (orderSync) {
    say(
      `\norder-sync writes, incremental run: ${JSON.stringify(orderSync.incremental.writes)} for ${orderSync.changed} changed orders`,
    );
    say(
      `budget-bound minimum: ${budgetBoundSeconds(totalComplexity).toFixed(2)} s for ${totalComplexity.toLocaleString("en")} points; order-sync took ${totalWall.toFixed(2)} s → ratio ${result.budgetBoundRatio} (initial run alone ${result.initialBudgetBoundRatio})`,
    );
  }
  if (lanes.length) {
    say(
      `\n${"first load by lane".padEnd(26)} ${"rows/s".padStart(7)} ${"requests".padStart(9)} ${"complexity".padStart(15)} ${"jobs".padStart(5)} ${"wall s".padStart(9)} ${"÷ budget min".padStart(12)}`,
    );
    if (orderSync && firstLoadMinimum)
      say(
        `${"mutations".padEnd(26)} ${"-".padStart(7)} ${String(orderSync.initial.requests).padStart(9)} ${orderSync.initial.complexity.toLocaleString("en").padStart(15)} ${"0".padStart(5)} ${orderSync.initial.wallSeconds.toFixed(2).padStart(9)} ${(orderSync.initial.wallSeconds / firstLoadMinimum).toFixed(3).padStart(12)}`,
      );
    for (const r of lanes)
      say(
        `${r.lane.padEnd(26)} ${String(r.rate).padStart(7)} ${String(r.figures.requests).padStart(9)} ${r.figures.complexity.toLocaleString("en").padStart(15)} ${String(r.figures.jobs).padStart(5)} ${r.figures.wallSeconds.toFixed(2).padStart(9)} ${String(r.ratioToBudgetMinimum ?? "-").padStart(12)}`,
      );
    if (firstLoadMinimum)
      say(
        `complexity-budget minimum of the first load: ${firstLoadMinimum.toFixed(2)} s (mutation lane's points ÷ budget); bulk jobs processed at once: ${BULK_CONCURRENCY ?? "all"}`,
      );
  }
  if (result.requestRatioInitial)
    say(
      `requests, naive ÷ order-sync: initial ${result.requestRatioInitial}×, incremental ${result.requestRatioIncremental}×`,
    );
}
