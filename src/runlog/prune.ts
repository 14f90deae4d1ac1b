// Retention of the run log's tables (this module owns their SQL, STYLE.md #14): what `prune` may remove.
import type { Db } from "../db/index.js";

/** Ids a statement takes at once: well under every engine's parameter limit (SQL Server: 2,100). */
const CHUNK = 500;

/** A change-log entry `prune` may remove. */
export interface PrunableChange {
  changeId: number;
  batchId: string;
}

/**
 * Change-log entries recorded before `before` whose order has an entry of a later batch: the newest batch
 * of every order stays whatever its age (rolling it back needs its before-images), and an older batch's
 * entry is only removed once a later batch superseded it (rolling that one back would be a conflict).
 * Batches in `keep` (named by rollback holds) stay whole.
 */
export async function supersededChanges(
  db: Db,
  before: string,
  keep: ReadonlySet<string>,
): Promise<PrunableChange[]> {
  const rows = await db.kysely
    .selectFrom("MON_ChangeLog as c")
    .select(["c.change_id", "c.batch_id"])
    .where("c.changed_at", "<", before)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("MON_ChangeLog as n")
          .select("n.change_id")
          .whereRef("n.customer", "=", "c.customer")
          .whereRef("n.order_key", "=", "c.order_key")
          .whereRef("n.change_id", ">", "c.change_id")
          .whereRef("n.batch_id", "<>", "c.batch_id"),
      ),
    )
    .orderBy("c.change_id")
    .execute();
  return rows
    .filter((r) => !keep.has(r.batch_id))
    .map((r) => ({ changeId: Number(r.change_id), batchId: r.batch_id }));
}

/** Change-log entries per batch among `batchIds`. */
async function changeCounts(db: Db, batchIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < batchIds.length; i += CHUNK) {
    const rows = await db.kysely
      .selectFrom("MON_ChangeLog")
      .select(["batch_id", (eb) => eb.fn.countAll<number | string>().as("n")])
      .where("batch_id", "in", batchIds.slice(i, i + CHUNK))
      .groupBy("batch_id")
      .execute();
    for (const r of rows) counts.set(r.batch_id, Number(r.n));
  }
  return counts;
}

/**
 * Finished runs started before `before` that keep no change-log entry once `removedChanges` (per batch)
 * are gone: a run with changes left stays, since `rollback` and `runs show` look its batch up.
 */
export async function prunableRuns(
  db: Db,
  before: string,
  keep: ReadonlySet<string>,
  removedChanges: ReadonlyMap<string, number>,
): Promise<string[]> {
  const rows = await db.kysely
    .selectFrom("MON_SyncRuns")
    .select("batch_id")
    .where("started_at", "<", before)
    .where("status", "<>", "RUNNING")
    .orderBy("started_at")
    .execute();
  const candidates = rows.map((r) => r.batch_id).filter((b) => !keep.has(b));
  const counts = await changeCounts(db, candidates);
  return candidates.filter((b) => (counts.get(b) ?? 0) <= (removedChanges.get(b) ?? 0));
}

/** Customer rows (`MON_SyncRunCustomers`) of the runs `batchIds`. */
export async function runCustomerRows(db: Db, batchIds: readonly string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < batchIds.length; i += CHUNK) {
    const row = await db.kysely
      .selectFrom("MON_SyncRunCustomers")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("batch_id", "in", batchIds.slice(i, i + CHUNK))
      .executeTakeFirst();
    n += Number(row?.n ?? 0);
  }
  return n;
}

/** Deletes change-log entries by id; returns how many went. */
export async function deleteChanges(db: Db, changeIds: readonly number[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < changeIds.length; i += CHUNK) {
    const r = await db.kysely
      .deleteFrom("MON_ChangeLog")
      .where("change_id", "in", changeIds.slice(i, i + CHUNK))
      .executeTakeFirst();
    n += Number(r.numDeletedRows);
  }
  return n;
}

/** Deletes runs and their customer rows, one short transaction a chunk; returns the rows removed per table. */
export async function deleteRuns(
  db: Db,
  batchIds: readonly string[],
): Promise<{ runs: number; runCustomers: number }> {
  const out = { runs: 0, runCustomers: 0 };
  for (let i = 0; i < batchIds.length; i += CHUNK) {
    const chunk = batchIds.slice(i, i + CHUNK);
    await db.kysely.transaction().execute(async (tx) => {
      const c = await tx.deleteFrom("MON_SyncRunCustomers").where("batch_id", "in", chunk).executeTakeFirst();
      const r = await tx.deleteFrom("MON_SyncRuns").where("batch_id", "in", chunk).executeTakeFirst();
      out.runCustomers += Number(c.numDeletedRows);
      out.runs += Number(r.numDeletedRows);
    });
  }
  return out;
}
