import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wireApp } from "../../src/app.js";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { runRollback, type RollbackSummary } from "../../src/rollback/index.js";
import type { SyncSummary } from "../../src/sync/index.js";
import { testDatabasesExcept } from "../helpers/databases.js";
import { badBatch, boardSnapshot, withoutIds, type BoardSnapshot } from "../helpers/rollback.js";
import { stagedCount, syncEnv, type SyncEnv } from "../helpers/sync-env.js";

const ORDERS = 2000;

for (const engine of await testDatabasesExcept(
  ["mssql"],
  "no SQL Server on this machine kind (its statements are checked by test/db/mssql-statements.test.ts)",
)) {
  describe.skipIf(!engine.available)(`rollback end to end over HTTP on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    let before: BoardSnapshot;
    let batch: SyncSummary;
    let keys: Awaited<ReturnType<typeof badBatch>>;
    let edited: { key: string; itemId: string; label: string };
    let total: number;
    const rollback = (options: Omit<Parameters<typeof runRollback>[1], "batchId">) => {
      const app = wireApp(env.settings, db);
      return runRollback(
        { settings: env.settings, db, monday: app.monday, events: app.events },
        { batchId: batch.batchId, ...options },
      );
    };

    beforeAll(async () => {
      db = await engine.open();
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: ORDERS, seed: 15 });
      env = await syncEnv(db);
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("syncs 2,000 orders, then a bad batch of 100 changed, 20 created and 10 cancelled", async () => {
      expect((await env.sync()).exitCode).toBe(0);
      before = await boardSnapshot(env);
      keys = await badBatch(db, { updated: 100, created: 20, cancelled: 10 });
      batch = await env.sync();
      expect(batch.validation.issues, JSON.stringify(batch.validation.bySeverity)).toBe(0);
      expect(batch.exitCode).toBe(0);
      total = keys.updated.length + keys.created.length + keys.cancelled.length;
      expect(batch.counts).toMatchObject({ updated: keys.updated.length, created: 20, archived: 10 });
      expect(batch.counts.subitemsCreated + batch.counts.subitemsArchived).toBeGreaterThan(0);
    }, 120_000);

    it("reports a planner's edit made after the batch as a conflict and keeps it; dry-run lists exactly what is done", async () => {
      const key = keys.updated[4]!;
      const itemId = before.get(key)!.id;
      // Neither what the batch wrote (On Hold) nor what the board held before it.
      const label = ["Open", "Confirmed", "In Production"].find(
        (l) => l !== before.get(key)!.columns.order_status,
      )!;
      const admin = env.emulator.url.replace(/\/v2$/, "");
      const res = await fetch(`${admin}/__admin/items/${itemId}/column-values`, {
        method: "POST",
        headers: { Authorization: "planner", "Content-Type": "application/json" },
        body: JSON.stringify({ columnValues: { order_status: { label } } }),
      });
      expect(res.status, await res.text()).toBe(200);
      edited = { key, itemId, label };

      const writes = env.emulator.log.writeRequests;
      const dry = await rollback({ dryRun: true });
      expect(env.emulator.log.writeRequests).toBe(writes);
      expect(dry.undo).toHaveLength(total);
      expect(dry.conflicts).toEqual([
        expect.objectContaining({ orderKey: key, column: "order_status", board: label, forced: false }),
      ]);

      const requests = env.emulator.log.requests;
      const done: RollbackSummary = await rollback({});
      console.log(
        `rollback of ${done.undo.length} orders: ${env.emulator.log.requests - requests} HTTP requests, counts ${JSON.stringify(done.run?.counts)}`,
      );
      expect(done.run?.exitCode).toBe(0);
      expect(done.undo).toEqual(dry.undo);
      expect(done.conflicts).toEqual(dry.conflicts);
      expect(done.run?.counts).toMatchObject({
        archived: 20,
        created: 10,
        updated: keys.updated.length,
        failed: 0,
        dead: 0,
      });
      expect(await stagedCount(db)).toBe(0);

      // Every item, column and subitem as before the batch, but the planner's cell.
      const after = await boardSnapshot(env);
      const expected = new Map(before);
      const was = before.get(key)!;
      expected.set(key, { ...was, columns: { ...was.columns, order_status: label } });
      expect(withoutIds(after)).toEqual(withoutIds(expected));
    }, 120_000);

    it("--force puts the planner's edit back too; the board equals the snapshot from before the batch", async () => {
      const dry = await rollback({ dryRun: true, force: true });
      expect(dry.undo).toEqual([
        expect.objectContaining({
          orderKey: edited.key,
          action: "RESTORE",
          columns: [expect.objectContaining({ column: "order_status", from: edited.label })],
        }),
      ]);
      const done = await rollback({ force: true });
      expect(done.undo).toEqual(dry.undo);
      expect(done.alreadyUndone).toBe(total - 1);
      expect(withoutIds(await boardSnapshot(env))).toEqual(withoutIds(before));
    }, 60_000);

    it("holds: the next sync makes 0 writes; a held order whose source changes is released and sent", async () => {
      const writes = env.emulator.log.writeRequests;
      const held = await env.sync();
      expect(env.emulator.log.writeRequests - writes).toBe(0);
      expect(held.counts).toMatchObject({ created: 0, updated: 0, archived: 0, held: total });

      const key = keys.updated[0]!;
      await sql`UPDATE "ORDERS_UNIFIED" SET "PO NUMBER" = ${"FIXED-PO"} WHERE "AAG ORDER NUMBER" = ${key}`.execute(
        db.kysely,
      );
      const next = await env.sync();
      expect(next.counts).toMatchObject({ updated: 1, held: total - 1 });
      const board = await boardSnapshot(env);
      expect(board.get(key)!.columns.po_number).toBe("FIXED-PO");
      expect(board.get(key)!.columns.delivery).toBe("2031-03-31");
    }, 60_000);
  });
}
