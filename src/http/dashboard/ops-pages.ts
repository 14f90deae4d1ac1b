import { html } from "hono/html";
import type { ChangeLogEntry, SyncRun } from "../../db/index.js";
import type { HealthReport } from "../../observe/index.js";
import type { SyncRunCustomer } from "../../runlog/index.js";
import { chart, pager, table, type Html } from "./layout.js";
import type { AttentionRow, CustomerLine } from "./queries.js";

/** The figures of a run the history shows, from its logged counts. */
export interface RunFigures {
  batchId: string;
  startedAt: string;
  status: string;
  durationSeconds: number | null;
  created: number;
  updated: number;
  archived: number;
  failed: number;
  requests: number;
  budgetWaits: number;
}

/** A run's figures from its `MON_SyncRuns` row. */
export function runFigures(run: SyncRun): RunFigures {
  let counts: Record<string, unknown> = {};
  try {
    counts = run.counts ? (JSON.parse(run.counts) as Record<string, unknown>) : {};
  } catch {
    counts = {};
  }
  const n = (v: unknown) => (typeof v === "number" ? v : 0);
  const monday = (counts.monday ?? {}) as Record<string, unknown>;
  const end = run.finished_at ? Date.parse(run.finished_at) : NaN;
  return {
    batchId: run.batch_id,
    startedAt: run.started_at,
    status: run.status,
    durationSeconds: Number.isNaN(end) ? null : Math.round((end - Date.parse(run.started_at)) / 100) / 10,
    created: n(counts.created),
    updated: n(counts.updated),
    archived: n(counts.archived),
    failed: n(counts.failed) + n(counts.dead),
    requests: run.api_requests ?? 0,
    budgetWaits: n(monday.budgetWaits),
  };
}

/** The columns of a run's figures in the tables, and its cells. */
const FIGURE_COLUMNS = [
  "started",
  "status",
  "duration s",
  "created",
  "updated",
  "archived",
  "failed",
  "requests",
  "budget waits",
] as const;
const figureCells = (r: RunFigures) => [
  r.startedAt,
  r.status,
  r.durationSeconds,
  r.created,
  r.updated,
  r.archived,
  r.failed,
  r.requests,
  r.budgetWaits,
];

/** `/`: the run history, a chart of the page's runs and their table. */
export function runsPage(runs: RunFigures[], page: { offset: number; limit: number; total: number }): Html {
  const ordered = [...runs].reverse();
  const x = ordered.map((r) => Date.parse(r.startedAt) / 1000);
  const series = (label: string, pick: (r: RunFigures) => number | null) => ({
    label,
    values: ordered.map(pick),
  });
  return html` ${chart("runs-chart", "Orders per run", {
    x,
    time: true,
    series: [
      series("created", (r) => r.created),
      series("updated", (r) => r.updated),
      series("archived", (r) => r.archived),
      series("failed", (r) => r.failed),
    ],
  })}
  ${chart("runs-cost", "Duration (s), requests and budget waits per run", {
    x,
    time: true,
    series: [
      series("duration s", (r) => r.durationSeconds),
      series("requests", (r) => r.requests),
      series("budget waits", (r) => r.budgetWaits),
    ],
  })}
  ${table(
    "Runs, newest first",
    ["run", ...FIGURE_COLUMNS],
    runs.map((r) => [
      html`<a href="/runs/${encodeURIComponent(r.batchId)}">${r.batchId}</a>`,
      ...figureCells(r),
    ]),
  )}
  ${pager("/", {}, page.offset, page.limit, page.total)}`;
}

/**
 * An image as column → value: an item's snapshot (`name`, `group`, `columns`, `subitems`) flattened to its
 * board columns and `size <S>` quantities; a subitem's image (`size`, `quantity`) as it is.
 */
function flatten(image: Record<string, unknown>): Record<string, unknown> {
  const { columns, subitems, subitemColumns: _sub, ...rest } = image;
  const sizes = Object.entries((subitems ?? {}) as Record<string, unknown>).map(([k, v]) => [`size ${k}`, v]);
  return { ...rest, ...((columns ?? {}) as Record<string, unknown>), ...Object.fromEntries(sizes) };
}

/** Before → after of each column an entry changed. */
export function columnChanges(entry: ChangeLogEntry): { column: string; before: string; after: string }[] {
  const parse = (s: string | null): Record<string, unknown> => {
    if (!s) return {};
    try {
      const v = JSON.parse(s) as unknown;
      return v && typeof v === "object" ? flatten(v as Record<string, unknown>) : { value: v };
    } catch {
      return { value: s };
    }
  };
  const before = parse(entry.before_image);
  const after = parse(entry.after_image);
  const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((column) => ({ column, before: show(before[column]), after: show(after[column]) }));
}

/** `/runs/:batchId`: the run, its customers, and a page of its changes down to the column. */
export function runDetailPage(
  run: RunFigures & { error: string | null },
  customers: SyncRunCustomer[],
  changes: ChangeLogEntry[],
  page: { offset: number; limit: number; total: number; orderKey?: string },
): Html {
  return html` ${table("Run", FIGURE_COLUMNS, [figureCells(run)])}
    ${run.error ? html`<p class="bad">${run.error}</p>` : ""}
    ${table(
      "Customers in this run",
      ["customer", "status", "process", "started", "finished", "error"],
      customers.map((c) => [c.customer, c.status, c.owner, c.started_at, c.finished_at, c.error]),
    )}
    <h2>Changes</h2>
    <form class="filters" method="get">
      <label>Order key<input name="order" value="${page.orderKey ?? ""}" /></label
      ><button type="submit">Show</button>
    </form>
    ${table(
      "Changes, before → after",
      ["#", "customer", "order", "action", "item", "column", "before", "after"],
      changes.flatMap((e) => {
        const cols = columnChanges(e);
        const head = [e.change_id, e.customer, e.order_key, e.action, e.monday_item_id];
        return cols.length
          ? cols.map((c) => [...head, c.column, c.before, c.after])
          : [[...head, "", "", ""]];
      }),
    )}
    ${pager(`/runs/${encodeURIComponent(run.batchId)}`, page.orderKey ? { order: page.orderKey } : {}, page.offset, page.limit, page.total)}`;
}

/** `/customers`. */
export function customersPage(lines: CustomerLine[]): Html {
  return table(
    "Customers",
    ["customer", "last successful sync", "lease", "quarantined", "FAILED", "DEAD"],
    lines.map((l) => [
      l.customer,
      l.lastSuccess ?? "never",
      l.lease
        ? `${l.lease.owner} (${l.lease.batchId}) until ${l.lease.expiresAt}${l.lease.lapsed ? " — lapsed" : ""}`
        : "free",
      l.quarantined,
      l.failed,
      l.dead,
    ]),
  );
}

/** `/attention`: search, kind filter, a page of rows. */
export function attentionPage(
  result: { rows: AttentionRow[]; total: number },
  q: { q?: string; kind?: string; offset: number; limit: number },
  buttons?: (row: AttentionRow) => Html,
): Html {
  const kinds = ["", "FAILED", "DEAD", "QUARANTINED"];
  return html`<form class="filters" method="get" role="search">
      <label>Search (customer, order, reason)<input type="search" name="q" value="${q.q ?? ""}" /></label>
      <label
        >Kind<select name="kind">
          ${kinds.map((k) => html`<option value="${k}" ${k === (q.kind ?? "") ? " selected" : ""}>${k || "all"}</option>`)}
        </select></label
      >
      <button type="submit">Search</button>
    </form>
    ${table(
      "FAILED, DEAD and quarantined orders",
      ["customer", "order", "kind", "reason", "when", ...(buttons ? ["action"] : [])],
      result.rows.map((r) => [
        r.customer,
        r.order_key,
        r.kind,
        r.reason,
        r.at,
        ...(buttons ? [buttons(r)] : []),
      ]),
    )}
    ${pager("/attention", { ...(q.q ? { q: q.q } : {}), ...(q.kind ? { kind: q.kind } : {}) }, q.offset, q.limit, result.total)}`;
}

/** `/status`: the /health checks with their figures (the monday check carries the breaker and budget). */
export function healthPage(report: HealthReport): Html {
  return html`<p>
      Overall: <span class="${report.status === "healthy" ? "ok" : "bad"}">${report.status}</span> at
      ${report.timestamp}
    </p>
    ${table(
      "Checks",
      ["check", "healthy", "message", "details"],
      Object.entries(report.checks).map(([name, r]) => {
        const { healthy, message, ...details } = r;
        return [name, healthy ? "yes" : "NO", message, html`<pre>${JSON.stringify(details, null, 2)}</pre>`];
      }),
    )}`;
}
