import { migrateToLatest } from "../../db/index.js";
import { hasRetention, prune, type PruneReport } from "../../retention/index.js";
import { openContext, openReadOnlyContext, type GlobalOptions } from "../context.js";
import { plural, printJson, table } from "../output.js";

/** The terminal form of a prune: rows per table, report files, and the cut-offs. */
export function pruneText(r: PruneReport): string {
  const verb = r.dryRun ? "would remove" : "removed";
  const since = (at: string | undefined) => (at ? `older than ${at}` : "kept (no age set)");
  const rows: Array<[string, string, string]> = [
    ["MON_ChangeLog", plural(r.rows.MON_ChangeLog, "row"), since(r.before.changeLog)],
    ["MON_SyncRuns", plural(r.rows.MON_SyncRuns, "row"), since(r.before.runs)],
    ["MON_SyncRunCustomers", plural(r.rows.MON_SyncRunCustomers, "row"), since(r.before.runs)],
    ["report files", plural(r.reportFiles.length, "file"), since(r.before.reports)],
  ];
  return [
    `prune${r.dryRun ? " (dry run)" : ""}: ${verb}`,
    table(["what", verb, "retention"], rows),
    ...r.reportFiles.map((f) => `  ${f}`),
    ...r.notes.map((n) => `note: ${n}`),
    "",
  ].join("\n");
}

/**
 * `order-sync prune [--dry-run]`: applies the config's `retention` (superseded change-log entries, finished
 * runs with no change log left, old per-run report files); `--dry-run` opens the database read-only.
 */
export async function pruneCommand(opts: { dryRun?: boolean }, global: GlobalOptions): Promise<number> {
  const dryRun = opts.dryRun === true;
  const ctx = dryRun ? await openReadOnlyContext(global, "migrated") : await openContext(global);
  try {
    if (!hasRetention(ctx.settings))
      process.stderr.write(
        "order-sync: no retention set (e.g. retention: { runs: 90d, changeLog: 180d, reports: 30d } in the config): nothing to prune\n",
      );
    if (!dryRun) await migrateToLatest(ctx.db);
    const report = await prune(ctx.db, ctx.settings, { dryRun });
    if (global.json) printJson(report);
    else process.stdout.write(pruneText(report));
    return 0;
  } finally {
    await ctx.close();
  }
}
