import type { Kysely, Transaction } from "kysely";
import type { Database, Discard } from "../db/index.js";

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * `MON_Discards` (this module is the only one with SQL for it): DEAD orders an operator discarded. The sync
 * leaves such an order alone while its source still makes the change that went DEAD (`hash`; null for an
 * archive) and forgets the discard once the source holds anything else.
 */
export interface DiscardedOrder {
  customer: string;
  orderKey: string;
  batchId: string;
  hash: string | null;
  action: string;
  lastError: string | null;
  discardedAt: string;
}

const parse = (r: Discard): DiscardedOrder => ({
  customer: r.customer,
  orderKey: r.order_key,
  batchId: r.batch_id,
  hash: r.discarded_hash,
  action: r.staged_action,
  lastError: r.last_error,
  discardedAt: r.discarded_at,
});

/** A customer's discarded orders (all of them, or those among `keys`), by order key. */
export async function loadDiscards(
  db: Executor,
  customer: string,
  keys?: readonly string[],
): Promise<Map<string, DiscardedOrder>> {
  const out = new Map<string, DiscardedOrder>();
  const chunks = keys
    ? Array.from({ length: Math.ceil(keys.length / 500) }, (_, i) => keys.slice(i * 500, i * 500 + 500))
    : [undefined];
  for (const chunk of chunks) {
    if (chunk?.length === 0) continue;
    let q = db.selectFrom("MON_Discards").selectAll().where("customer", "=", customer);
    if (chunk) q = q.where("order_key", "in", chunk);
    for (const r of await q.execute()) out.set(r.order_key, parse(r));
  }
  return out;
}

/** Records a discard (replacing an earlier one of the same order). */
export async function saveDiscard(db: Executor, d: DiscardedOrder): Promise<void> {
  await dropDiscards(db, d.customer, [d.orderKey]);
  await db
    .insertInto("MON_Discards")
    .values({
      customer: d.customer,
      order_key: d.orderKey,
      batch_id: d.batchId,
      discarded_hash: d.hash,
      staged_action: d.action,
      last_error: d.lastError,
      discarded_at: d.discardedAt,
    })
    .execute();
}

/** Forgets discards of a customer's orders; returns how many. */
export async function dropDiscards(db: Executor, customer: string, keys: readonly string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < keys.length; i += 500) {
    const r = await db
      .deleteFrom("MON_Discards")
      .where("customer", "=", customer)
      .where("order_key", "in", keys.slice(i, i + 500))
      .executeTakeFirst();
    n += Number(r.numDeletedRows);
  }
  return n;
}
