import type { Kysely, Transaction } from "kysely";
import type { Database, Db, RollbackHold } from "../db/index.js";

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * `MON_RollbackHolds` (this module is the only one with SQL for it): orders a rollback put back. The sync's
 * detect step skips a held order while its source still makes the rolled-back change (`heldHash`, or GONE when
 * it is null) and releases the hold once the source holds something else; `order-sync release` drops holds.
 */
export interface Hold {
  customer: string;
  orderKey: string;
  batchId: string;
  rollbackBatchId: string;
  /** Hash of the source snapshot that made the rolled-back change; null: the source had dropped the order. */
  heldHash: string | null;
  heldAt: string;
}

const parse = (r: RollbackHold): Hold => ({
  customer: r.customer,
  orderKey: r.order_key,
  batchId: r.batch_id,
  rollbackBatchId: r.rollback_batch_id,
  heldHash: r.held_hash,
  heldAt: r.held_at,
});

/** Holds of a customer's orders among `keys`. */
export async function loadHolds(
  db: Executor,
  customer: string,
  keys: readonly string[],
): Promise<Map<string, Hold>> {
  const out = new Map<string, Hold>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db
      .selectFrom("MON_RollbackHolds")
      .selectAll()
      .where("customer", "=", customer)
      .where("order_key", "in", keys.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.order_key, parse(r));
  }
  return out;
}

/**
 * Holds orders. An order already held keeps its first hold: a rollback run again after a crash must not
 * replace the hash of the bad change with the hash of what it already put back.
 */
export async function holdOrders(db: Db, holds: readonly Omit<Hold, "heldAt">[]): Promise<void> {
  const now = new Date().toISOString();
  await db.kysely.transaction().execute(async (tx) => {
    for (const customer of new Set(holds.map((h) => h.customer))) {
      const list = holds.filter((h) => h.customer === customer);
      const known = await loadHolds(
        tx,
        customer,
        list.map((h) => h.orderKey),
      );
      const fresh = list.filter((h) => !known.has(h.orderKey));
      for (let i = 0; i < fresh.length; i += 200)
        await tx
          .insertInto("MON_RollbackHolds")
          .values(
            fresh.slice(i, i + 200).map((h) => ({
              customer: h.customer,
              order_key: h.orderKey,
              batch_id: h.batchId,
              rollback_batch_id: h.rollbackBatchId,
              held_hash: h.heldHash,
              held_at: now,
            })),
          )
          .execute();
    }
  });
}

/** Which holds to release: every filter given must match (none given: every hold). */
export interface HoldFilter {
  customers?: readonly string[];
  orders?: readonly string[];
  batchId?: string;
  /** The holds one rollback made (released when that rollback is itself rolled back). */
  rollbackBatchId?: string;
}

/** Releases holds; returns how many. */
export async function releaseHolds(db: Executor, filter: HoldFilter): Promise<number> {
  let q = db.deleteFrom("MON_RollbackHolds");
  if (filter.customers?.length) q = q.where("customer", "in", [...filter.customers]);
  if (filter.orders?.length) q = q.where("order_key", "in", [...filter.orders]);
  if (filter.batchId !== undefined) q = q.where("batch_id", "=", filter.batchId);
  if (filter.rollbackBatchId !== undefined) q = q.where("rollback_batch_id", "=", filter.rollbackBatchId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Held orders by customer and rolled-back batch (for `status`). */
export async function heldCounts(db: Db): Promise<{ customer: string; batchId: string; count: number }[]> {
  const rows = await db.kysely
    .selectFrom("MON_RollbackHolds")
    .select(["customer", "batch_id", db.kysely.fn.countAll<string | number>().as("n")])
    .groupBy(["customer", "batch_id"])
    .orderBy("customer")
    .execute();
  return rows.map((r) => ({ customer: r.customer, batchId: r.batch_id, count: Number(r.n) }));
}

/** Every batch a hold names, rolled back or rolling back: `prune` keeps their change log and runs. */
export async function heldBatchIds(db: Db): Promise<Set<string>> {
  const rows = await db.kysely
    .selectFrom("MON_RollbackHolds")
    .select(["batch_id", "rollback_batch_id"])
    .execute();
  return new Set(rows.flatMap((r) => [r.batch_id, r.rollback_batch_id]));
}
