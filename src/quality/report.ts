import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { BUILT_IN_RULES, isBuiltInRule } from "../config/index.js";
import { SEVERITIES, SEVERITY_EFFECTS, type OrderAction, type Severity } from "./severity.js";
import { LISTED_ISSUES } from "./tally.js";
import type { Halt, ValidationResult } from "./types.js";
import { encodeValue, truncate } from "./values.js";

/** One offending row in a report. */
export interface ReportRow {
  customer: string;
  /** null for customer-level issues. */
  orderKey: string | null;
  rule: string;
  severity: Severity;
  column: string | null;
  /** The raw value as JSON text (NaN, Infinity and bigints as strings), at most 2,000 characters. */
  value: string;
  message: string;
  /** What happened to the order; HALT when the customer's run was halted (nothing of it was staged). */
  action: OrderAction | "HALT";
}

type SeverityCounts = Record<Severity, number>;
type ActionCounts = Record<OrderAction, number>;

/** Issues of one rule across customers. */
export interface RuleSection {
  rule: string;
  /** What the rule checks (built-in rules), or "user rule". */
  description: string;
  count: number;
  bySeverity: SeverityCounts;
  customers: string[];
  /** The rule's issues listed; `count` counts those not listed too (see `LISTED_ISSUES`). */
  rows: ReportRow[];
}

/** One customer's validation. */
export interface CustomerSection {
  customer: string;
  rows: number;
  orders: ActionCounts;
  halt: Halt | null;
  count: number;
  bySeverity: SeverityCounts;
  /** Its issues listed: all of its quarantined orders', and the first `LISTED_ISSUES` others (`count` counts all). */
  issues: ReportRow[];
}

/**
 * A run's validation report; `toJson` writes exactly this (version 1):
 * `{ version, generatedAt, batchId, totals: { customers, rows, issues, halted, haltedOrders, orders, bySeverity },
 *    rules: RuleSection[], customers: CustomerSection[] }`. Rules are sorted worst severity first, then by
 * count; customers by name; rows in validation order.
 */
export interface ValidationReport {
  version: 1;
  generatedAt: string;
  batchId: string | null;
  totals: {
    customers: number;
    rows: number;
    issues: number;
    /** Customers halted. */
    halted: number;
    /** Orders of halted customers (not in `orders`: nothing of theirs was staged). */
    haltedOrders: number;
    /** Orders of the customers that went on, by action. */
    orders: ActionCounts;
    bySeverity: SeverityCounts;
  };
  rules: RuleSection[];
  customers: CustomerSection[];
}

const zeroSeverities = (): SeverityCounts => ({ INFO: 0, WARNING: 0, ERROR: 0, CRITICAL: 0 });
const worstRank = (c: SeverityCounts) =>
  Math.max(-1, ...SEVERITIES.filter((s) => c[s] > 0).map((s) => SEVERITY_EFFECTS[s].rank));

/** The report's section of a rule, made on its first issue. */
function ruleSection(rules: Map<string, RuleSection>, id: string): RuleSection {
  let rule = rules.get(id);
  if (!rule) {
    rule = {
      rule: id,
      description: isBuiltInRule(id) ? BUILT_IN_RULES[id].description : "user rule",
      count: 0,
      bySeverity: zeroSeverities(),
      customers: [],
      rows: [],
    };
    rules.set(id, rule);
  }
  return rule;
}

/**
 * Builds the report of a run from its results (one per customer; merge pages first with `mergeResults`).
 *
 * @example
 * const report = buildReport([resultA, resultB], { batchId });
 * console.error(formatTerminal(report));
 * await writeReports("reports", report);
 */
export function buildReport(
  results: readonly ValidationResult[],
  options: { batchId?: string; generatedAt?: string } = {},
): ValidationReport {
  const rules = new Map<string, RuleSection>();
  const customers: CustomerSection[] = [];
  const totals: ValidationReport["totals"] = {
    customers: results.length,
    rows: 0,
    issues: 0,
    halted: 0,
    haltedOrders: 0,
    orders: { SYNC: 0, SYNC_WITH_WARNING: 0, QUARANTINE: 0 },
    bySeverity: zeroSeverities(),
  };
  for (const result of results) {
    const section: CustomerSection = {
      customer: result.customer,
      rows: result.rows,
      orders: { ...result.counts },
      halt: result.halt,
      count: result.issues.length,
      bySeverity: zeroSeverities(),
      issues: [],
    };
    totals.rows += result.rows;
    totals.issues += result.issues.length;
    if (result.halt) totals.halted++;
    // Orders of a halted customer are neither synced nor quarantined: they are counted apart.
    if (result.halt) totals.haltedOrders += result.orders;
    else for (const a of Object.keys(totals.orders) as OrderAction[]) totals.orders[a] += result.counts[a];
    for (const issue of result.issues) {
      const row: ReportRow = {
        customer: result.customer,
        orderKey: issue.orderKey,
        rule: issue.rule,
        severity: issue.severity,
        column: issue.column,
        value: encodeValue(issue.value),
        message: issue.message,
        action: result.halt ? "HALT" : issue.orderKey === null ? "SYNC" : result.action(issue.orderKey),
      };
      section.issues.push(row);
      section.bySeverity[issue.severity]++;
      totals.bySeverity[issue.severity]++;
      const rule = ruleSection(rules, issue.rule);
      rule.count++;
      rule.bySeverity[issue.severity]++;
      if (!rule.customers.includes(result.customer)) rule.customers.push(result.customer);
      rule.rows.push(row);
    }
    // Counted beyond the listing limit (ValidationTally): in every count, in no list of rows.
    for (const u of result.unlisted ?? []) {
      section.count += u.count;
      section.bySeverity[u.severity] += u.count;
      totals.issues += u.count;
      totals.bySeverity[u.severity] += u.count;
      const rule = ruleSection(rules, u.rule);
      rule.count += u.count;
      rule.bySeverity[u.severity] += u.count;
      if (!rule.customers.includes(result.customer)) rule.customers.push(result.customer);
    }
    customers.push(section);
  }
  return {
    version: 1,
    generatedAt: options.generatedAt ?? new Date().toISOString(),
    batchId: options.batchId ?? null,
    totals,
    rules: [...rules.values()].sort(
      (a, b) =>
        worstRank(b.bySeverity) - worstRank(a.bySeverity) || b.count - a.count || (a.rule < b.rule ? -1 : 1),
    ),
    customers: customers.sort((a, b) => (a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : 0)),
  };
}

/** The report as JSON text (2-space indented; the shape is {@link ValidationReport}). */
export function toJson(report: ValidationReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Makes text safe for a terminal: control characters (ANSI escapes included) become `\uXXXX`. */
/**
 * Text from data (keys, values, monday's messages) made safe to print: every C0/C1 control character,
 * ESC of a terminal escape sequence included, shown as `\u001b` instead of acting on the terminal.
 * Newlines too: a value never starts a line of its own.
 */
export function terminalSafe(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    out += c < 32 || (c >= 0x7f && c <= 0x9f) ? `\\u${c.toString(16).padStart(4, "0")}` : ch;
  }
  return out;
}

function table(header: string[], rows: string[][], rightAlign: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...(r[i] ?? "")].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const pad = " ".repeat(Math.max(0, (widths[i] ?? 0) - [...c].length));
        return rightAlign.has(i) ? pad + c : c + pad;
      })
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/**
 * A plain-text summary for the terminal: totals, halted customers, a rule × severity table and the
 * first `maxRows` offending rows, most severe first (only those of `minSeverity` or above).
 */
export function formatTerminal(
  report: ValidationReport,
  options: { maxRows?: number; minSeverity?: Severity } = {},
): string {
  const maxRows = options.maxRows ?? 20;
  const floor = options.minSeverity ? SEVERITY_EFFECTS[options.minSeverity].rank : -1;
  const t = report.totals;
  const out: string[] = [
    `Validation: ${t.customers} customer(s), ${t.rows} row(s): ${t.orders.SYNC} to sync, ` +
      `${t.orders.SYNC_WITH_WARNING} to sync with warnings, ${t.orders.QUARANTINE} quarantined; ` +
      `${t.halted} customer(s) halted (${t.haltedOrders} order(s) held back); ${t.issues} issue(s)`,
  ];
  for (const c of report.customers)
    if (c.halt) out.push(terminalSafe(`HALTED ${c.customer}: ${c.halt.reason}`));
  if (report.rules.length === 0) {
    out.push("No issues.");
    return out.join("\n");
  }
  out.push(
    "",
    table(
      ["rule", ...SEVERITIES, "total"],
      report.rules.map((r) => [
        terminalSafe(r.rule),
        ...SEVERITIES.map((s) => String(r.bySeverity[s])),
        String(r.count),
      ]),
      new Set([1, 2, 3, 4, 5]),
    ),
  );
  // Most severe first (stable: within a severity, by customer and order as validated).
  const rows = report.customers
    .flatMap((c) => c.issues)
    .filter((r) => SEVERITY_EFFECTS[r.severity].rank >= floor)
    .sort((a, b) => SEVERITY_EFFECTS[b.severity].rank - SEVERITY_EFFECTS[a.severity].rank);
  const shown = rows.slice(0, maxRows);
  const unlisted = t.issues - report.customers.reduce((n, c) => n + c.issues.length, 0);
  if (unlisted > 0)
    out.push(
      "",
      `${unlisted} issue(s) counted in the table but not listed (each customer lists those of its quarantined orders and ${LISTED_ISSUES} others)`,
    );
  out.push(
    "",
    `${rows.length > shown.length ? `First ${shown.length} of ${rows.length}` : `${rows.length}`} issue(s):`,
    table(
      ["customer", "order", "rule", "severity", "column", "value", "action", "message"],
      shown.map((r) =>
        [
          r.customer,
          r.orderKey ?? "-",
          r.rule,
          r.severity,
          r.column ?? "-",
          truncate(r.value, 40),
          r.action,
          truncate(r.message, 160),
        ].map(terminalSafe),
      ),
    ),
  );
  return out.join("\n");
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}.meta{color:#59636e;margin-bottom:16px}
table{border-collapse:collapse;margin:6px 0 12px;width:100%}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
td.v{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all;max-width:360px}
.sev{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;font-weight:600}
.INFO{background:#ddf4ff;color:#0969da}.WARNING{background:#fff8c5;color:#7d4e00}
.ERROR{background:#ffebe9;color:#cf222e}.CRITICAL{background:#cf222e;color:#fff}
.halt{border:2px solid #cf222e;background:#ffebe9;padding:8px 12px;margin:8px 0;border-radius:6px}
.ok{color:#1a7f37}.more{color:#59636e;font-style:italic}nav a{margin-right:10px}
`;

const sev = (s: Severity) => `<span class="sev ${s}">${s}</span>`;

function rowsTable(
  rows: readonly ReportRow[],
  max: number,
  withCustomer: boolean,
  withRule: boolean,
): string {
  const head = [
    ...(withCustomer ? ["Customer"] : []),
    "Order",
    ...(withRule ? ["Rule"] : []),
    "Severity",
    "Column",
    "Value",
    "Message",
    "Action",
  ];
  const body = rows
    .slice(0, max)
    .map(
      (r) =>
        `<tr>${withCustomer ? `<td>${escapeHtml(r.customer)}</td>` : ""}<td>${escapeHtml(r.orderKey ?? "—")}</td>${
          withRule ? `<td>${escapeHtml(r.rule)}</td>` : ""
        }<td>${sev(r.severity)}</td><td>${escapeHtml(r.column ?? "—")}</td><td class="v">${escapeHtml(r.value)}</td><td>${escapeHtml(
          r.message,
        )}</td><td>${escapeHtml(r.action)}</td></tr>`,
    )
    .join("\n");
  const more =
    rows.length > max ? `<p class="more">… and ${rows.length - max} more (see the JSON report)</p>` : "";
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>\n${body}\n</tbody></table>${more}`;
}

/**
 * One self-contained HTML page (inline CSS, no scripts, no external assets; every value escaped):
 * totals, halted customers, a rule × severity table, then a section per rule and per customer with
 * the offending rows (at most `maxRowsPerSection` each; the JSON report lists all a customer lists: see
 * `LISTED_ISSUES`).
 */
export function toHtml(report: ValidationReport, options: { maxRowsPerSection?: number } = {}): string {
  const max = options.maxRowsPerSection ?? 500;
  const t = report.totals;
  const title = `order-sync validation report${report.batchId ? ` — ${report.batchId}` : ""}`;
  const halts = report.customers
    .filter((c) => c.halt)
    .map(
      (c) =>
        `<div class="halt"><strong>Halted: ${escapeHtml(c.customer)}</strong> — ${escapeHtml(c.halt?.reason ?? "")}</div>`,
    )
    .join("\n");
  const summary = report.rules.length
    ? `<table><thead><tr><th>Rule</th>${SEVERITIES.map((s) => `<th>${sev(s)}</th>`).join("")}<th>Total</th><th>Customers</th></tr></thead><tbody>
${report.rules
  .map(
    (r, i) =>
      `<tr><td><a href="#rule-${i}">${escapeHtml(r.rule)}</a></td>${SEVERITIES.map(
        (s) => `<td class="n">${r.bySeverity[s]}</td>`,
      ).join("")}<td class="n">${r.count}</td><td>${escapeHtml(r.customers.join(", "))}</td></tr>`,
  )
  .join("\n")}
</tbody></table>`
    : `<p class="ok">No issues: every order passed validation.</p>`;
  const ruleSections = report.rules
    .map(
      (r, i) =>
        `<section id="rule-${i}"><h3>${escapeHtml(r.rule)} <small>(${r.count})</small></h3><p>${escapeHtml(r.description)}</p>${rowsTable(
          r.rows,
          max,
          true,
          false,
        )}</section>`,
    )
    .join("\n");
  const customerSections = report.customers
    .map(
      (c, i) =>
        `<section id="customer-${i}"><h3>${escapeHtml(c.customer)}</h3><p>${c.rows} row(s): ${c.orders.SYNC} to sync, ${
          c.orders.SYNC_WITH_WARNING
        } with warnings, ${c.orders.QUARANTINE} quarantined${c.halt ? ` — <strong>halted</strong>: ${escapeHtml(c.halt.reason)}` : ""}</p>${
          c.issues.length ? rowsTable(c.issues, max, false, true) : `<p class="ok">No issues.</p>`
        }</section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Generated ${escapeHtml(report.generatedAt)} · ${t.customers} customer(s) · ${t.rows} row(s) · ${t.orders.SYNC} to sync · ${
    t.orders.SYNC_WITH_WARNING
  } with warnings · ${t.orders.QUARANTINE} quarantined · ${t.halted} customer(s) halted (${t.haltedOrders} order(s) held back) · ${t.issues} issue(s)</p>
<nav><a href="#by-rule">By rule</a><a href="#by-customer">By customer</a></nav>
${halts}
<h2>Summary</h2>
${summary}
<h2 id="by-rule">By rule</h2>
${ruleSections || `<p class="ok">No issues.</p>`}
<h2 id="by-customer">By customer</h2>
${customerSections}
</body>
</html>
`;
}

/**
 * Writes `validation-<batch>.json` and `.html` into `dir` (created if missing); returns their paths.
 */
export async function writeReports(
  dir: string,
  report: ValidationReport,
  name: string = report.batchId ?? report.generatedAt,
): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const stem = `validation-${name.replace(/[^A-Za-z0-9_.-]+/g, "-")}`;
  const json = join(dir, `${stem}.json`);
  const html = join(dir, `${stem}.html`);
  await writeNoFollow(json, toJson(report));
  await writeNoFollow(html, toHtml(report));
  return { json, html };
}

/**
 * Writes `file` without ever following a link: the text goes to a new file of a random name (`wx`: fails
 * rather than open anything that exists, a planted symlink included), which then replaces `file` by
 * rename. A symlink planted at `file` is replaced itself; what it pointed to is never touched.
 */
async function writeNoFollow(file: string, text: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, text, { encoding: "utf8", flag: "wx", mode: 0o644 });
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}
