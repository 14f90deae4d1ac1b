import { html } from "hono/html";
import {
  ANALYTICS_VIEWS,
  type AnalyticsFilter,
  type AnalyticsView,
  type PageRequest,
  type ViewResult,
} from "../../analytics/index.js";
import { chart, pager, table, type Html } from "./layout.js";

/** `/analytics`: the list of views. */
export function analyticsIndexPage(): Html {
  return html`<ul>
    ${ANALYTICS_VIEWS.map(
      (v) =>
        html`<li>
          <a href="/analytics/${v.name}">${v.title}</a>: ${v.description}. JSON at
          <code>/api/analytics/${v.name}</code>.
        </li>`,
    )}
  </ul>`;
}

/** The chart a view draws, when it has one. */
function viewChart(view: AnalyticsView, result: ViewResult): Html | string {
  const rows = result.rows;
  const col = (name: string) => rows.map((r) => (typeof r[name] === "number" ? (r[name] as number) : null));
  if (view.name === "throughput")
    return chart("chart-throughput", "Done orders per ex-factory week", {
      x: rows.map((r) => Date.parse(`${String(r.week)}T00:00:00Z`) / 1000),
      time: true,
      bars: true,
      series: [{ label: "orders", values: col("orders") }],
    });
  if (view.name === "lead-times")
    return chart("chart-lead-times", "Orders by days from ex-factory to delivery", {
      x: rows.map((r) => r.days_from as number),
      time: false,
      bars: true,
      series: [{ label: "orders", values: col("orders") }],
    });
  if (view.name === "wip")
    return chart("chart-wip", "Orders by status (x: status in table order)", {
      x: rows.map((_, i) => i + 1),
      time: false,
      bars: true,
      series: [{ label: "orders", values: col("orders") }],
    });
  if (view.name === "time-in-status")
    return chart("chart-time-in-status", "Average hours in each status (x: status in table order)", {
      x: rows.map((_, i) => i + 1),
      time: false,
      bars: true,
      series: [{ label: "average hours", values: col("avg_hours") }],
    });
  return "";
}

/** `/analytics/:name`: filters, CSV link, chart and table. */
export function analyticsViewPage(
  view: AnalyticsView,
  result: ViewResult,
  filter: AnalyticsFilter,
  page: PageRequest,
  query: Record<string, string>,
  computedAt: string,
): Html {
  const csv = new URLSearchParams({ ...query, format: "csv" });
  return html`<p>${view.description}.</p>
    <form class="filters" method="get" aria-label="Filters">
      <label>Customer<input name="customer" value="${filter.customer ?? ""}" /></label>
      <label>Season<input name="season" value="${filter.season ?? ""}" size="6" /></label>
      <label>As of<input type="date" name="asOf" value="${filter.asOf}" /></label>
      <label
        >Days ahead (at risk)<input type="number" min="0" name="days" value="${filter.days}" size="4"
      /></label>
      <label>Done statuses<input name="done" value="${filter.doneStatuses.join(",")}" /></label>
      <label>Advanced statuses<input name="advanced" value="${filter.advancedStatuses.join(",")}" /></label>
      <button type="submit">Apply</button>
    </form>
    <p>
      <a href="/analytics/${view.name}?${csv.toString()}" download="${view.name}.csv">Download CSV</a> ·
      <a href="/api/analytics/${view.name}?${new URLSearchParams(query).toString()}">JSON</a> · figures
      computed at <time datetime="${computedAt}">${computedAt}</time>
    </p>
    ${viewChart(view, result)}
    ${table(
      view.title,
      view.columns,
      result.rows.map((r) => view.columns.map((c) => r[c] ?? null)),
    )}
    ${view.paged ? pager(`/analytics/${view.name}`, withoutPage(query), page.offset, page.limit, result.total) : ""}`;
}

const withoutPage = (q: Record<string, string>) =>
  Object.fromEntries(Object.entries(q).filter(([k]) => k !== "offset" && k !== "limit" && k !== "format"));
