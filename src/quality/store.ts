import type { Db, NewQuarantineEntry, QuarantineEntry } from "../db/index.js";
import type { Issue, ValidationResult } from "./types.js";
import { quarantineIssues } from "./validate.js";
import { encodeValue, truncate } from "./values.js";

/** Replaces what neither PostgreSQL text nor UTF-8 can hold (NUL, unpaired surrogates) and cuts to `max` characters. */
function storable(text: string, max: number): string {
  let out = text.replace(/\0/g, "\uFFFD");
  // toWellFormed (Node 20) replaces unpaired surrogates with U+FFFD.
  out = (out as string & { toWellFormed?: () => string }).toWellFormed?.() ?? out;
  return truncate(out, max);
}

/**
 * The form an order number has in `MON_Quarantine.order_key` (varchar(255)). Equal to the key for every
 * key the `order-key` and `text-encoding` rules let through; pathological keys are stored lossy.
 */
export const storedOrderKey = (key: string): string => storable(key, 255);

const CHUNK = 180; // 180 rows × 11 values stay under SQL Server's 2,100 parameters

/**
 * Records why orders are held back: for every order among `issues`, its earlier rows are replaced by
 * these issues (`first_seen` kept for an issue seen before, by rule and column), stored under `customer`.
 * Customer-level issues (no order) are not stored. Pass {@link quarantineIssues}(result) to store what a run quarantined.
 */
export async function recordQuarantine(
  db: Db,
  batchId: string,
  customer: string,
  issues: readonly Issue[],
  now: string = new Date().toISOString(),
): Promise<number> {
  const mine = issues.filter((i): i is Issue & { orderKey: string } => i.orderKey !== null);
  const keys = [...new Set(mine.map((i) => storedOrderKey(i.orderKey)))];
  if (keys.length === 0) return 0;
  return db.kysely.transaction().execute(async (trx) => {
    const firstSeen = new Map<string, string>();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK);
      const old = await trx
        .selectFrom("MON_Quarantine")
        .select(["order_key", "rule", "column_name", "first_seen"])
        .where("customer", "=", customer)
        .where("order_key", "in", chunk)
        .execute();
      for (const o of old) {
        const id = `${o.order_key}\u0000${o.rule}\u0000${o.column_name ?? ""}`;
        const seen = firstSeen.get(id);
        if (seen === undefined || o.first_seen < seen) firstSeen.set(id, o.first_seen);
      }
      await trx
        .deleteFrom("MON_Quarantine")
        .where("customer", "=", customer)
        .where("order_key", "in", chunk)
        .execute();
    }
    const rows: NewQuarantineEntry[] = mine.map((i) => {
      const orderKey = storedOrderKey(i.orderKey);
      const column = i.column === null ? null : storable(i.column, 255);
      const rule = storable(i.rule, 128);
      return {
        customer,
        order_key: orderKey,
        rule,
        severity: i.severity,
        column_name: column,
        value: storable(encodeValue(i.value), 2000),
        message: storable(i.message, 4000),
        batch_id: batchId,
        first_seen: firstSeen.get(`${orderKey}\u0000${rule}\u0000${column ?? ""}`) ?? now,
        last_seen: now,
      };
    });
    for (let i = 0; i < rows.length; i += CHUNK)
      await trx
        .insertInto("MON_Quarantine")
        .values(rows.slice(i, i + CHUNK))
        .execute();
    return rows.length;
  });
}

/** Deletes the quarantine rows of orders that now validate clean (or were synced); returns rows deleted. */
export async function releaseFixed(db: Db, customer: string, orderKeys: readonly string[]): Promise<number> {
  const keys = [...new Set(orderKeys.map(storedOrderKey))];
  let deleted = 0;
  for (let i = 0; i < keys.length; i += CHUNK) {
    const r = await db.kysely
      .deleteFrom("MON_Quarantine")
      .where("customer", "=", customer)
      .where("order_key", "in", keys.slice(i, i + CHUNK))
      .executeTakeFirst();
    deleted += Number(r.numDeletedRows);
  }
  return deleted;
}

/** Order numbers the customer has in quarantine (as stored: see {@link storedOrderKey}). */
export async function quarantinedKeys(db: Db, customer: string): Promise<Set<string>> {
  const rows = await db.kysely
    .selectFrom("MON_Quarantine")
    .select("order_key")
    .distinct()
    .where("customer", "=", customer)
    .orderBy("order_key")
    .execute();
  return new Set(rows.map((r) => r.order_key));
}

/** Orders held back per customer (distinct order numbers in `MON_Quarantine`), for `/metrics` and `status`. */
export async function quarantineCounts(db: Db): Promise<{ customer: string; orders: number }[]> {
  const rows = await db.kysely
    .selectFrom("MON_Quarantine")
    .select(["customer", db.kysely.fn.count<string | number>("order_key").distinct().as("n")])
    .groupBy("customer")
    .orderBy("customer")
    .execute();
  return rows.map((r) => ({ customer: r.customer, orders: Number(r.n) }));
}

/** The quarantine rows of a customer (or of every customer), for `status` and reports. */
export async function quarantineRows(db: Db, customer?: string): Promise<QuarantineEntry[]> {
  let q = db.kysely.selectFrom("MON_Quarantine").selectAll();
  if (customer !== undefined) q = q.where("customer", "=", customer);
  return q.orderBy("customer").orderBy("order_key").orderBy("quarantine_id").execute();
}

/**
 * Applies one customer's validation to the store in one call: quarantined orders get their issues
 * recorded, every other validated order is released (it is clean now, or only warned about).
 */
export async function applyValidation(
  db: Db,
  batchId: string,
  result: ValidationResult,
  now?: string,
): Promise<{ quarantined: number; released: number }> {
  // Both counts are quarantine rows (issues), not orders.
  const quarantined = await recordQuarantine(db, batchId, result.customer, quarantineIssues(result), now);
  const fixed = result.orderKeys.filter((k) => result.action(k) !== "QUARANTINE");
  const released = await releaseFixed(db, result.customer, fixed);
  return { quarantined, released };
}

/**
 * Deletes the customer's quarantine rows of `rules` whose order is not in `keep`: the rules whose findings
 * are worked out afresh as a set every run (stray rows), so a row fixed or deleted leaves the quarantine.
 */
export async function releaseStale(
  db: Db,
  customer: string,
  rules: readonly string[],
  keep: readonly string[],
): Promise<number> {
  let q = db.kysely.deleteFrom("MON_Quarantine").where("customer", "=", customer).where("rule", "in", rules);
  const kept = [...new Set(keep.map(storedOrderKey))];
  // Stray rows are capped (one NULL-key record, at most 1,000 spaced ones): one statement is enough.
  if (kept.length) q = q.where("order_key", "not in", kept.slice(0, 1000));
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}
