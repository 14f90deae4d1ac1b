import { html } from "hono/html";
import type { Registry } from "prom-client";
import { INBOX_STATUSES, type Db, type InboxStatus } from "../../db/index.js";
import {
  BOARD_CHANGE_KINDS,
  boardChangeCounts,
  boardChanges,
  inboxEvents,
  inboxOverview,
  type BoardChangeLine,
  type InboxEventLine,
  type InboxOverview,
} from "../../webhooks/index.js";
import { table, type Html } from "./layout.js";

/** The query of `/two-way`: the inbox's status filter and page, the board changes' kind, order and page. */
export interface TwoWayQuery {
  status?: InboxStatus;
  kind?: string;
  order?: string;
  inboxOffset: number;
  changesOffset: number;
  limit: number;
}

/** Webhook requests by outcome since this process started (`webhook_events_total`), when metrics are on. */
export async function webhookOutcomes(registry: Registry | undefined): Promise<Record<string, number>> {
  const metric = registry?.getSingleMetric("webhook_events_total");
  if (!metric) return {};
  const { values } = await metric.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.outcome), v.value]));
}

/** Reads `/two-way`'s query; unknown statuses and kinds are ignored. */
export function twoWayQuery(q: (name: string) => string | undefined): TwoWayQuery {
  const n = (name: string, fallback: number, max = Number.MAX_SAFE_INTEGER) =>
    Math.min(max, Math.max(0, Number(q(name) ?? fallback) || fallback));
  const status = q("status");
  const kind = q("kind");
  const order = q("order")?.slice(0, 255);
  return {
    ...(INBOX_STATUSES.includes(status as InboxStatus) ? { status: status as InboxStatus } : {}),
    ...(BOARD_CHANGE_KINDS.includes(kind as (typeof BOARD_CHANGE_KINDS)[number]) ? { kind } : {}),
    ...(order ? { order } : {}),
    inboxOffset: n("inboxOffset", 0),
    changesOffset: n("changesOffset", 0),
    limit: Math.max(1, n("limit", 25, 200)),
  };
}

/** Everything `/two-way` shows, each list one page. */
export interface TwoWayData {
  overview: InboxOverview;
  outcomes: Record<string, number>;
  kinds: Record<string, number>;
  inbox: { rows: InboxEventLine[]; total: number };
  changes: { rows: BoardChangeLine[]; total: number };
}

/** Reads the two-way sync view's figures and pages. */
export async function twoWayData(
  db: Db,
  registry: Registry | undefined,
  q: TwoWayQuery,
): Promise<TwoWayData> {
  const [overview, outcomes, kinds, inbox, changes] = await Promise.all([
    inboxOverview(db),
    webhookOutcomes(registry),
    boardChangeCounts(db),
    inboxEvents(db, { limit: q.limit, offset: q.inboxOffset, ...(q.status ? { status: q.status } : {}) }),
    boardChanges(db, {
      limit: q.limit,
      offset: q.changesOffset,
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.order ? { orderKey: q.order } : {}),
    }),
  ]);
  return { overview, outcomes, kinds, inbox, changes };
}

const keep = (q: TwoWayQuery, drop: "inboxOffset" | "changesOffset"): Record<string, string> => {
  const out: Record<string, string> = {};
  if (q.status) out.status = q.status;
  if (q.kind) out.kind = q.kind;
  if (q.order) out.order = q.order;
  const other = drop === "inboxOffset" ? "changesOffset" : "inboxOffset";
  if (q[other]) out[other] = String(q[other]);
  return out;
};

/** Previous / next links of one of the page's two lists (each has its own offset parameter). */
function pagerOf(q: TwoWayQuery, name: "inboxOffset" | "changesOffset", total: number): Html {
  const offset = q[name];
  const link = (o: number, text: string) => {
    const p = new URLSearchParams({ ...keep(q, name), [name]: String(o), limit: String(q.limit) });
    return html`<a href="/two-way?${p.toString()}#${name === "inboxOffset" ? "inbox" : "changes"}"
      >${text}</a
    >`;
  };
  const last = Math.min(total, offset + q.limit);
  return html`<nav aria-label="${name === "inboxOffset" ? "Inbox pages" : "Board change pages"}">
    <p>
      ${total ? `${offset + 1}–${last}` : "0"} of ${total}
      ${offset > 0 ? link(Math.max(0, offset - q.limit), "previous") : ""}
      ${last < total ? link(offset + q.limit, "next") : ""}
    </p>
  </nav>`;
}

/** Depth, lag and requests: one small table. */
function inboxSummary(d: TwoWayData): Html {
  const o = d.overview;
  const outcome = (name: string) => (name in d.outcomes ? d.outcomes[name]! : "not counted (no metrics)");
  return table(
    "Webhook inbox",
    ["figure", "value"],
    [
      ["depth (PENDING events)", o.pending],
      ["lag: the oldest PENDING event has waited (s)", o.lagSeconds],
      ["oldest PENDING received", o.oldestPending ?? "none"],
      ["last event received", o.lastReceived ?? "never"],
      ...INBOX_STATUSES.map((s) => [`${s} events`, o.counts[s] ?? 0]),
      ["requests rejected since serve started (bad secret, signature, body)", outcome("rejected")],
      [
        "requests received / duplicate since serve started",
        `${outcome("received")} / ${outcome("duplicate")}`,
      ],
      ...BOARD_CHANGE_KINDS.filter((k) => d.kinds[k]).map((k) => [`board changes ${k}`, d.kinds[k]!]),
    ],
  );
}

/** `/two-way`: the webhook inbox (depth, lag, rejected requests), and the board edits and conflicts, paged. */
export function twoWayPage(d: TwoWayData, q: TwoWayQuery): Html {
  const select = (name: string, options: readonly string[], current: string | undefined) =>
    html`<select name="${name}">
      ${["", ...options].map((v) => html`<option value="${v}" ${v === (current ?? "") ? " selected" : ""}>${v || "all"}</option>`)}
    </select>`;
  return html`${inboxSummary(d)}
    <h2 id="changes">Board edits and conflicts</h2>
    <form class="filters" method="get" aria-label="Board changes and inbox filters">
      <label>Kind${select("kind", BOARD_CHANGE_KINDS, q.kind)}</label>
      <label>Order key<input name="order" value="${q.order ?? ""}" /></label>
      <label>Inbox status${select("status", INBOX_STATUSES, q.status)}</label>
      <button type="submit">Show</button>
    </form>
    ${table(
      "Board changes, newest first",
      ["when", "customer", "order", "item", "column", "kind", "resolution", "before", "after", "user"],
      d.changes.rows.map((c) => [
        c.changed_at,
        c.customer,
        c.order_key,
        c.item_id,
        c.column_id,
        c.kind,
        c.resolution,
        c.before,
        c.after,
        c.user_id,
      ]),
    )}
    ${pagerOf(q, "changesOffset", d.changes.total)}
    <h2 id="inbox">Inbox events</h2>
    ${table(
      "Webhook inbox events, newest first",
      ["#", "received", "type", "origin", "board", "item", "status", "applied", "attempts", "error"],
      d.inbox.rows.map((e) => [
        e.inbox_id,
        e.received_at,
        e.event_type,
        e.origin,
        e.board_id,
        e.item_id,
        e.status,
        e.applied_at,
        Number(e.attempts),
        e.last_error,
      ]),
    )}
    ${pagerOf(q, "inboxOffset", d.inbox.total)}`;
}
