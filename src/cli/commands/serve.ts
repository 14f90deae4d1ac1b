import { ordersSourceOf } from "../../analytics/index.js";
import { ConfigError, type Settings } from "../../config/index.js";
import { migrateToLatest, type Db } from "../../db/index.js";
import { errorMessage } from "../../errors/index.js";
import { createHttpApp, listen, webhookServiceRoutes } from "../../http/index.js";
import { inboxDepth, startWebhookService, webhooksEnabled } from "../../webhooks/index.js";
import {
  attachSyncLogging,
  createMetrics,
  DriftWatch,
  HealthChecker,
  type StagingSnapshot,
} from "../../observe/index.js";
import { quarantineCounts } from "../../quality/index.js";
import { pruneAfterRuns } from "../../retention/index.js";
import { pendingAge, stagingCounts } from "../../stage/index.js";
import { newOwnerId, SyncScheduler, type Schedule } from "../../sync/index.js";
import { openContext, type GlobalOptions } from "../context.js";

/** The schedule the config asks for: a cron expression, or an interval (default every 15 minutes). */
export function scheduleOf(settings: Settings): Schedule {
  const s = settings.config.serve.schedule;
  if (s.cron)
    return {
      kind: "cron",
      expression: s.cron,
      runOnStart: s.runOnStart,
      ...(s.timezone ? { timezone: s.timezone } : {}),
    };
  return { kind: "interval", seconds: s.intervalSeconds ?? 900, runOnStart: s.runOnStart };
}

/** How stale the last finished run may get: the config's value, else three schedule periods (at least an hour). */
function lastBatchMaxAgeMinutes(settings: Settings, schedule: Schedule): number {
  const configured = settings.config.serve.health.lastBatchMaxAgeMinutes;
  if (configured !== undefined) return configured;
  const period = schedule.kind === "interval" ? schedule.seconds / 60 : 60;
  return Math.max(60, 3 * period);
}

/** The staging figures `/metrics` reads at each scrape. */
export async function stagingSnapshot(db: Db): Promise<StagingSnapshot> {
  const [rows, ages, quarantined] = await Promise.all([
    stagingCounts(db),
    pendingAge(db, new Date().toISOString()),
    quarantineCounts(db),
  ]);
  return { rows, oldestPending: ages.map((a) => ({ table: a.table, oldest: a.oldest })), quarantined };
}

/**
 * A port that cannot be listened on, as a config error (exit 2) naming the address and the flag that
 * changes it; other errors pass through.
 */
export function listenError(e: unknown, host: string, port: number, flag: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EADDRINUSE")
    return new ConfigError(
      `port ${port} on ${host} is already in use: stop what listens there, or pass ${flag}`,
    );
  if (code === "EACCES")
    return new ConfigError(
      `not allowed to listen on port ${port} on ${host}: use a port above 1023 with ${flag}`,
    );
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
    return new ConfigError(`cannot listen on ${host}: no such local address (check --host)`);
  return e;
}

/** `listen`, with a port in use (or not allowed) as a config error naming it and `--port`. */
function listenOn(app: Parameters<typeof listen>[0], host: string, port: number) {
  return listen(app, { port, host }).catch((e: unknown) => {
    throw listenError(e, host, port, "--port N (or serve.port in the config)");
  });
}

/** The webhook inbox `/health` and `/metrics` read, when serve receives webhooks (issue 14). */
function inboxSource(db: Db) {
  return webhooksEnabled() ? { webhookInbox: () => inboxDepth(db) } : {};
}

function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new ConfigError(`--port must be a whole number from 0 to 65535, not ${JSON.stringify(value)}`);
  return n;
}

/**
 * `order-sync serve [--port N] [--host H]`: the HTTP server (the dashboard at `/`, `/metrics`, `/health`, `/health/live`,
 * `/health/ready`, `/api/sync`, `/api/runs`, `/api/analytics*`, and `POST /webhooks/monday/<secret>` when
 * `ORDER_SYNC_WEBHOOK_SECRET` is set) and the scheduled syncs. SIGTERM (or Ctrl-C) stops the
 * schedule, lets the run in progress finish its request in flight and record it, then exits 0; a second
 * signal, or `serve.shutdownGraceSeconds`, exits at once (the next run reconciles what was in flight).
 */
export async function serveCommand(
  opts: { port?: string; host?: string },
  global: GlobalOptions,
): Promise<number> {
  const ctx = await openContext(global);
  const { settings, db, app: orderSync } = ctx;
  const log = ctx.log.child({ component: "serve" });
  const cfg = settings.config.serve;
  const port = parsePort(opts.port, cfg.port);
  const host = opts.host ?? cfg.host;
  const monday = orderSync.monday;
  await migrateToLatest(db);

  const { events } = orderSync;
  attachSyncLogging(events, ctx.log);
  const inbox = inboxSource(db);
  const metrics = createMetrics({ events, monday, staging: () => stagingSnapshot(db), ...inbox });
  const drift = new DriftWatch(events);
  const schedule = scheduleOf(settings);
  let startFailure: { at: string; error: string } | undefined;
  const health = new HealthChecker(
    {
      db,
      monday,
      onResult: metrics.setHealth,
      lastLocalFailure: () => startFailure,
      drift: () => drift.entries(),
      ...inbox,
    },
    {
      pendingMaxAgeHours: cfg.health.pendingMaxAgeHours,
      lastBatchMaxAgeMinutes: lastBatchMaxAgeMinutes(settings, schedule),
      mondayCheckCacheSeconds: cfg.health.mondayCheckCacheSeconds,
      inboxMaxLagSeconds: cfg.webhooks.inboxMaxLagSeconds,
    },
  );
  const owner = newOwnerId();
  const scheduler = new SyncScheduler(schedule, {
    run: (o) => orderSync.sync({ ...o, owner }),
    onRunStart: (run) =>
      log.info(
        { batchId: run.batchId, trigger: run.trigger, customers: run.customers },
        "sync run triggered",
      ),
    onError: (e, run) => {
      const error = errorMessage(e);
      startFailure = { at: new Date().toISOString(), error };
      log.error({ batchId: run.batchId, error }, "sync run could not run");
    },
  });
  events.on("runDone", () => {
    startFailure = undefined;
  });
  pruneAfterRuns(events, db, settings, log);

  let shuttingDown = false;
  // Webhooks (issue 14) when ORDER_SYNC_WEBHOOK_SECRET is set: the inbox worker, the catch-up and the route.
  const hooks = await startWebhookService(settings, db, log.child({ component: "webhooks" }), {
    onEvent: metrics.webhookEvent,
  });
  const app = createHttpApp({
    db,
    metrics,
    health,
    scheduler,
    customers: settings.config.customers.map((c) => c.name),
    host,
    ...(process.env.ORDER_SYNC_API_TOKEN ? { apiToken: process.env.ORDER_SYNC_API_TOKEN } : {}),
    shuttingDown: () => shuttingDown,
    log,
    ...(hooks && { webhooks: webhookServiceRoutes(hooks, db, cfg.webhooks.maxBodyBytes, log) }),
    ordersSource: ordersSourceOf(settings.config.source),
    analyticsWarm: true,
    onAnalyticsWarmed: (seconds) =>
      log.debug({ seconds: Math.round(seconds * 10) / 10 }, "dashboard analytics warmed"),
    syncDeps: { settings, db, monday, events },
  });
  const server = await listenOn(app, host, port);
  log.info(
    {
      url: server.url,
      owner,
      schedule,
      api: process.env.ORDER_SYNC_API_TOKEN ? "bearer token" : "loopback only",
    },
    `order-sync serve listening on ${server.url}`,
  );
  // One line on stdout for scripts and orchestrators (logs go to stderr).
  process.stdout.write(`order-sync serve listening on ${server.url}\n`);
  scheduler.start();
  // The health gauge stays current even when nothing polls /health (alerts read it from /metrics).
  const healthTimer = setInterval(() => void health.check().catch(() => undefined), 60_000);
  healthTimer.unref();
  void health.check().catch(() => undefined);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  shuttingDown = true;
  clearInterval(healthTimer);
  const force = () => {
    log.warn("second signal: exiting now; the next run reconciles rows left in flight");
    process.exit(130);
  };
  process.once("SIGTERM", force);
  process.once("SIGINT", force);
  log.info({ signal, running: scheduler.active?.batchId }, "shutting down: finishing the request in flight");
  const stopped = await scheduler.stop(cfg.shutdownGraceSeconds * 1000);
  if (stopped.timedOut)
    log.warn(
      { batchId: stopped.stoppedRun?.batchId, graceSeconds: cfg.shutdownGraceSeconds },
      "the run did not stop within the grace period; exiting anyway (the next run reconciles it)",
    );
  await server.close();
  await hooks?.stop();
  metrics.close();
  await ctx.close();
  log.info({ batchId: stopped.stoppedRun?.batchId }, "order-sync serve stopped");
  // Anything still holding the event loop (a keep-alive socket, a stuck request) must not keep a stopped server alive.
  setTimeout(() => process.exit(stopped.timedOut ? 1 : 0), 2000).unref();
  return stopped.timedOut ? 1 : 0;
}
