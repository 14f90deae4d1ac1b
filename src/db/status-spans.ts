import { sql, type Kysely } from "kysely";
import { limitRows } from "./dialects/sql.js";
import type { Database, DbDialect } from "./types.js";

/**
 * `MON_StatusHistory.next_at` (migration 0015): when the item's next change of the same column happened,
 * in the order (changed_at, history_id), or null while the status is still the item's latest. It is the
 * `lead(changed_at)` of the history, kept on the row so time in each status is a GROUP BY over the history
 * instead of a window over all of it. Two-way sync links each change as it records it
 * ({@link linkStatusChange}); {@link linkStatusHistory} computes every row's at once (the migration, and
 * records written in bulk).
 */

const H = "MON_StatusHistory";

/**
 * Links the change `historyId` (just inserted, so the highest id of its item and column) into its item's
 * history: its own `next_at` is the earliest later change (monday delivers out of order, so there may be
 * one), and the change just before it now ends at its `changed_at`.
 */
export async function linkStatusChange(
  db: Kysely<Database>,
  dialect: DbDialect,
  historyId: number,
): Promise<void> {
  const row = await db
    .selectFrom(H)
    .select(["board_id", "item_id", "column_id", "changed_at"])
    .where("history_id", "=", historyId)
    .executeTakeFirst();
  if (!row) return;
  const same = db
    .selectFrom(H)
    .where("board_id", "=", row.board_id)
    .where("item_id", "=", row.item_id)
    .where("column_id", "=", row.column_id)
    .where("history_id", "<>", historyId);
  const next = await same
    .select((eb) => eb.fn.min<string>("changed_at").as("next_at"))
    .where("changed_at", ">", row.changed_at)
    .executeTakeFirst();
  await db
    .updateTable(H)
    .set({ next_at: next?.next_at ?? null })
    .where("history_id", "=", historyId)
    .execute();
  const previous = await limitRows(
    dialect,
    same
      .select("history_id")
      .where((eb) =>
        eb.or([
          eb("changed_at", "<", row.changed_at),
          eb.and([eb("changed_at", "=", row.changed_at), eb("history_id", "<", historyId)]),
        ]),
      )
      .orderBy("changed_at", "desc")
      .orderBy("history_id", "desc"),
    1,
  ).executeTakeFirst();
  if (previous)
    await db
      .updateTable(H)
      .set({ next_at: row.changed_at })
      .where("history_id", "=", previous.history_id)
      .execute();
}

/**
 * Sets `next_at` of every row of the status history from a window over it (one statement): the
 * migration's, on a history with no `next_at` yet, so the latest change of each item (null) is not written.
 */
export async function linkStatusHistory(db: Kysely<unknown>, dialect: DbDialect): Promise<void> {
  const lead = sql`select history_id, lead(changed_at) over (partition by board_id, item_id, column_id
      order by changed_at, history_id) as next_at from ${sql.table(H)}`;
  if (dialect === "mysql")
    await sql`update ${sql.table(H)} h join (${lead}) x on x.history_id = h.history_id
      set h.next_at = x.next_at where x.next_at is not null`.execute(db);
  else if (dialect === "mssql")
    await sql`update h set next_at = x.next_at from ${sql.table(H)} h
      join (${lead}) x on x.history_id = h.history_id where x.next_at is not null`.execute(db);
  else
    await sql`update ${sql.table(H)} set next_at = x.next_at from (${lead}) x
      where x.history_id = ${sql.table(H)}.history_id and x.next_at is not null`.execute(db);
}
