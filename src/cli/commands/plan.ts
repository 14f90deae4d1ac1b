import type { PlannedChange, PlannedLanes } from "../../sync/index.js";
import { openReadOnlyContext, type GlobalOptions } from "../context.js";
import { plural, table } from "../output.js";
import { growHeapSlowly } from "./plan-memory.js";

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

/**
 * `plan --json` as one JSON object, `{"changes": […], "counts": …, "errors": …}`, written as it goes: each
 * change is printed when its page is detected (issue 16), so memory holds a page, not every change.
 */
class JsonChanges {
  private first = true;

  constructor() {
    process.stdout.write('{\n  "changes": [');
  }

  readonly add = (change: PlannedChange): void => {
    process.stdout.write(`${this.first ? "\n" : ",\n"}    ${JSON.stringify(change)}`);
    this.first = false;
  };

  end(rest: { counts: unknown; lanes: unknown; errors: unknown }): void {
    const tail = `,\n  "counts": ${JSON.stringify(rest.counts)},\n  "lanes": ${JSON.stringify(rest.lanes)},\n  "errors": ${JSON.stringify(rest.errors)}\n}\n`;
    process.stdout.write(`${this.first ? "" : "\n  "}]${tail}`);
  }
}

/** The terminal's list: the first `limit` changes kept, the rest only counted. */
class ChangeList {
  readonly shown: PlannedChange[] = [];
  more = 0;

  constructor(private readonly limit: number) {}

  readonly add = (change: PlannedChange): void => {
    if (this.shown.length < this.limit) this.shown.push(change);
    else this.more++;
  };
}

/** The lanes' line: what each lane takes and its expected cost from the budgets (issue 18). */
function lanesLine({ mutations, bulk }: PlannedLanes): string {
  const bulkPart = bulk
    ? `; ${bulk.kind} ${bulk.orders} orders, ${bulk.rows} rows in ${bulk.jobs}+ jobs${bulk.budgetHours !== undefined ? ` (${bulk.budgetHours} h of the 19,000-items-an-hour budget)` : ""}, processing time not documented by monday`
    : "";
  return `lanes: mutations ${mutations.orders} orders, ${mutations.writes} writes, about ${mutations.minutes} min of complexity budget${bulkPart}`;
}

/** `order-sync plan`: what a sync would do, column by column; reads the boards' schema, writes nothing to monday. */
export async function planCommand(
  opts: { customer?: string[]; limit: string },
  global: GlobalOptions,
): Promise<number> {
  const ctx = await openReadOnlyContext(global, "migrated");
  growHeapSlowly();
  try {
    const customers = opts.customer ? { customers: opts.customer } : {};
    if (global.json) {
      const out = new JsonChanges();
      const result = await ctx.app.plan({ ...customers, onChange: out.add });
      out.end(result);
      return result.errors.length ? 2 : 0;
    }
    const list = new ChangeList(Math.max(0, Number(opts.limit) || 0));
    const result = await ctx.app.plan({ ...customers, onChange: list.add });
    const c = result.counts;
    process.stdout.write(
      `plan: ${c.created} to create, ${c.updated} to update, ${c.archived} to archive, ${c.unchanged} unchanged, ${c.quarantined} that cannot be mapped${c.held ? `, ${c.held} held by a rollback` : ""}; ${plural(c.subitemsCreated, "subitem")} to create, ${c.subitemsUpdated} to update, ${c.subitemsArchived} to archive\n`,
    );
    process.stdout.write(`${lanesLine(result.lanes)}\n`);
    if (list.shown.length)
      process.stdout.write(
        `${table(
          ["customer", "order", "action", "lane", "columns"],
          list.shown.map((ch) => [ch.customer, ch.orderKey, ch.action, ch.lane ?? "-", columnsCell(ch)]),
        )}\n`,
      );
    if (list.more > 0) process.stdout.write(`… ${list.more} more (use --limit or --json)\n`);
    for (const e of result.errors) process.stdout.write(`! ${e.customer}: ${e.error}\n`);
    return result.errors.length ? 2 : 0;
  } finally {
    await ctx.close();
  }
}
