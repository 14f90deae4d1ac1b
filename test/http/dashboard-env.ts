// One running dashboard for the browser tests and the screenshot script: demo orders in a database, a
// sync against the emulator over HTTP, and `createHttpApp` listening on a free loopback port.
import { mondayFor, wireApp } from "../../src/app.js";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { createHttpApp, listen } from "../../src/http/index.js";
import { createMetrics, HealthChecker } from "../../src/observe/index.js";
import { SyncEvents, SyncScheduler, type SyncSummary } from "../../src/sync/index.js";
import type { Config } from "../../src/config/index.js";
import { syncEnv, type SyncEnv } from "../helpers/sync-env.js";

export interface DashboardEnv {
  url: string;
  env: SyncEnv;
  summary: SyncSummary;
  close(): Promise<void>;
}

/** Writes `orders` demo orders into `db`, syncs them once, and serves the dashboard with `token`. */
export async function startDashboard(
  db: Db,
  token: string,
  orders = 120,
  setup?: { config?: Config; write?: (db: Db) => Promise<unknown> },
): Promise<DashboardEnv> {
  if (setup?.write) await setup.write(db);
  else {
    await createOrdersTable(db);
    await writeDemoOrders(db, { count: orders, seed: 17 });
  }
  await migrateToLatest(db);
  const env = await syncEnv(db, setup?.config);
  const summary = await env.sync();
  const monday = mondayFor(env.settings);
  const metrics = createMetrics({ events: new SyncEvents(), monday, processMetrics: false });
  const health = new HealthChecker(
    { db, monday },
    { pendingMaxAgeHours: 24, lastBatchMaxAgeMinutes: 60, mondayCheckCacheSeconds: 0 },
  );
  const scheduler = new SyncScheduler(
    { kind: "interval", seconds: 3600, runOnStart: false },
    // As serve: the run carries the scheduler's batch id (a retry's notice links to it).
    { run: (o) => wireApp(env.settings, db).sync(o) },
  );
  const app = createHttpApp({
    db,
    metrics,
    health,
    scheduler,
    customers: env.settings.config.customers.map((c) => c.name),
    apiToken: token,
    shuttingDown: () => false,
    syncDeps: { settings: env.settings, db, monday, events: new SyncEvents() },
  });
  const server = await listen(app, { port: 0, host: "127.0.0.1" });
  return {
    url: server.url,
    env,
    summary,
    close: async () => {
      await server.close();
      await scheduler.stop(1000);
      metrics.close();
      await env.close();
    },
  };
}
