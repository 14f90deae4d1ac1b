import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wireApp } from "../../src/app.js";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { runRollback, runRollbackTo, type RollbackOptions } from "../../src/rollback/index.js";
import { testDatabasesExcept } from "../helpers/databases.js";
import { badBatch, boardSnapshot, withoutIds } from "../helpers/rollback.js";
import { syncEnv, type SyncEnv } from "../helpers/sync-env.js";

for (const engine of await testDatabasesExcept(
  ["mssql"],
  "no SQL Server on this machine kind (its statements are checked by test/db/mssql-statements.test.ts)",
)) {
  describe.skipIf(!engine.available)(
    `rollback --delete, a rollback of the rollback, --to, on ${engine.name}`,
    () => {
      let db: Db;
      let env: SyncEnv;
      let clean: Awaited<ReturnType<typeof boardSnapshot>>;
      const rollback = (options: RollbackOptions) => {
        const app = wireApp(env.settings, db);
        return runRollback({ settings: env.settings, db, monday: app.monday, events: app.events }, options);
      };
      const holds = async () =>
        Number(
          (
            await db.kysely
              .selectFrom("MON_RollbackHolds")
              .select(db.kysely.fn.countAll().as("n"))
              .executeTakeFirst()
          )?.n ?? 0,
        );

      beforeAll(async () => {
        db = await engine.open();
        await createOrdersTable(db);
        await writeDemoOrders(db, { count: 150, seed: 3 });
        env = await syncEnv(db);
      });
      afterAll(async () => {
        await env?.close();
        await db?.close();
      });

      it("deletes what the batch created; rolling the rollback back puts the batch's board back", async () => {
        expect((await env.sync()).exitCode).toBe(0);
        clean = await boardSnapshot(env);
        const keys = await badBatch(db, { updated: 6, created: 4, cancelled: 3 });
        const batch = await env.sync();
        expect(batch.exitCode).toBe(0);
        const bad = await boardSnapshot(env);

        const mark = env.emulator.log.entries.length;
        const first = await rollback({ batchId: batch.batchId, delete: true });
        expect(first.run?.exitCode).toBe(0);
        expect(first.undo.filter((u) => u.action === "DELETE").map((u) => u.orderKey)).toEqual(keys.created);
        const deleted = env.emulator.log.entries
          .slice(mark)
          .filter((e) => e.operation === "delete_item" && e.ok);
        expect(deleted).toHaveLength(keys.created.length);
        expect(withoutIds(await boardSnapshot(env))).toEqual(withoutIds(clean));
        expect(await holds()).toBe(13);

        // The rollback is a batch of its own: undoing it re-creates the deleted items, archives the
        // re-created ones and writes the batch's values again; its holds end.
        const second = await rollback({ batchId: first.batchId! });
        expect(second.run?.exitCode).toBe(0);
        expect(second.conflicts).toEqual([]);
        expect(second.undo.map((u) => u.action).sort()).toEqual(
          [
            ...keys.created.map(() => "RECREATE"),
            ...keys.cancelled.map(() => "ARCHIVE"),
            ...keys.updated.map(() => "RESTORE"),
          ].sort(),
        );
        expect(withoutIds(await boardSnapshot(env))).toEqual(withoutIds(bad));
        expect(await holds()).toBe(0);

        // The board now holds what the source holds: the next sync writes nothing.
        const writes = env.emulator.log.writeRequests;
        const next = await env.sync();
        expect(next.counts).toMatchObject({ created: 0, updated: 0, archived: 0, held: 0 });
        expect(env.emulator.log.writeRequests - writes).toBe(0);
      }, 120_000);

      it("--to undoes every batch after one, newest first: the board as right after that batch", async () => {
        const first = (await db.kysely
          .selectFrom("MON_SyncRuns")
          .select("batch_id")
          .orderBy("started_at")
          .executeTakeFirst())!;
        // One more batch on top of the batch, its rollback and the rollback's rollback.
        await sql`UPDATE "ORDERS_UNIFIED" SET "COLOR" = ${"Plum"} WHERE "AAG ORDER NUMBER" = ${clean.keys().next().value!}`.execute(
          db.kysely,
        );
        expect((await env.sync()).counts.updated).toBe(1);
        const app = wireApp(env.settings, db);
        const all = await runRollbackTo(
          { settings: env.settings, db, monday: app.monday, events: app.events },
          { to: first.batch_id },
        );
        expect(all).toHaveLength(4);
        expect(all.map((r) => r.run?.exitCode)).toEqual([0, 0, 0, 0]);
        expect(withoutIds(await boardSnapshot(env))).toEqual(withoutIds(clean));
      }, 120_000);

      it("names an unknown batch with exit code 2", async () => {
        await expect(rollback({ batchId: "no-such-batch" })).rejects.toMatchObject({
          outcome: "config",
          message: expect.stringContaining("no-such-batch"),
        });
      });
    },
  );
}
