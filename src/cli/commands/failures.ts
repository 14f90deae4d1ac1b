import type { Db } from "../../db/index.js";
import { openReadOnlyContext, type GlobalOptions } from "../context.js";
import { plural, printJson, table } from "../output.js";

/** One order that did not reach its board, and why. */
export interface Failure {
  customer: string;
  orderKey: string;
  /** FAILED (retried by the next run), DEAD (needs a person) or QUARANTINED (a data-quality ERROR). */
  state: "FAILED" | "DEAD" | "QUARANTINED";
  action: string;
  attempts: number;
  lastTry: string;
  error: string;
}

/** FAILED and DEAD staged orders, and quarantined orders (`MON_Quarantine`, one entry per order). */
export async function listFailures(db: Db, customers?: readonly string[]): Promise<Failure[]> {
  let staged = db.kysely
    .selectFrom("STG_MON_CustMasterSchedule")
    .select(["customer", "order_key", "stg_status", "action", "attempts", "stg_updated_date", "last_error"])
    .where("stg_status", "in", ["FAILED", "DEAD"]);
  let held = db.kysely
    .selectFrom("MON_Quarantine")
    .select(["customer", "order_key", "rule", "column_name", "message", "last_seen"]);
  if (customers?.length) {
    staged = staged.where("customer", "in", [...customers]);
    held = held.where("customer", "in", [...customers]);
  }
  const failures: Failure[] = (await staged.execute()).map((r) => ({
    customer: r.customer,
    orderKey: r.order_key,
    state: r.stg_status as "FAILED" | "DEAD",
    action: r.action,
    attempts: Number(r.attempts),
    lastTry: r.stg_updated_date,
    error: r.last_error ?? "",
  }));
  const quarantined = new Map<string, Failure>();
  for (const q of await held.execute()) {
    const key = `${q.customer}\u0000${q.order_key}`;
    const reason = `${q.rule}${q.column_name ? ` [${q.column_name}]` : ""}: ${q.message}`;
    const seen = quarantined.get(key);
    if (seen) {
      seen.error += `; ${reason}`;
      if (q.last_seen > seen.lastTry) seen.lastTry = q.last_seen;
    } else
      quarantined.set(key, {
        customer: q.customer,
        orderKey: q.order_key,
        state: "QUARANTINED",
        action: "-",
        attempts: 0,
        lastTry: q.last_seen,
        error: reason,
      });
  }
  const rank = { DEAD: 0, FAILED: 1, QUARANTINED: 2 } as const;
  return [...failures, ...quarantined.values()].sort(
    (a, b) =>
      rank[a.state] - rank[b.state] ||
      a.customer.localeCompare(b.customer) ||
      a.orderKey.localeCompare(b.orderKey),
  );
}

/** One line of text: no newlines or control characters from a row reach the terminal. */
function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * `order-sync failures [--customer C ...] [--json]`: every FAILED, DEAD and QUARANTINED order with its
 * error, attempts and last try; reads only.
 */
export async function failuresCommand(opts: { customer?: string[] }, global: GlobalOptions): Promise<number> {
  const ctx = await openReadOnlyContext(global, "migrated");
  try {
    const failures = await listFailures(ctx.db, opts.customer);
    if (global.json) {
      printJson(failures);
      return 0;
    }
    if (!failures.length) {
      process.stdout.write("no failed, dead or quarantined orders\n");
      return 0;
    }
    const width = Math.max(40, (process.stdout.columns ?? 160) - 90);
    const by = (s: Failure["state"]) => failures.filter((f) => f.state === s).length;
    process.stdout.write(
      `${plural(failures.length, "order")} not on their boards: ${by("DEAD")} DEAD (need a fix, then a new run), ${by("FAILED")} FAILED (retried by the next run), ${by("QUARANTINED")} QUARANTINED (fix the data)\n`,
    );
    process.stdout.write(
      `${table(
        ["customer", "order", "state", "action", "attempts", "last try", "error"],
        failures.map((f) => [
          oneLine(f.customer, 30),
          oneLine(f.orderKey, 30),
          f.state,
          f.action,
          f.attempts,
          f.lastTry,
          oneLine(f.error, width),
        ]),
      )}\n`,
    );
    return 0;
  } finally {
    await ctx.close();
  }
}
