import { openReadOnlyContext, type GlobalOptions } from "../context.js";
import { printJson, table } from "../output.js";

/** `order-sync plan`: what a sync would do, column by column; reads the boards' schema, writes nothing to monday. */
export async function planCommand(
  opts: { customer?: string[]; limit: string },
  global: GlobalOptions,
): Promise<number> {
  const ctx = await openReadOnlyContext(global, "migrated");
  try {
    const result = await ctx.app.plan(opts.customer ? { customers: opts.customer } : {});
    if (global.json) {
      printJson(result);
    } else {
      const c = result.counts;
      process.stdout.write(
        `plan: ${c.created} to create, ${c.updated} to update, ${c.archived} to archive, ${c.unchanged} unchanged, ${c.quarantined} that cannot be mapped${c.held ? `, ${c.held} held by a rollback` : ""}\n`,
      );
      const { mutations, bulk } = result.lanes;
      process.stdout.write(
        `lanes: mutations ${mutations.orders} orders, ${mutations.writes} writes, about ${mutations.minutes} min of complexity budget${bulk ? `; ${bulk.kind} ${bulk.orders} orders, ${bulk.rows} rows in ${bulk.jobs}+ jobs${bulk.budgetHours !== undefined ? ` (${bulk.budgetHours} h of the 19,000-items-an-hour budget)` : ""}, processing time not documented by monday` : ""}\n`,
      );
      const limit = Math.max(0, Number(opts.limit) || 0);
      if (result.changes.length)
        process.stdout.write(
          `${table(
            ["customer", "order", "action", "lane", "columns"],
            result.changes
              .slice(0, limit)
              .map((ch) => [
                ch.customer,
                ch.orderKey,
                ch.action,
                ch.lane ?? "-",
                ch.reason ?? ch.columns.join(", "),
              ]),
          )}\n`,
        );
      if (result.changes.length > limit)
        process.stdout.write(`… ${result.changes.length - limit} more (use --limit or --json)\n`);
      for (const e of result.errors) process.stdout.write(`! ${e.customer}: ${e.error}\n`);
    }
    return result.errors.length ? 2 : 0;
  } finally {
    await ctx.close();
  }
}
