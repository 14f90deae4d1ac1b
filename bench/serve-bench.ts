/**
 * `npm run bench:serve [-- --orders N] [--rounds R] [--json]`
 *
 * What service mode costs, on SQLite against the emulator over HTTP:
 * 1. a sync of N new orders with and without the metrics listening (ratio of wall times, best of R);
 * 2. `/metrics` and `/health` latency over HTTP (p50 / p99 of 200 requests) and the size of a scrape;
 * 3. how long `serve` takes to exit after SIGTERM in the middle of a sync (R trials, emulator latency 50 ms).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stringify as stringifyYaml, parse as parseYaml } from "yaml";
import { parseConfig, resolveSettings, starterConfig, type Settings } from "../src/config/index.js";
import { migrateToLatest, openDatabase, type Db } from "../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../src/demo/index.js";
import { startEmulator } from "../src/emulator/index.js";
import { emulatorBoards } from "../src/cli/emulator-boards.js";
import { wireApp } from "../src/app.js";
import { stagingSnapshot } from "../src/cli/commands/serve.js";
import { createHttpApp, listen } from "../src/http/index.js";
import { createMetrics, HealthChecker } from "../src/observe/index.js";
import { SyncScheduler } from "../src/sync/index.js";

const { values: args } = parseArgs({
  options: {
    orders: { type: "string", default: "3000" },
    rounds: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
  },
});
const ORDERS = Number(args.orders);
const ROUNDS = Number(args.rounds);
const say = (line: string) => {
  if (!args.json) process.stdout.write(`${line}\n`);
};
const ENTRY = fileURLToPath(new URL("../test/helpers/cli-entry.ts", import.meta.url));

async function freshDb(dir: string, name: string): Promise<Db> {
  const db = await openDatabase({ dialect: "sqlite", url: join(dir, `${name}.db`) });
  await createOrdersTable(db);
  await writeDemoOrders(db, { count: ORDERS, seed: 42 });
  await migrateToLatest(db);
  return db;
}

/** One initial sync of N orders; with `metrics`, the prom-client metrics listen to it. */
async function timedSync(dir: string, name: string, metrics: boolean): Promise<number> {
  const config = parseConfig(parseYaml(starterConfig()));
  const emulator = await startEmulator({ port: 0, boards: emulatorBoards(config) });
  const settings = resolveSettings(config, dir, { MONDAY_API_URL: emulator.url, MONDAY_API_TOKEN: "bench" });
  const db = await freshDb(dir, name);
  const app = wireApp(settings, db);
  const m = metrics ? createMetrics({ events: app.events, monday: app.monday }) : undefined;
  const t0 = performance.now();
  const summary = await app.sync();
  const ms = performance.now() - t0;
  if (summary.exitCode !== 0) throw new Error(`sync ended ${summary.status}`);
  m?.close();
  await db.close();
  await emulator.close();
  return ms;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function latency(url: string, n: number): Promise<{ p50: number; p99: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    bytes = (await res.text()).length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), bytes };
}

/** Serves the metrics and health of a database that has just synced N orders. */
async function endpointLatency(dir: string) {
  const config = parseConfig(parseYaml(starterConfig()));
  const emulator = await startEmulator({ port: 0, boards: emulatorBoards(config) });
  const settings: Settings = resolveSettings(config, dir, {
    MONDAY_API_URL: emulator.url,
    MONDAY_API_TOKEN: "bench",
  });
  const db = await freshDb(dir, "endpoints");
  const app = wireApp(settings, db);
  const { events, monday } = app;
  const metrics = createMetrics({
    events,
    monday,
    staging: () => stagingSnapshot(db),
  });
  await app.sync();
  const health = new HealthChecker(
    { db, monday },
    { pendingMaxAgeHours: 24, lastBatchMaxAgeMinutes: 60, mondayCheckCacheSeconds: 30 },
  );
  const scheduler = new SyncScheduler(
    { kind: "interval", seconds: 3600, runOnStart: false },
    { run: (o) => app.sync(o) },
  );
  const server = await listen(
    createHttpApp({
      db,
      metrics,
      health,
      scheduler,
      customers: config.customers.map((c) => c.name),
      shuttingDown: () => false,
    }),
    { port: 0, host: "127.0.0.1" },
  );
  const m = await latency(`${server.url}/metrics`, 200);
  const h = await latency(`${server.url}/health`, 200);
  await server.close();
  metrics.close();
  await db.close();
  await emulator.close();
  return { metrics: m, health: h };
}

/** Starts `serve` on a fresh database, waits until it is writing, sends SIGTERM and times the exit. */
async function sigtermStop(dir: string, trial: number): Promise<{ ms: number; code: number | null }> {
  const raw = parseYaml(starterConfig()) as Record<string, unknown>;
  raw.source = { ...(raw.source as object), url: `stop-${trial}.db` };
  raw.serve = { schedule: { intervalSeconds: 3600, runOnStart: true } };
  const config = parseConfig(raw);
  const configFile = join(dir, `stop-${trial}.yaml`);
  writeFileSync(configFile, stringifyYaml(raw));
  await (await freshDb(dir, `stop-${trial}`)).close();
  const emulator = await startEmulator({ port: 0, boards: emulatorBoards(config), latencyMs: 50 });
  const child = spawn(
    process.execPath,
    ["--import", "tsx", ENTRY, "serve", "--config", configFile, "--port", "0"],
    {
      env: { ...process.env, MONDAY_API_URL: emulator.url, MONDAY_API_TOKEN: "bench" },
      stdio: ["ignore", "ignore", "ignore"],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  while (emulator.log.writeRequests < 10) await new Promise((r) => setTimeout(r, 10));
  const t0 = performance.now();
  child.kill("SIGTERM");
  const code = await exited;
  const ms = performance.now() - t0;
  await emulator.close();
  return { ms, code };
}

const dir = mkdtempSync(join(tmpdir(), "order-sync-serve-bench-"));
try {
  say(`order-sync serve bench: ${ORDERS} orders, best of ${ROUNDS}`);
  const bare: number[] = [];
  const withMetrics: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    bare.push(await timedSync(dir, `bare-${i}`, false));
    withMetrics.push(await timedSync(dir, `metrics-${i}`, true));
  }
  say(
    `  runs without: ${bare.map((b) => (b / 1000).toFixed(2)).join(", ")}; with: ${withMetrics.map((b) => (b / 1000).toFixed(2)).join(", ")}`,
  );
  const bestBare = Math.min(...bare);
  const bestMetrics = Math.min(...withMetrics);
  say(
    `sync without metrics ${(bestBare / 1000).toFixed(2)} s, with metrics ${(bestMetrics / 1000).toFixed(2)} s: ratio ${(bestMetrics / bestBare).toFixed(3)}`,
  );
  const endpoints = await endpointLatency(dir);
  say(
    `/metrics p50 ${endpoints.metrics.p50.toFixed(2)} ms, p99 ${endpoints.metrics.p99.toFixed(2)} ms, ${endpoints.metrics.bytes} bytes; ` +
      `/health p50 ${endpoints.health.p50.toFixed(2)} ms, p99 ${endpoints.health.p99.toFixed(2)} ms`,
  );
  const stops: { ms: number; code: number | null }[] = [];
  for (let i = 0; i < ROUNDS; i++) stops.push(await sigtermStop(dir, i));
  say(
    `SIGTERM during a sync → exit: ${stops.map((s) => `${s.ms.toFixed(0)} ms (code ${s.code})`).join(", ")}`,
  );
  if (args.json)
    process.stdout.write(
      `${JSON.stringify({
        orders: ORDERS,
        syncSeconds: {
          bare: bestBare / 1000,
          withMetrics: bestMetrics / 1000,
          ratio: bestMetrics / bestBare,
        },
        endpoints,
        sigterm: stops,
      })}\n`,
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
