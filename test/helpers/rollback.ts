import { sql } from "kysely";
import type { Db } from "../../src/db/index.js";
import { boardItems, plainOrder, type SyncEnv } from "./sync-env.js";

/** One item as a user sees it: id, name, group, every column's text, and its subitems' names and quantities. */
export interface ItemView {
  id: string;
  name: string;
  group: string | null;
  columns: Record<string, string | null>;
  subitems: Record<string, string | null>;
}

/** Every board's active items, keyed by order number (a duplicate key fails the snapshot). */
export type BoardSnapshot = Map<string, ItemView>;

/** Reads every configured board over HTTP, value by value, for comparing the boards before and after. */
export async function boardSnapshot(env: SyncEnv): Promise<BoardSnapshot> {
  const out: BoardSnapshot = new Map();
  for (const board of env.settings.config.boards) {
    for (const item of await boardItems(env, board.id)) {
      const key = item.columnValues[board.keyColumn.id!]?.text ?? "";
      if (out.has(key)) throw new Error(`two items on the boards have the key ${key}`);
      const columns = Object.fromEntries(
        Object.entries(item.columnValues)
          .filter(([id]) => id !== "subitems")
          .map(([id, v]) => [id, v.text || null]),
      );
      // The emulator lists archived subitems under their item too, with their state.
      const live = item.subitems.filter((s) => (s.state ?? "active") === "active");
      const subitems = Object.fromEntries(live.map((s) => [s.name, s.columnValues.quantity?.text ?? null]));
      if (Object.keys(subitems).length !== live.length)
        throw new Error(`item ${item.id} has two subitems of one size`);
      out.set(key, { id: item.id, name: item.name, group: item.group?.title ?? null, columns, subitems });
    }
  }
  return out;
}

/** Inserts source rows into ORDERS_UNIFIED. */
export async function insertOrders(db: Db, rows: readonly Record<string, unknown>[]): Promise<void> {
  await db.kysely
    .insertInto("ORDERS_UNIFIED" as never)
    .values(rows as never)
    .execute();
}

/** A bad batch (the issue's Must show: 100 orders changed, columns and sizes; 20 created; 10 cancelled). */
export async function badBatch(
  db: Db,
  size: { updated: number; created: number; cancelled: number },
): Promise<{ updated: string[]; created: string[]; cancelled: string[] }> {
  const open = (
    await sql<{
      k: string;
    }>`SELECT "AAG ORDER NUMBER" AS k FROM "ORDERS_UNIFIED" WHERE "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"} ORDER BY "AAG ORDER NUMBER"`.execute(
      db.kysely,
    )
  ).rows.map((r) => r.k);
  const updated = open.filter((_, i) => i % 17 === 3).slice(0, size.updated);
  const cancelled = open.filter((_, i) => i % 17 === 9).slice(0, size.cancelled);
  for (const [i, k] of updated.entries()) {
    await sql`UPDATE "ORDERS_UNIFIED" SET "ORDER STATUS" = ${i % 2 ? "Shipped" : "On Hold"}, "DELIVERY DATE" = ${"2031-03-31"}, "PO NUMBER" = ${`BAD-${i}`} WHERE "AAG ORDER NUMBER" = ${k}`.execute(
      db.kysely,
    );
    // Size lines too: a quantity changed, a size added or dropped (totals kept right, so nothing is quarantined).
    if (i % 3 === 0)
      await sql`UPDATE "ORDERS_UNIFIED" SET "SIZE_M" = COALESCE("SIZE_M", 0) + 7, "TOTAL QTY" = "TOTAL QTY" + 7, "ORDER QTY" = "ORDER QTY" + 7 WHERE "AAG ORDER NUMBER" = ${k}`.execute(
        db.kysely,
      );
    // SIZE_XXL is assigned last: MySQL/MariaDB evaluate an UPDATE's assignments left to right, each seeing the
    // columns already assigned (SQLite and PostgreSQL read the old row throughout), so the totals must read
    // SIZE_XXL before it changes.
    if (i % 5 === 1)
      await sql`UPDATE "ORDERS_UNIFIED" SET "TOTAL QTY" = "TOTAL QTY" + CASE WHEN "SIZE_XXL" IS NULL THEN 3 ELSE -"SIZE_XXL" END, "ORDER QTY" = "ORDER QTY" + CASE WHEN "SIZE_XXL" IS NULL THEN 3 ELSE -"SIZE_XXL" END, "SIZE_XXL" = CASE WHEN "SIZE_XXL" IS NULL THEN 3 ELSE NULL END WHERE "AAG ORDER NUMBER" = ${k}`.execute(
        db.kysely,
      );
  }
  const created = Array.from({ length: size.created }, (_, i) => `RB-NEW-${String(i).padStart(3, "0")}`);
  await insertOrders(
    db,
    created.map((k) => plainOrder(k, "BLUE HARBOR")),
  );
  for (const k of cancelled)
    await sql`UPDATE "ORDERS_UNIFIED" SET "AAG ORDER NUMBER" = ${`${k}-CANCELLED`} WHERE "AAG ORDER NUMBER" = ${k}`.execute(
      db.kysely,
    );
  return { updated, created, cancelled };
}

/** A board snapshot without item ids (a re-created item has a new one). */
export function withoutIds(s: BoardSnapshot): Record<string, unknown> {
  return Object.fromEntries([...s].map(([k, { id: _id, ...rest }]) => [k, rest]));
}
