// Subitem columns through the inbox (issue 14), on every engine: a planner's edit of a size's quantity (a
// database-owned subitem column) is recorded as a conflict and the sync state learns it, so the next sync
// writes the database's quantity back to that subitem and no other; its echo changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { DEFAULT_USER } from "../../src/emulator/index.js";
import { eventOf, InboxWorker, storeEvent } from "../../src/webhooks/index.js";
import { testDatabasesExcept } from "../helpers/databases.js";
import { syncEnv, testConfig, type SyncEnv } from "../helpers/sync-env.js";
import { columnChangeEvent } from "../helpers/webhook-events.js";

const CUSTOMER = "NORTHWIND APPAREL";
const config = testConfig((raw) => {
  const board = (raw.boards as Record<string, unknown>[])[0]!;
  (board.subitems as Record<string, unknown>).columns = [
    {
      source: "SEASON",
      id: "size_season",
      title: "Size Season",
      type: "text",
      direction: "both",
      conflict: "db-wins",
    },
  ];
  raw.customers = [{ name: CUSTOMER, board: board.id, group: "{SEASON}" }];
});
const BOARD = config.boards[0]!;
const PLANNER = "1000002";

for (const target of await testDatabasesExcept(["mssql"], "no SQL Server on this machine")) {
  describe.skipIf(!target.available)(`a planner's edit of a subitem quantity on ${target.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    let worker: InboxWorker;
    beforeAll(async () => {
      db = await target.open();
      await migrateToLatest(db);
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: 6, seed: 3 });
      env = await syncEnv(db, config);
      expect((await env.sync()).exitCode).toBe(0);
      worker = new InboxWorker(db, { config, ownUserId: DEFAULT_USER.id });
    }, 60_000);
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    const quantityOf = (subitem: string) =>
      env.emulator.store.valueOf(env.emulator.store.items.get(subitem)!, "quantity")?.text ?? null;
    const deliver = async (fields: Record<string, unknown>) => {
      const raw = columnChangeEvent(fields);
      await storeEvent(db, eventOf(raw), "webhook", raw);
      await worker.drain();
    };

    it("records the conflict, and the next sync restores that size's quantity only", async () => {
      const state = await db.kysely
        .selectFrom("MON_SyncState")
        .selectAll()
        .where("subitem_ids", "!=", "{}")
        .orderBy("order_key")
        .executeTakeFirstOrThrow();
      const [size, subitem] = Object.entries(JSON.parse(state.subitem_ids!) as Record<string, string>)[0]!;
      const quantity = quantityOf(subitem);
      expect(quantity).not.toBeNull();
      // The planner's edit on the board (its webhook is delivered below, as the planner's).
      env.emulator.store.changeColumnValues(BOARD.subitems!.boardId, subitem, { quantity: "999" });
      await deliver({
        boardId: Number(BOARD.subitems!.boardId),
        pulseId: Number(subitem),
        parentItemId: Number(state.monday_item_id),
        columnId: "quantity",
        columnType: "numeric",
        columnTitle: "Quantity",
        value: { value: 999 },
        previousValue: { value: Number(quantity) },
        userId: Number(PLANNER),
      });
      const change = await db.kysely
        .selectFrom("MON_BoardChanges")
        .selectAll()
        .where("item_id", "=", subitem)
        .executeTakeFirstOrThrow();
      expect(change).toMatchObject({
        order_key: state.order_key,
        column_id: "quantity",
        kind: "CONFLICT",
        resolution: "restore-on-sync",
        canonical_value: "999",
      });
      const learned = await db.kysely
        .selectFrom("MON_SyncState")
        .select(["last_values", "last_sync_hash"])
        .where("order_key", "=", state.order_key)
        .executeTakeFirstOrThrow();
      expect((JSON.parse(learned.last_values!) as { subitems: Record<string, string> }).subitems[size]).toBe(
        "999",
      );
      expect(learned.last_sync_hash).not.toBe(state.last_sync_hash);
      env.emulator.resetStats();
      const summary = await env.sync();
      expect(summary.exitCode).toBe(0);
      // One subitem written (the restored quantity); the parent item has nothing to change.
      expect(summary.counts).toMatchObject({ updated: 0, subitemsUpdated: 1, subitemsCreated: 0 });
      expect(quantityOf(subitem)).toBe(quantity);
      // The restore's echo (order-sync's own user, the database's value) is not a board edit.
      await deliver({
        boardId: Number(BOARD.subitems!.boardId),
        pulseId: Number(subitem),
        parentItemId: Number(state.monday_item_id),
        columnId: "quantity",
        value: { value: Number(quantity) },
        previousValue: { value: 999 },
        userId: Number(DEFAULT_USER.id),
      });
      expect(
        await db.kysely
          .selectFrom("MON_BoardChanges")
          .select("change_id")
          .where("item_id", "=", subitem)
          .execute(),
      ).toHaveLength(1);
      expect((await env.sync()).counts).toMatchObject({ updated: 0, subitemsUpdated: 0 });
    }, 60_000);

    it("a `both` subitem column with `db-wins`: the planner's value is recorded and the database's restored on that size", async () => {
      const state = await db.kysely
        .selectFrom("MON_SyncState")
        .selectAll()
        .where("subitem_ids", "!=", "{}")
        .orderBy("order_key", "desc")
        .executeTakeFirstOrThrow();
      const [size, subitem] = Object.entries(JSON.parse(state.subitem_ids!) as Record<string, string>).at(
        -1,
      )!;
      const seasonOf = () =>
        env.emulator.store.valueOf(env.emulator.store.items.get(subitem)!, "size_season")?.text ?? null;
      const season = seasonOf();
      expect(season).not.toBeNull();
      env.emulator.store.changeColumnValues(BOARD.subitems!.boardId, subitem, { size_season: "Planner" });
      await deliver({
        boardId: Number(BOARD.subitems!.boardId),
        pulseId: Number(subitem),
        parentItemId: Number(state.monday_item_id),
        columnId: "size_season",
        columnTitle: "Size Season",
        value: { value: "Planner" },
        previousValue: { value: season },
        userId: Number(PLANNER),
      });
      const change = await db.kysely
        .selectFrom("MON_BoardChanges")
        .selectAll()
        .where("item_id", "=", subitem)
        .executeTakeFirstOrThrow();
      expect(change).toMatchObject({
        column_id: "size_season",
        kind: "CONFLICT",
        resolution: "restore-on-sync",
      });
      const learned = await db.kysely
        .selectFrom("MON_SyncState")
        .select("last_values")
        .where("order_key", "=", state.order_key)
        .executeTakeFirstOrThrow();
      expect(
        (JSON.parse(learned.last_values!) as { subitemColumns: Record<string, Record<string, string>> })
          .subitemColumns[size]?.size_season,
      ).toBe("Planner");
      expect((await env.sync()).counts).toMatchObject({ updated: 0, subitemsUpdated: 1 });
      expect(seasonOf()).toBe(season);
    }, 60_000);
  });
}
