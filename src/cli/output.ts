import { formatTerminal, terminalSafe } from "../quality/index.js";
import type { SyncEvents, SyncSummary } from "../sync/index.js";

/** Writes one JSON document to stdout (the `--json` contract: one object, nothing else on stdout). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
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

/** The human summary of a sync run. */
export function formatSummary(s: SyncSummary): string {
  const rows = s.customers.map((c) => [
    c.customer,
    c.counts.created,
    c.counts.updated,
    c.counts.archived,
    c.counts.unchanged,
    c.counts.failed + c.counts.dead,
    c.counts.quarantined,
    c.counts.subitemsCreated + c.counts.subitemsUpdated + c.counts.subitemsArchived,
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
  ]);
  const lines = [
    `batch ${s.batchId}: ${s.status} in ${(s.durationMs / 1000).toFixed(1)} s, ${s.apiRequests} monday.com API requests`,
    table(
      ["customer", "created", "updated", "archived", "unchanged", "failed", "quarantined", "subitems"],
      rows,
    ),
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
    lines.push(`… and ${s.failures.length - 20} more failed rows (see \`order-sync status\`)`);
  return lines.join("\n");
}

/**
 * A one-line progress display on stderr for long runs, only on a terminal; returns a function that
 * clears it.
 */
export function attachProgress(events: SyncEvents, stream: NodeJS.WriteStream = process.stderr): () => void {
  if (!stream.isTTY) return () => undefined;
  const done = new Map<string, string>();
  let last = 0;
  const render = () => {
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    const line = [...done.entries()].map(([c, p]) => `${c}: ${p}`).join(" | ");
    stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 120) - 1)}`);
  };
  events.on("progress", (e) => {
    done.set(e.customer, `${e.phase} ${e.done}`);
    render();
  });
  events.on("customerDone", (e) => {
    done.set(e.customer, e.ok ? "done" : "failed");
    render();
  });
  return () => stream.write("\r\x1b[2K");
}
