import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { testDatabases } from "../helpers/databases.js";
import {
  expectBoardsMatchDatabase,
  sourceRows,
  stagedCount,
  syncEnv,
  type SyncEnv,
} from "../helpers/sync-env.js";

const ORDERS = 2000;

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`sync end to end over HTTP on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;

    beforeAll(async () => {
      db = await engine.open();
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: ORDERS, seed: 7 });
      env = await syncEnv(db);
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    const expectBoardsEqualDatabase = () => expectBoardsMatchDatabase(env, db);

    it("creates one item per open order, in its season group, with every column and size subitem", async () => {
      const summary = await env.sync();
      expect(summary.exitCode).toBe(0);
      const cancelled = [...(await sourceRows(db)).keys()].filter((k) => k.includes("CANCELLED")).length;
      expect(cancelled).toBeGreaterThan(0);
      expect(summary.counts.created).toBe(ORDERS - cancelled);
      expect(await expectBoardsEqualDatabase()).toBe(ORDERS - cancelled);
      expect(await stagedCount(db)).toBe(0);
    });

    it("makes no write request and stages nothing when nothing changed", async () => {
      const writes = env.emulator.log.writeRequests;
      const summary = await env.sync();
      expect(summary.exitCode).toBe(0);
      expect(env.emulator.log.writeRequests - writes).toBe(0);
      expect(summary.counts.created + summary.counts.updated + summary.counts.archived).toBe(0);
      const staged = await db.kysely
        .selectFrom("MON_ChangeLog")
        .select(db.kysely.fn.countAll().as("n"))
        .where("batch_id", "=", summary.batchId)
        .executeTakeFirst();
      expect(Number(staged?.n)).toBe(0);
      expect(await stagedCount(db)).toBe(0);
    });

    it("sends exactly one update per changed order carrying only the changed columns", async () => {
      const keys = (
        await sql<{
          k: string;
        }>`SELECT "AAG ORDER NUMBER" AS k FROM "ORDERS_UNIFIED" WHERE "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"} ORDER BY "AAG ORDER NUMBER" LIMIT 10`.execute(
          db.kysely,
        )
      ).rows.map((r) => r.k);
      const [poChanged, statusChanged] = [keys.slice(0, 5), keys.slice(5)];
      for (const k of poChanged)
        await sql`UPDATE "ORDERS_UNIFIED" SET "PO NUMBER" = ${`PO-"changed"-${k}`} WHERE "AAG ORDER NUMBER" = ${k}`.execute(
          db.kysely,
        );
      for (const k of statusChanged)
        await sql`UPDATE "ORDERS_UNIFIED" SET "ORDER STATUS" = CASE WHEN "ORDER STATUS" = ${"On Hold"} THEN ${"Open"} ELSE ${"On Hold"} END, "DELIVERY DATE" = ${"2031-03-31"} WHERE "AAG ORDER NUMBER" = ${k}`.execute(
          db.kysely,
        );
      const from = env.emulator.log.entries.length;
      const summary = await env.sync();
      expect(summary.exitCode).toBe(0);
      const updates = env.emulator.log.entries
        .slice(from)
        .filter((e) => e.operation === "change_multiple_column_values");
      expect(summary.counts.updated).toBe(10);
      expect(updates).toHaveLength(10);
      expect(
        env.emulator.log.entries.slice(from).filter((e) => e.operation !== "change_multiple_column_values"),
      ).toHaveLength(0);
      const keyOf = new Map(
        (await db.kysely.selectFrom("MON_SyncState").select(["order_key", "monday_item_id"]).execute()).map(
          (r) => [r.monday_item_id, r.order_key],
        ),
      );
      const sent = Object.fromEntries(
        updates.map((u) => [keyOf.get(u.itemId ?? ""), [...(u.columnIds ?? [])].sort()]),
      );
      expect(sent).toEqual({
        ...Object.fromEntries(poChanged.map((k) => [k, ["po_number"]])),
        ...Object.fromEntries(statusChanged.map((k) => [k, ["delivery", "order_status"]])),
      });
      await expectBoardsEqualDatabase();
    });

    it("archives the item of an order that becomes cancelled", async () => {
      const key = (
        await sql<{
          k: string;
        }>`SELECT "AAG ORDER NUMBER" AS k FROM "ORDERS_UNIFIED" WHERE "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"} ORDER BY "AAG ORDER NUMBER" DESC LIMIT 1`.execute(
          db.kysely,
        )
      ).rows[0]!.k;
      const state = await db.kysely
        .selectFrom("MON_SyncState")
        .selectAll()
        .where("order_key", "=", key)
        .executeTakeFirstOrThrow();
      await sql`UPDATE "ORDERS_UNIFIED" SET "AAG ORDER NUMBER" = ${`${key}-CANCELLED`} WHERE "AAG ORDER NUMBER" = ${key}`.execute(
        db.kysely,
      );
      const from = env.emulator.log.entries.length;
      const summary = await env.sync();
      expect(summary.exitCode).toBe(0);
      expect(summary.counts.archived).toBe(1);
      const ops = env.emulator.log.entries.slice(from);
      expect(ops.map((o) => o.operation)).toEqual(["archive_item"]);
      expect(ops[0]?.itemId).toBe(state.monday_item_id);
      await expectBoardsEqualDatabase();
      const log = await db.kysely
        .selectFrom("MON_ChangeLog")
        .selectAll()
        .where("batch_id", "=", summary.batchId)
        .execute();
      expect(log.map((l) => [l.action, l.order_key])).toEqual([["ARCHIVE", key]]);
      expect(JSON.parse(log[0]!.before_image ?? "null")).toMatchObject({ columns: { order_number: key } });
    });

    it("keeps the source table unaltered and migrations idempotent", async () => {
      expect((await migrateToLatest(db)).applied).toEqual([]);
      const tables = (await db.kysely.introspection.getTables()).map((t) => t.name);
      expect(tables).toEqual(
        expect.arrayContaining(["ORDERS_UNIFIED", "MON_SyncState", "MON_SyncRuns", "MON_ChangeLog"]),
      );
    });
  });
}
