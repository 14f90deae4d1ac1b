import { runSync, SyncEvents } from "../../sync/index.js";
import { attachSyncLogging } from "../../observe/index.js";
import { mondayFor, openContext, type GlobalOptions } from "../context.js";
import { attachProgress, formatSummary, printJson, summaryJson } from "../output.js";

/** `order-sync sync [--customer C ...]`: one run of the pipeline; the exit code says how it went. */
export async function syncCommand(opts: { customer?: string[] }, global: GlobalOptions): Promise<number> {
  const ctx = await openContext(global);
  try {
    const events = new SyncEvents();
    attachSyncLogging(events, ctx.log);
    const clearProgress = global.json ? () => undefined : attachProgress(events);
    const summary = await runSync(
      { settings: ctx.settings, db: ctx.db, monday: mondayFor(ctx.settings), events },
      { ...(opts.customer ? { customers: opts.customer } : {}), command: "sync" },
    );
    clearProgress();
    if (global.json) printJson(summaryJson(summary));
    else process.stdout.write(`${formatSummary(summary)}\n`);
    return summary.exitCode;
  } finally {
    await ctx.close();
  }
}
