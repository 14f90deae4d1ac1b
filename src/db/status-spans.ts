import { sql, type Kysely } from "kysely";
import { limitRows } from "./dialects/sql.js";
import type { Database, DbDialect } from "./types.js";

/**
 * `MON_StatusHistory.next_at` (migration 0015): when the item's next change of the same column happened,
 * in the order (changed_at, history_id), or null while the status is still the item's latest. It is the
 * `lead(changed_at)` of the history, kept on the row so time in each status is a GROUP BY over the history
 * instead of a window over all of it. `first_stay` is 1 on the item's first change to its status (0 on
 * later ones), so the orders that were ever in a status are a sum, not a `count(distinct)`. Two-way sync
 * links each change as it records it ({@link linkStatusChange}); {@link linkStatusHistory} computes every
 * row's at once (the migration).
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
    .select(["board_id", "item_id", "column_id", "changed_at", "status"])
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
  // The item's first stay in this status: this one unless an earlier change had the same status.
  const sameStatus = db
    .selectFrom(H)
    .where("board_id", "=", row.board_id)
    .where("item_id", "=", row.item_id)
    .where((eb) => (row.status === null ? eb("status", "is", null) : eb("status", "=", row.status)))
    .where("history_id", "<>", historyId);
  const earlier = await limitRows(
    dialect,
    sameStatus
      .select("history_id")
      .where((eb) =>
        eb.or([
          eb("changed_at", "<", row.changed_at),
          eb.and([eb("changed_at", "=", row.changed_at), eb("history_id", "<", historyId)]),
        ]),
      ),
    1,
  ).executeTakeFirst();
  await db
    .updateTable(H)
    .set({ first_stay: earlier ? 0 : 1 })
    .where("history_id", "=", historyId)
    .execute();
  if (!earlier)
    await db
      .updateTable(H)
      .set({ first_stay: 0 })
      .where("board_id", "=", row.board_id)
      .where("item_id", "=", row.item_id)
      .where((eb) => (row.status === null ? eb("status", "is", null) : eb("status", "=", row.status)))
      .where("history_id", "<>", historyId)
      .where("first_stay", "=", 1)
      .execute();
}

/**
 * Sets `next_at` and `first_stay` of every row of the status history from windows over it (one
 * statement): the migration's, on a history with neither yet.
 */
export async function linkStatusHistory(db: Kysely<unknown>, dialect: DbDialect): Promise<void> {
  const lead = sql`select history_id, lead(changed_at) over (partition by board_id, item_id, column_id
      order by changed_at, history_id) as next_at,
      case when row_number() over (partition by board_id, item_id, status
        order by changed_at, history_id) = 1 then 1 else 0 end as first_stay
    from ${sql.table(H)}`;
  if (dialect === "mysql")
    await sql`update ${sql.table(H)} h join (${lead}) x on x.history_id = h.history_id
      set h.next_at = x.next_at, h.first_stay = x.first_stay`.execute(db);
  else if (dialect === "mssql")
    await sql`update h set next_at = x.next_at, first_stay = x.first_stay from ${sql.table(H)} h
      join (${lead}) x on x.history_id = h.history_id`.execute(db);
  else
    await sql`update ${sql.table(H)} set next_at = x.next_at, first_stay = x.first_stay from (${lead}) x
      where x.history_id = ${sql.table(H)}.history_id`.execute(db);
}
