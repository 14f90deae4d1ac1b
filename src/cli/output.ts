import { formatTerminal, terminalSafe } from "../quality/index.js";
import type { SyncSummary } from "../sync/index.js";

/** Writes one JSON document to stdout (the `--json` contract: one object, nothing else on stdout). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** `1 request`, `2 requests`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Left-aligned text table. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  // Cells hold data (keys, customers, errors): escape sequences in them never reach the terminal.
  const cells = [header, ...rows].map((r) => r.map((c) => terminalSafe(String(c))));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  "))
    .join("\n");
}

/** The `--json` form of a run summary: the validation report stays in its files, not on stdout. */
export function summaryJson(s: SyncSummary): unknown {
  const { report: _report, ...validation } = s.validation;
  return { ...s, validation };
}

/** The human summary of a sync run; `quiet`: its first line and the customers that failed. */
export function formatSummary(s: SyncSummary, options: { quiet?: boolean } = {}): string {
  const head = `batch ${s.batchId}: ${s.status} in ${(s.durationMs / 1000).toFixed(1)} s, ${plural(s.apiRequests, "monday.com API request")}`;
  const errors = s.customers.filter((c) => c.error).map((c) => terminalSafe(`! ${c.customer}: ${c.error}`));
  if (options.quiet) return [head, ...errors].join("\n");
  const rows = s.customers.map((c) => [
    c.customer,
    c.counts.created,
    c.counts.updated,
    c.counts.archived,
    c.counts.unchanged,
    c.counts.failed + c.counts.dead,
    c.counts.quarantined,
    c.counts.subitemsCreated + c.counts.subitemsUpdated + c.counts.subitemsArchived,
    c.counts.adopted,
  ]);
  const t = s.counts;
  rows.push([
    "total",
    t.created,
    t.updated,
    t.archived,
    t.unchanged,
    t.failed + t.dead,
    t.quarantined,
    t.subitemsCreated + t.subitemsUpdated + t.subitemsArchived,
    t.adopted,
  ]);
  const lines = [
    head,
    table(
      [
        "customer",
        "created",
        "updated",
        "archived",
        "unchanged",
        "failed",
        "quarantined",
        "subitems",
        "adopted",
      ],
      rows,
    ),
    ...errors,
  ];
  for (const c of s.customers.filter((c) => c.error)) lines.push(terminalSafe(`! ${c.customer}: ${c.error}`));
  if (s.validation.issues > 0) {
    lines.push("", formatTerminal(s.validation.report, { maxRows: 10 }));
    if (s.validation.files)
      lines.push(`validation report: ${s.validation.files.html} (JSON: ${s.validation.files.json})`);
  }
  for (const f of s.failures.slice(0, 20))
    lines.push(terminalSafe(`! ${f.customer} ${f.orderKey} ${f.action} → ${f.status}: ${f.error}`));
  if (s.failures.length > 20)
    lines.push(`… and ${s.failures.length - 20} more failed rows (see \`order-sync failures\`)`);
  return lines.join("\n");
}
