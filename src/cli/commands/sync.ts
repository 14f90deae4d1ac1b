import { attachSyncLogging } from "../../observe/index.js";
import { openContext, type GlobalOptions } from "../context.js";
import { customerMismatches, describeMismatches } from "../customers.js";
import { liveFor } from "../live.js";
import { formatSummary, printJson, summaryJson } from "../output.js";

/**
 * `order-sync sync [--customer C ...]`: one run of the pipeline; the exit code says how it went.
 * SIGTERM or Ctrl-C stops it gracefully (the request in flight is recorded; the rest stays PENDING);
 * a second signal exits at once.
 */
export async function syncCommand(opts: { customer?: string[] }, global: GlobalOptions): Promise<number> {
  const live = liveFor(global);
  const ctx = await openContext(global, process.env, live && ((text) => live.print(text)));
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130);
    ctx.log.warn({ signal }, "stopping after the request in flight (send it again to exit at once)");
    stop.abort(new Error(`${signal} received`));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    attachSyncLogging(ctx.app.events, ctx.log);
    const clearProgress = live ? live.attach(ctx.app.events) : () => undefined;
    const summary = await ctx.app.sync({
      ...(opts.customer ? { customers: opts.customer } : {}),
      command: "sync",
      signal: stop.signal,
    });
    clearProgress();
    const mismatches = await customerMismatches(ctx.db, ctx.settings).catch(() => undefined);
    const warnings = mismatches ? describeMismatches(mismatches) : [];
    for (const w of warnings) ctx.log.warn({ batchId: summary.batchId }, w);
    if (global.json) printJson({ ...(summaryJson(summary) as object), customerMismatches: mismatches });
    else
      process.stdout.write(
        `${[formatSummary(summary, { quiet: global.quiet }), ...warnings.map((w) => `! ${w}`)].join("\n")}\n`,
      );
    return summary.exitCode;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await ctx.close();
  }
}
