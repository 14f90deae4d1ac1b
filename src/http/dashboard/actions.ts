import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { Db } from "../../db/index.js";
import { errorMessage, outcomeOf } from "../../errors/index.js";
import { discardOrders, releaseHeld, retryOrders, rollbackBatch } from "../../operator/index.js";
import type { SyncDeps, SyncScheduler } from "../../sync/index.js";
import { rollbackPage, type HeldRow } from "./action-pages.js";
import type { ActionSessions } from "./csrf.js";
import { page } from "./layout.js";

/** What the actions need: the database, the scheduler (retry syncs at once), the sync's deps (rollback). */
export interface ActionDeps {
  db: Db;
  sessions: ActionSessions;
  scheduler?: SyncScheduler;
  /** Settings, monday and events of `serve`: the rollback runs through them. */
  syncDeps?: SyncDeps;
}

/** A page of the orders held by a rollback, newest first. */
export async function heldRows(
  db: Db,
  p: { limit: number; offset: number },
): Promise<{ rows: HeldRow[]; total: number }> {
  const k = db.kysely;
  const [rows, count] = await Promise.all([
    k
      .selectFrom("MON_RollbackHolds")
      .select(["customer", "order_key", "batch_id", "rollback_batch_id", "held_at"])
      .orderBy("held_at", "desc")
      .orderBy("order_key")
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    k
      .selectFrom("MON_RollbackHolds")
      .select((e) => e.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

const refused = (c: Context, why: string) =>
  c.html(page("Refused", "/attention", html`<p role="alert" class="bad">${why}</p>`), 403);

const back = (c: Context, q: Record<string, string>) =>
  c.redirect(`/attention?${new URLSearchParams(q).toString()}`, 303);

type OrderAction = "retry" | "discard" | "release";

/** Runs one order's action; returns the result word and, for a retry, the sync run it started. */
async function act(
  deps: ActionDeps,
  name: OrderAction,
  target: { customer: string; order: string },
  actor: string,
): Promise<{ result: string; run?: string }> {
  const sel = { keys: [target.order], customers: [target.customer] };
  if (name === "release") {
    const released = await releaseHeld(deps.db, { customers: sel.customers, orders: sel.keys }, actor);
    return { result: released.length ? "done" : "nothing" };
  }
  if (name === "discard")
    return { result: (await discardOrders(deps.db, sel, actor))[0]?.result ?? "nothing" };
  const out = await retryOrders(deps.db, sel, actor);
  const result = out.some((o) => o.result === "done") ? "done" : (out[0]?.result ?? "nothing");
  // Synced now: a FAILED order (nothing to change) is sent by this run as much as a DEAD one made eligible.
  const started = out.length ? deps.scheduler?.trigger("dashboard", [target.customer]) : undefined;
  return { result, ...(started?.started ? { run: started.run.batchId } : {}) };
}

/** `POST /actions/retry|discard|release` (form: customer, order, csrf): back to `/attention` with a notice. */
function orderActions(r: Hono, deps: ActionDeps): void {
  r.post("/actions/:name", async (c) => {
    const name = c.req.param("name");
    if (name !== "retry" && name !== "discard" && name !== "release") return c.notFound();
    const form = await c.req.parseBody();
    if (!deps.sessions.valid(c, form.csrf))
      return refused(
        c,
        "this form's CSRF token is missing or not this session's: reload the page and try again",
      );
    const customer = typeof form.customer === "string" ? form.customer : "";
    const order = typeof form.order === "string" ? form.order : "";
    if (!customer || !order) return back(c, { error: "an action needs a customer and an order" });
    try {
      const done = await act(deps, name, { customer, order }, deps.sessions.actor(c));
      return back(c, {
        done: name,
        customer,
        order,
        result: done.result,
        ...(done.run ? { run: done.run } : {}),
      });
    } catch (e) {
      if (!outcomeOf(e)) throw e;
      return back(c, { error: `${name}: ${errorMessage(e)}` });
    }
  });
}

/** `GET /runs/:batchId/rollback` (the dry run) and `POST` (the rollback), through serve's sync deps. */
function rollbackActions(r: Hono, deps: ActionDeps): void {
  const unavailable = (c: Context) =>
    c.html(
      page("Rollback", "/runs", html`<p>Rollback needs order-sync serve (monday.com settings).</p>`),
      503,
    );
  const failed = (c: Context, e: unknown) =>
    c.html(
      page("Rollback", "/runs", html`<p role="alert" class="bad">${errorMessage(e)}</p>`),
      outcomeOf(e) === "config" ? 404 : 500,
    );
  r.get("/runs/:batchId/rollback", async (c) => {
    if (!deps.syncDeps) return unavailable(c);
    const batchId = c.req.param("batchId");
    try {
      const summary = await rollbackBatch(deps.syncDeps, { batchId, dryRun: true }, deps.sessions.actor(c));
      const limit = Math.min(200, Math.max(1, Number(c.req.query("limit") ?? 50) || 50));
      const at = (name: string) => Math.max(0, Number(c.req.query(name) ?? 0) || 0);
      const p = { limit, offset: at("offset"), conflictsOffset: at("conflictsOffset") };
      return c.html(page(`Roll back ${batchId}`, "/runs", rollbackPage(summary, deps.sessions.token(c), p)));
    } catch (e) {
      return failed(c, e);
    }
  });
  r.post("/runs/:batchId/rollback", async (c) => {
    const form = await c.req.parseBody();
    if (!deps.sessions.valid(c, form.csrf))
      return refused(
        c,
        "this form's CSRF token is missing or not this session's: reload the page and try again",
      );
    if (!deps.syncDeps) return unavailable(c);
    const batchId = c.req.param("batchId");
    try {
      const summary = await rollbackBatch(deps.syncDeps, { batchId }, deps.sessions.actor(c));
      return c.html(page(`Rolled back ${batchId}`, "/runs", rollbackPage(summary, undefined)));
    } catch (e) {
      return failed(c, e);
    }
  });
}

/** The dashboard's actions (issue 17): retry, discard, release on `/attention`, rollback on a run's page. */
export function actionRoutes(r: Hono, deps: ActionDeps): void {
  orderActions(r, deps);
  rollbackActions(r, deps);
}
