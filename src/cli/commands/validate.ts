import { resolve } from "node:path";
import { formatTerminal, toJson, writeReports, type Severity } from "../../quality/index.js";
import { EXIT } from "../../sync/index.js";
import { openReadOnlyContext, type GlobalOptions } from "../context.js";
import { positiveInt } from "./init.js";
import { growHeapSlowly } from "./plan-memory.js";

/** `validate`'s flags. */
export interface ValidateFlags {
  customer?: string[];
  reportDir?: string;
  severity?: Severity;
  limit?: string;
}

/**
 * `order-sync validate`: the data-quality report of every open order (terminal summary, JSON and HTML
 * files); reads the database and the boards' schema, writes nothing to either.
 */
export async function validateCommand(opts: ValidateFlags, global: GlobalOptions): Promise<number> {
  const limit = positiveInt(opts.limit ?? "20", "--limit", 1_000_000);
  const ctx = await openReadOnlyContext(global, "none");
  growHeapSlowly();
  try {
    const { results, report } = await ctx.app.validate(opts.customer ? { customers: opts.customer } : {});
    const dir = resolve(ctx.settings.baseDir, opts.reportDir ?? ctx.settings.config.quality.reportDir);
    const files = await writeReports(dir, report);
    if (global.json) process.stdout.write(`${toJson(report)}\n`);
    else
      process.stdout.write(
        `${formatTerminal(report, { maxRows: limit, ...(opts.severity ? { minSeverity: opts.severity } : {}) })}\nreport: ${files.html} (JSON: ${files.json})\n`,
      );
    if (results.some((r) => r.halt)) return EXIT.halted;
    return results.some((r) => r.counts.QUARANTINE > 0) ? EXIT.rowsFailed : EXIT.ok;
  } finally {
    await ctx.close();
  }
}
