import { openReadOnlyContext, type GlobalOptions } from "../context.js";
import { customerMismatches, describeMismatches } from "../customers.js";
import { printJson, table } from "../output.js";

/** `order-sync doctor`: database, source table, token, and every board mapping; writes nothing. */
export async function doctorCommand(global: GlobalOptions): Promise<number> {
  const ctx = await openReadOnlyContext(global, "none");
  try {
    const report = await ctx.app.doctor(ctx.settings.monday.token ? undefined : undefinedMonday);
    const mismatches = await customerMismatches(ctx.db, ctx.settings).catch(() => undefined);
    for (const detail of mismatches ? describeMismatches(mismatches) : [])
      report.checks.push({ check: "customers", ok: false, detail });
    if (global.json) printJson({ ...report, customers: mismatches });
    else
      process.stdout.write(
        `${table(
          ["check", "", "detail"],
          report.checks.map((c) => [c.check, c.ok ? "ok" : "FAIL", c.detail]),
        )}\n`,
      );
    return report.exitCode;
  } finally {
    await ctx.close();
  }
}

/** Stands in for monday.com when there is no token: doctor reports that before calling it. */
const undefinedMonday = {
  requests: 0,
  getBoards: () => Promise.reject(new Error("no token")),
  findItemsByKey: () => Promise.reject(new Error("no token")),
  createGroup: () => Promise.reject(new Error("no token")),
  write: () => Promise.reject(new Error("no token")),
};
