import { serve, type ServerType } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createHash, timingSafeEqual } from "node:crypto";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { Logger } from "pino";
import type { OrdersSource } from "../analytics/index.js";
import type { Db } from "../db/index.js";
import type { HealthChecker, SyncMetrics } from "../observe/index.js";
import { recentRuns } from "../runlog/index.js";
import type { SyncDeps, SyncScheduler } from "../sync/index.js";
import { dashboardRoutes } from "./dashboard/index.js";

/** What the server exposes. */
export interface HttpDeps {
  db: Db;
  metrics: SyncMetrics;
  health: HealthChecker;
  scheduler: SyncScheduler;
  /** Customers the config knows; `POST /api/sync` refuses others with 400. */
  customers: readonly string[];
  /** `ORDER_SYNC_API_TOKEN`: when set, `/api/*` needs `Authorization: Bearer <token>`; when not, only loopback callers. */
  apiToken?: string;
  /** The host the server is bound to (`serve.host`): besides loopback names, the one `Host` loopback-only mode accepts. */
  host?: string;
  /** True once SIGTERM arrived: readiness fails so load balancers stop sending work. */
  shuttingDown(): boolean;
  log?: Logger;
  /** `POST /webhooks/monday/<secret>` (src/http/webhook-route.ts), when serve receives webhooks. */
  webhooks?: Hono;
  /** The orders table the dashboard's analytics read (the demo's `ORDERS_UNIFIED` columns by default). */
  ordersSource?: OrdersSource;
  /** Settings, monday and events of `serve`: the dashboard's rollback runs through them. */
  syncDeps?: SyncDeps;
  /** Warm the dashboard's analytics at start and before they go stale (serve does; see `DashboardDeps`). */
  analyticsWarm?: boolean;
  /** Called after each warm-up round with its seconds. */
  onAnalyticsWarmed?: (seconds: number) => void;
}

/** The largest `/api/*` request body. */
const MAX_BODY = 64 * 1024;

const syncBody = z
  .object({ customers: z.array(z.string().min(1)).max(1000).optional() })
  .strict()
  .optional();

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** Host names that reach this machine only: a `Host` header naming anything else came through DNS rebinding. */
const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

const forbidden = (c: Context, error: string) => c.json({ error }, 403);

/**
 * `Authorization: Bearer <token>` against `ORDER_SYNC_API_TOKEN`, compared in constant time. Any token
 * the environment can hold works, spaces and `#` included (everything after `Bearer ` is the token).
 */
function bearer(token: string): MiddlewareHandler {
  const expected = createHash("sha256").update(token).digest();
  return async (c, next) => {
    const header = c.req.header("Authorization") ?? "";
    const m = /^Bearer (.*)$/is.exec(header);
    const given = createHash("sha256")
      .update(m?.[1] ?? "")
      .digest();
    if (!m || !timingSafeEqual(given, expected))
      return c.json(
        { error: "a valid Authorization: Bearer token is required (ORDER_SYNC_API_TOKEN)" },
        401,
        { "WWW-Authenticate": 'Bearer realm="order-sync"' },
      );
    await next();
    return undefined;
  };
}

/**
 * Loopback-only access: the caller is on this machine, the `Host` names this machine (or the bound host),
 * and no browser page of another origin sent the request (`Sec-Fetch-Site`, `Origin`), nor a body a page
 * can send without asking first (a POST whose `Content-Type` is anything but `application/json`). A page open in the operator's browser
 * can otherwise reach a loopback server (CSRF, DNS rebinding).
 */
function loopbackOnly(boundHost: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    let address: string | undefined;
    try {
      address = getConnInfo(c).remote.address;
    } catch {
      address = undefined;
    }
    if (!address || !LOOPBACK.test(address))
      return forbidden(
        c,
        "set ORDER_SYNC_API_TOKEN to call the API from another machine (only loopback is allowed without it)",
      );
    const url = new URL(c.req.url);
    const host = (c.req.header("Host") ?? url.host).replace(/:\d+$/, "");
    if (!LOOPBACK_HOSTS.test(host) && host.toLowerCase() !== boundHost?.toLowerCase())
      return forbidden(c, `the Host header ${JSON.stringify(host)} does not name this server`);
    const site = c.req.header("Sec-Fetch-Site");
    if (site !== undefined && site !== "same-origin" && site !== "none")
      return forbidden(c, `cross-site requests are refused (Sec-Fetch-Site: ${site})`);
    const origin = c.req.header("Origin");
    if (origin !== undefined && origin !== url.origin)
      return forbidden(c, `requests from another origin (${origin}) are refused`);
    const type = c.req.header("Content-Type");
    if (c.req.method === "POST" && type !== undefined && !/^application\/json\s*(;|$)/i.test(type))
      return c.json({ error: `the body must be sent as Content-Type: application/json, not ${type}` }, 415);
    await next();
    return undefined;
  };
}

/** `/api/*` access: the bearer token when one is configured, else callers on this machine only. */
function apiAuth(token: string | undefined, boundHost: string | undefined): MiddlewareHandler {
  return token ? bearer(token) : loopbackOnly(boundHost);
}

/** A JSON column's text as the value it holds (null when empty or not JSON). */
function parsedColumn(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** A run of `/api/runs`: `counts` (an object) and `customers` (an array) as JSON values, not JSON strings. */
function runJson(run: Awaited<ReturnType<typeof recentRuns>>[number]) {
  return { ...run, customers: parsedColumn(run.customers), counts: parsedColumn(run.counts) };
}

/**
 * The one HTTP app of `order-sync serve` (DESIGN.md `http`): `/metrics`, `/health`, `/health/live`,
 * `/health/ready`, `POST /api/sync`, `GET /api/sync`, `GET /api/runs`, and the dashboard (`/`, `/api/analytics*`; see
 * `./dashboard/`).
 *
 * @example
 * const app = createHttpApp(deps);
 * const res = await app.request("/health"); // tests call it without a port
 */
export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();

  app.get("/metrics", async (c) => {
    const body = await deps.metrics.registry.metrics();
    return c.body(body, 200, { "Content-Type": deps.metrics.registry.contentType });
  });

  app.get("/health", async (c) => {
    const report = await deps.health.check();
    return c.json(report, report.status === "healthy" ? 200 : 503);
  });

  app.get("/health/live", (c) =>
    c.json({ status: "alive", uptimeSeconds: Math.round(process.uptime()), pid: process.pid }),
  );

  app.get("/health/ready", async (c) => {
    if (deps.shuttingDown()) return c.json({ status: "not ready", message: "shutting down" }, 503);
    const db = await deps.health.ready();
    return c.json(
      { status: db.healthy ? "ready" : "not ready", checks: { database: db } },
      db.healthy ? 200 : 503,
    );
  });

  app.use("/api/*", apiAuth(deps.apiToken, deps.host));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: MAX_BODY,
      onError: (c) => c.json({ error: `the body is over ${MAX_BODY / 1024} KiB` }, 413),
    }),
  );

  app.get("/api/sync", (c) => {
    const last = deps.scheduler.lastFinished;
    return c.json({
      running: deps.scheduler.active ?? null,
      lastFinished: last
        ? {
            ...last.run,
            finishedAt: last.finishedAt,
            ...(last.summary
              ? { status: last.summary.status, exitCode: last.summary.exitCode, counts: last.summary.counts }
              : { status: "FAILED", error: last.error }),
          }
        : null,
      schedule: deps.scheduler.schedule,
      nextRunAt: deps.scheduler.nextRunAt()?.toISOString() ?? null,
    });
  });

  app.post("/api/sync", async (c) => {
    const raw = (await c.req.text()).trim();
    let parsed: unknown;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      return c.json({ error: 'the body must be JSON, e.g. {"customers": ["BLUE HARBOR"]}' }, 400);
    }
    const body = syncBody.safeParse(parsed);
    if (!body.success)
      return c.json(
        {
          error: body.error.issues
            .map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`)
            .join("; "),
        },
        400,
      );
    const customers = body.data?.customers;
    const unknown = customers?.filter((n) => !deps.customers.includes(n)) ?? [];
    if (unknown.length)
      return c.json(
        {
          error: `unknown customer ${unknown.map((u) => JSON.stringify(u)).join(", ")}`,
          known: deps.customers,
        },
        400,
      );
    const result = deps.scheduler.trigger("api", customers);
    if (!result.started)
      return result.reason === "running"
        ? c.json({ error: "a sync is already running in this process", running: result.run }, 409)
        : c.json({ error: "the server is shutting down" }, 503);
    deps.log?.info({ batchId: result.run.batchId, customers }, "sync triggered through the API");
    if (c.req.query("wait") === "true") {
      const summary = await result.done;
      if (!summary)
        return c.json({ ...result.run, status: "FAILED", error: deps.scheduler.lastFinished?.error }, 500);
      const { report: _report, ...validation } = summary.validation;
      return c.json({ ...result.run, ...summary, validation }, 200);
    }
    return c.json({ ...result.run, status: "started" }, 202);
  });

  app.get("/api/runs", async (c) => {
    const limit = Math.min(200, Math.max(1, Number(c.req.query("limit") ?? 20) || 20));
    const runs = await recentRuns(deps.db, limit);
    return c.json({ runs: runs.map(runJson) });
  });

  if (deps.webhooks) app.route("/", deps.webhooks);
  app.route("/", dashboardRoutes(deps));

  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((e, c) => {
    if (e instanceof HTTPException) {
      const res = e.getResponse();
      const challenge = res.headers.get("WWW-Authenticate");
      return c.json(
        {
          error:
            e.status === 401
              ? "a valid Authorization: Bearer token is required (ORDER_SYNC_API_TOKEN)"
              : e.message || res.statusText || `the request was refused (HTTP ${e.status})`,
        },
        e.status,
        challenge ? { "WWW-Authenticate": challenge } : {},
      );
    }
    deps.log?.error({ err: e, path: c.req.path }, "HTTP handler failed");
    return c.json({ error: e.message }, 500);
  });
  return app;
}

/** A listening server; `close()` stops accepting and ends idle keep-alive connections. */
export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the app on `host:port` (port 0 picks a free one). */
export function listen(app: Hono, options: { port: number; host: string }): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    const server: ServerType = serve(
      { fetch: app.fetch, port: options.port, hostname: options.host },
      (info) => {
        server.off("error", onError);
        const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${host}:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              if ("closeIdleConnections" in server) server.closeIdleConnections();
            }),
        });
      },
    );
    server.on("error", onError);
  });
}
