import type { Command } from "commander";
import type { ReconcileReport } from "../../sync/index.js";
import { openContext, type GlobalOptions } from "../context.js";
import { formatSummary, plural, printJson, summaryJson } from "../output.js";

/** Data from the board or the database, quoted and escaped for the terminal (no control characters pass). */
const q = (value: string | null): string => (value === null ? "(empty)" : JSON.stringify(value));

/** The most lines of each kind the terminal shows (all of them are in `--json`). */
const SHOWN = 20;

function section<T>(title: string, rows: readonly T[], line: (row: T) => string): string[] {
  if (rows.length === 0) return [];
  const lines = [`${title}: ${rows.length}`, ...rows.slice(0, SHOWN).map((r) => `  ${line(r)}`)];
  if (rows.length > SHOWN) lines.push(`  … ${rows.length - SHOWN} more (use --json)`);
  return lines;
}

/** The human form of a reconcile report. */
function formatReport(r: ReconcileReport): string {
  const lines = r.boards.map(
    (b) =>
      `board ${b.boardId}: ${plural(b.itemsOnBoard, "item")} on the board, ${b.itemsInState} in the sync state`,
  );
  lines.push(
    ...section(
      "on the board, not in the database",
      r.onBoardOnly,
      (u) => `item ${u.itemId} key ${q(u.key)} ${q(u.name)}`,
    ),
    ...section(
      "in the database, not on the board",
      r.inDatabaseOnly,
      (m) => `${q(m.customer)} order ${q(m.orderKey)} (item ${m.itemId})`,
    ),
    ...section(
      "values that differ",
      r.valuesDiffer,
      (d) =>
        `${q(d.customer)} order ${q(d.orderKey)} ${d.field}: database ${q(d.database)}, board ${q(d.board)}`,
    ),
    ...section(
      "keys on more than one item",
      r.duplicateKeys,
      (d) => `board ${d.boardId} key ${q(d.key)}: items ${d.itemIds.join(", ")}`,
    ),
  );
  for (const e of r.errors) lines.push(`! ${q(e.customer)}: ${e.error}`);
  const drift =
    r.onBoardOnly.length + r.inDatabaseOnly.length + r.valuesDiffer.length + r.duplicateKeys.length;
  lines.push(
    drift === 0
      ? `the boards match the database (${plural(r.requests, "monday.com request")})`
      : `${plural(drift, "difference")} (${plural(r.requests, "monday.com request")})`,
  );
  if (r.repair)
    lines.push(
      `repaired: ${plural(r.repair.dropped, "state row")} of items gone dropped, ${r.repair.marked} ${r.repair.marked === 1 ? "order's" : "orders'"} differing values marked; then:`,
      formatSummary(r.repair.sync),
    );
  return lines.join("\n");
}

/**
 * `order-sync reconcile [--customer C ...] [--dry-run]`: the boards read whole and compared with the sync
 * state; prints what differs. Without `--dry-run` it repairs (a sync of those customers follows) and exits
 * with the sync's code; with it, exit 1 when anything differs.
 */
export async function reconcileCommand(
  opts: { customer?: string[]; dryRun?: boolean },
  global: GlobalOptions,
): Promise<number> {
  const ctx = await openContext(global);
  try {
    const report = await ctx.app.reconcile({
      ...(opts.customer ? { customers: opts.customer } : {}),
      dryRun: opts.dryRun ?? false,
    });
    if (global.json)
      printJson(
        report.repair
          ? { ...report, repair: { ...report.repair, sync: summaryJson(report.repair.sync) } }
          : report,
      );
    else process.stdout.write(`${formatReport(report)}\n`);
    if (report.errors.length) return 2;
    if (report.repair) return report.repair.sync.exitCode;
    const drift =
      report.onBoardOnly.length +
      report.inDatabaseOnly.length +
      report.valuesDiffer.length +
      report.duplicateKeys.length;
    return drift > 0 ? 1 : 0;
  } finally {
    await ctx.close();
  }
}

/** Registers `reconcile` on the program (`run` turns a command's exit code into the process's). */
export function addReconcileCommand(
  program: Command,
  run: (fn: (...args: never[]) => Promise<number>) => (...args: unknown[]) => Promise<void>,
  global: (cmd: Command) => GlobalOptions,
): void {
  program
    .command("reconcile")
    .description(
      "compare the boards with the sync state by key: items on the board only, orders whose item is gone, values that differ; repairs them (then syncs) unless --dry-run",
    )
    .option("--customer <name...>", "only these customers")
    .option("--dry-run", "only report what differs (exit 1 when anything does)")
    .action(
      run((o: { customer?: string[]; dryRun?: boolean }, cmd: Command) => reconcileCommand(o, global(cmd))),
    );
}
