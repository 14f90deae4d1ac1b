import { openReadOnlyContext, type GlobalOptions } from "../context.js";
import type { PlannedChange } from "../../sync/index.js";
import { plural, printJson, table } from "../output.js";

/** A value as `plan` shows it: JSON, cut to 40 characters (`null` when the state had none). */
function shown(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** The columns cell: `reason` for a quarantine, old → new for an update, the column ids otherwise. */
function columnsCell(ch: PlannedChange): string {
  if (ch.reason) return ch.reason;
  if (!ch.values) return ch.columns.join(", ");
  return Object.entries(ch.values)
    .map(([id, v]) => `${id}: ${shown(v.from)} → ${shown(v.to)}`)
    .join("; ");
}

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
        `plan: ${c.created} to create, ${c.updated} to update, ${c.archived} to archive, ${c.unchanged} unchanged, ${c.quarantined} that cannot be mapped${c.held ? `, ${c.held} held by a rollback` : ""}; ${plural(c.subitemsCreated, "subitem")} to create, ${c.subitemsUpdated} to update, ${c.subitemsArchived} to archive\n`,
      );
      const limit = Math.max(0, Number(opts.limit) || 0);
      if (result.changes.length)
        process.stdout.write(
          `${table(
            ["customer", "order", "action", "columns"],
            result.changes
              .slice(0, limit)
              .map((ch) => [ch.customer, ch.orderKey, ch.action, columnsCell(ch)]),
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
