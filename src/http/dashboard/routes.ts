import { Hono, type Context } from "hono";
import type { Registry } from "prom-client";
import { html } from "hono/html";
import {
  AggregateCache,
  ANALYTICS_VIEWS,
  DEMO_ORDERS_SOURCE,
  analyticsView,
  parseFilter,
  toCsv,
  type AnalyticsFilter,
  type AnalyticsView,
  type OrdersSource,
  type PageRequest,
  type ViewResult,
} from "../../analytics/index.js";
import type { Db } from "../../db/index.js";
import type { HealthChecker } from "../../observe/index.js";
import type { SyncDeps, SyncScheduler } from "../../sync/index.js";
import { runChanges, runDetail, runsPage as loadRuns } from "../../runlog/index.js";
import { analyticsIndexPage, analyticsViewPage } from "./analytics-pages.js";
import { actionNotice, attentionButtons, heldTable } from "./action-pages.js";
import { actionRoutes, heldRows } from "./actions.js";
import { asset } from "./assets.js";
import { ActionSessions } from "./csrf.js";
import { dashboardAuth, login, logout, sameOriginPosts } from "./auth.js";
import { page } from "./layout.js";
import {
  attentionPage,
  customersPage,
  healthPage,
  runDetailPage,
  runFigures,
  runsPage,
} from "./ops-pages.js";
import { attentionRows, customerLines } from "./queries.js";
import { twoWayData, twoWayPage, twoWayQuery } from "./two-way-pages.js";

/** What the dashboard reads. */
export interface DashboardDeps {
  db: Db;
  health: HealthChecker;
  customers: readonly string[];
  apiToken?: string;
  /** serve's metrics: `/two-way` shows the webhook requests they counted (rejected ones included). */
  metrics?: { registry: Registry };
  /**
   * How long an analytics answer is served from memory (default 30 s; 0: always computed). An older one
   * (up to ten times that) is served while a fresh one is computed behind it.
   */
  analyticsCacheSeconds?: number;
  /** The orders table and its columns for the analytics (the demo's by default). */
  ordersSource?: OrdersSource;
  /**
   * Warm the analytics (serve sets it): each view's default answer (no filter, as of today, first page)
   * is computed at start, one view after another, and again before it would be too old to serve (every
   * 90% of the stale limit), so a visit of those pages never waits on a computation once the first
   * warm-up has run. Filtered answers are computed on their first request.
   */
  analyticsWarm?: boolean;
  /** Called after each warm-up round with its seconds (serve logs it). */
  onAnalyticsWarmed?: (seconds: number) => void;
  /** Retry starts a sync of the order's customer at once through it. */
  scheduler?: SyncScheduler;
  /** Settings, monday and events of `serve`: the rollback actions run through them. */
  syncDeps?: SyncDeps;
}

const pageOf = (c: Context, max = 200) => ({
  limit: Math.min(max, Math.max(1, Number(c.req.query("limit") ?? 50) || 50)),
  offset: Math.max(0, Number(c.req.query("offset") ?? 0) || 0),
});

function loginPage(next: string, failed: boolean) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Log in · order-sync</title>
      </head>
      <body>
        <main>
          <h1>order-sync dashboard</h1>
          ${failed ? html`<p role="alert">That token is not ORDER_SYNC_API_TOKEN.</p>` : ""}
          <form method="post" action="/login">
            <input type="hidden" name="next" value="${next}" />
            <label for="token">API token (ORDER_SYNC_API_TOKEN)</label>
            <input id="token" name="token" type="password" autocomplete="current-password" required />
            <button type="submit">Log in</button>
          </form>
        </main>
      </body>
    </html>`;
}

/** The operations pages: runs, a run, customers, rows that need a person, health. */
function operations(r: Hono, deps: DashboardDeps, sessions: ActionSessions): void {
  r.get("/", async (c) => {
    const p = pageOf(c);
    const { runs, total } = await loadRuns(deps.db, p);
    return c.html(page("Runs", "/", runsPage(runs.map(runFigures), { ...p, total }), { charts: true }));
  });
  r.get("/runs/:batchId", async (c) => {
    const batchId = c.req.param("batchId");
    const detail = await runDetail(deps.db, batchId);
    if (!detail) return c.html(page("Run not found", "/runs", html`<p>No run ${batchId}.</p>`), 404);
    const p = pageOf(c);
    const orderKey = c.req.query("order") || undefined;
    const changes = await runChanges(deps.db, batchId, { ...p, ...(orderKey ? { orderKey } : {}) });
    const figures = { ...runFigures(detail.run), error: detail.run.error };
    const body = runDetailPage(figures, detail.customers, changes, {
      ...p,
      total: orderKey ? p.offset + changes.length + (changes.length === p.limit ? 1 : 0) : detail.changes,
      ...(orderKey ? { orderKey } : {}),
    });
    const rollback = html`<p>
      <a href="/runs/${encodeURIComponent(batchId)}/rollback">Roll back this batch (dry run first)</a>
    </p>`;
    return c.html(page(`Run ${batchId}`, "/runs", html`${rollback}${body}`));
  });
  r.get("/customers", async (c) =>
    c.html(page("Customers", "/customers", customersPage(await customerLines(deps.db, deps.customers)))),
  );
  r.get("/attention", async (c) => {
    const p = pageOf(c);
    const kindQ = c.req.query("kind");
    const kind = kindQ === "FAILED" || kindQ === "DEAD" || kindQ === "QUARANTINED" ? kindQ : undefined;
    const q = c.req.query("q")?.slice(0, 200) || undefined;
    const result = await attentionRows(deps.db, { ...p, ...(q ? { q } : {}), ...(kind ? { kind } : {}) });
    const csrf = sessions.token(c);
    const body = attentionPage(result, { ...p, ...(q ? { q } : {}), ...(kind ? { kind } : {}) }, (row) =>
      attentionButtons(row, csrf),
    );
    const held = await heldRows(deps.db, { limit: 50, offset: 0 });
    const extra = heldTable(held.rows, { offset: 0, limit: 50, total: held.total }, csrf);
    return c.html(
      page("Rows that need a person", "/attention", html`${actionNotice(c.req.query())}${body}${extra}`),
    );
  });
  r.get("/status", async (c) => c.html(page("Health", "/status", healthPage(await deps.health.check()))));
  r.get("/two-way", async (c) => {
    const q = twoWayQuery((name) => c.req.query(name));
    const data = await twoWayData(deps.db, deps.metrics?.registry, q);
    return c.html(page("Two-way sync", "/two-way", twoWayPage(data, q)));
  });
}

/** The analytics pages, their CSV, and `/api/analytics*` (JSON). */
function analytics(r: Hono, deps: DashboardDeps): void {
  const source = deps.ordersSource ?? DEMO_ORDERS_SOURCE;
  const ttl = (deps.analyticsCacheSeconds ?? 30) * 1000;
  const cache = new AggregateCache<ViewResult>({ ttlMs: ttl });
  const keyOf = (view: AnalyticsView, filter: AnalyticsFilter, p: PageRequest) =>
    JSON.stringify([view.name, filter, view.paged ? p : null]);
  if (deps.analyticsWarm && ttl > 0) warmAnalytics(cache, keyOf, deps.db, source, deps.onAnalyticsWarmed);
  const compute = async (c: Context) => {
    const view = analyticsView(c.req.param("name") ?? "");
    if (!view)
      return { error: `no analytics view ${JSON.stringify(c.req.param("name"))}`, status: 404 as const };
    const query = c.req.query();
    const parsed = parseFilter(query);
    if (!parsed.ok) return { error: parsed.error, status: 400 as const };
    const key = keyOf(view, parsed.filter, parsed.page);
    const run = () => view.run(deps.db, source, parsed.filter, parsed.page);
    const cached = ttl > 0 ? await cache.get(key, run) : { value: await run(), computedAt: Date.now() };
    const computedAt = new Date(cached.computedAt).toISOString();
    return { view, result: cached.value, computedAt, filter: parsed.filter, page: parsed.page, query };
  };
  r.get("/api/analytics", (c) =>
    c.json({
      endpoints: ANALYTICS_VIEWS.map((v) => ({
        name: v.name,
        path: `/api/analytics/${v.name}`,
        title: v.title,
        description: v.description,
        columns: v.columns,
        paged: v.paged,
      })),
      filters: ["customer", "season", "asOf", "days", "done", "advanced", "limit", "offset", "format=csv"],
    }),
  );
  r.get("/api/analytics/:name", async (c) => {
    const out = await compute(c);
    if ("error" in out) return c.json({ error: out.error }, out.status);
    if (c.req.query("format") === "csv")
      return csvResponse(c, out.view.name, toCsv(out.view.columns, out.result.rows));
    return c.json({
      view: out.view.name,
      filter: out.filter,
      ...out.page,
      total: out.result.total,
      computedAt: out.computedAt,
      rows: out.result.rows,
    });
  });
  r.get("/analytics", (c) => c.html(page("Analytics", "/analytics", analyticsIndexPage())));
  r.get("/analytics/:name", async (c) => {
    const out = await compute(c);
    if ("error" in out)
      return c.html(page("Analytics", "/analytics", html`<p role="alert">${out.error}</p>`), out.status);
    if (c.req.query("format") === "csv")
      return csvResponse(c, out.view.name, toCsv(out.view.columns, out.result.rows));
    const body = analyticsViewPage(out.view, out.result, out.filter, out.page, out.query, out.computedAt);
    return c.html(page(out.view.title, "/analytics", body, { charts: true }));
  });
}

/**
 * Computes each view's default answer (the filter and page of a visit without parameters) into the
 * cache, one view after another, now and then every 90% of the cache's stale limit; the timer does not
 * keep the process alive. A failed computation is tried again at the next round.
 */
function warmAnalytics(
  cache: AggregateCache<ViewResult>,
  keyOf: (view: AnalyticsView, filter: AnalyticsFilter, p: PageRequest) => string,
  db: Db,
  source: OrdersSource,
  done?: (seconds: number) => void,
): void {
  const round = async () => {
    const t0 = performance.now();
    const parsed = parseFilter({});
    if (!parsed.ok) return;
    for (const view of ANALYTICS_VIEWS)
      await cache
        .warm(keyOf(view, parsed.filter, parsed.page), () => view.run(db, source, parsed.filter, parsed.page))
        .catch(() => undefined);
    done?.((performance.now() - t0) / 1000);
  };
  void round();
  setInterval(() => void round(), Math.max(1000, cache.staleLimitMs * 0.9)).unref();
}

const csvResponse = (c: Context, name: string, body: string) =>
  c.body(body, 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${name}.csv"`,
  });

/**
 * The dashboard of `order-sync serve` (issue 17): server-rendered pages at `/`, `/runs/:batchId`,
 * `/customers`, `/attention`, `/status`, `/two-way`, `/analytics[/:name]`, the JSON of `/api/analytics[/:name]`, and
 * uPlot under `/assets/`. Pages need what `/api/*` needs (the bearer token, or the session cookie of
 * `/login`); every POST must come from this origin.
 */
export function dashboardRoutes(deps: DashboardDeps): Hono {
  const r = new Hono();
  const guard = dashboardAuth(deps.apiToken);
  const sessions = new ActionSessions(deps.apiToken);
  for (const path of ["/login", "/logout", "/actions/*", "/runs/*"]) r.use(path, sameOriginPosts);
  r.get("/login", (c) => c.html(loginPage(c.req.query("next") ?? "/", false)));
  r.post("/login", async (c) => (await login(c, deps.apiToken)) || c.html(loginPage("/", true), 401));
  r.post("/logout", (c) => logout(c));
  for (const path of [
    "/",
    "/runs/*",
    "/customers",
    "/attention",
    "/status",
    "/two-way",
    "/analytics",
    "/analytics/*",
    "/assets/*",
    "/actions/*",
  ]) {
    r.use(path, guard);
    r.use(path, sessions.read);
  }
  r.get("/assets/:name", (c) => {
    const file = asset(c.req.param("name"));
    return file
      ? c.body(file.body, 200, { "Content-Type": file.type, "Cache-Control": "max-age=3600" })
      : c.notFound();
  });
  operations(r, deps, sessions);
  actionRoutes(r, { ...deps, sessions });
  analytics(r, deps);
  return r;
}
