import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** What a page renders to (hono's escaped HTML). */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const NAV: readonly [string, string][] = [
  ["/", "Runs"],
  ["/customers", "Customers"],
  ["/attention", "Rows that need a person"],
  ["/two-way", "Two-way sync"],
  ["/status", "Health"],
  ["/analytics", "Analytics"],
];

const CSS = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}
header{background:#1f3a5f;color:#fff;padding:.5rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff}header a[aria-current=page]{font-weight:700;text-decoration:underline 3px}
main{padding:1rem;max-width:80rem}nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0;flex-wrap:wrap}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #c6ccd2;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#a4001d;font-weight:600}.ok{color:#0b6b2b;font-weight:600}
form.filters{display:flex;gap:.75rem;flex-wrap:wrap;align-items:end}label{display:flex;flex-direction:column;font-size:.85rem}
.chart{margin:1rem 0}pre{white-space:pre-wrap;margin:0;max-width:40rem}
`;

/** Escapes JSON for a `<script type="application/json">` block. */
export function jsonScript(id: string, data: unknown): HtmlEscapedString {
  const text = JSON.stringify(data)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026");
  return raw(`<script type="application/json" id="${id}">${text}</script>`);
}

/** The page shell: skip link, navigation with the current page marked, and the chart scripts when asked. */
export function page(title: string, path: string, body: Html, opts: { charts?: boolean } = {}): Html {
  const current = (href: string) =>
    href === "/" ? path === "/" || path.startsWith("/runs") : path.startsWith(href);
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · order-sync</title>
        <style>
          ${raw(CSS)}
        </style>
        ${opts.charts ? html`<link rel="stylesheet" href="/assets/uPlot.min.css" />` : ""}
      </head>
      <body>
        <header>
          <strong>order-sync</strong>
          <nav aria-label="Dashboard">
            <ul>
              ${NAV.map(([href, label]) => html`<li><a href="${href}" ${current(href) ? raw(' aria-current="page"') : ""}>${label}</a></li>`)}
            </ul>
          </nav>
          <form method="post" action="/logout"><button type="submit">Log out</button></form>
        </header>
        <main id="main">
          <h1>${title}</h1>
          ${body}
        </main>
        ${
          opts.charts
            ? html`<script src="/assets/uPlot.iife.min.js"></script>
                <script src="/assets/dashboard.js"></script>`
            : ""
        }
      </body>
    </html>`;
}

/** A table with a caption; numbers right-aligned. */
export function table(
  caption: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Html {
  return html`<table>
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        ${columns.map((c) => html`<th scope="col">${c}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${
        rows.length
          ? ""
          : html`<tr>
              <td colspan="${columns.length}">none</td>
            </tr>`
      }
      ${rows.map(
        (r) =>
          html`<tr>
            ${r.map((v) => (typeof v === "number" ? html`<td class="n">${v}</td>` : html`<td>${v ?? ""}</td>`))}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** A chart drawn by /assets/dashboard.js from a JSON block: x values and named series. */
export function chart(
  id: string,
  label: string,
  data: {
    x: readonly number[];
    time: boolean;
    bars?: boolean;
    series: { label: string; values: readonly (number | null)[] }[];
  },
): Html {
  return html`<figure class="chart">
    <div role="img" aria-label="${label}" data-chart="${id}"></div>
    <figcaption>${label} (the table below has the same figures)</figcaption>
    ${jsonScript(id, data)}
  </figure>`;
}

/** Previous / next links of a paged list, keeping the other query parameters. */
export function pager(
  path: string,
  query: Record<string, string>,
  offset: number,
  limit: number,
  total: number,
  param = "offset",
  label = "Pages",
): Html {
  const link = (o: number, text: string) => {
    const q = new URLSearchParams({ ...query, [param]: String(o), limit: String(limit) });
    return html`<a href="${path}?${q.toString()}">${text}</a>`;
  };
  const last = Math.min(total, offset + limit);
  return html`<nav aria-label="${label}">
    <p>
      ${total ? `${offset + 1}–${last}` : "0"} of ${total}
      ${offset > 0 ? link(Math.max(0, offset - limit), "previous") : ""}
      ${last < total ? link(offset + limit, "next") : ""}
    </p>
  </nav>`;
}
