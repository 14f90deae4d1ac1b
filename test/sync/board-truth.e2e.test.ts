import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wireApp } from "../../src/app.js";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { deleteItemOp } from "../../src/monday/index.js";
import { createMetrics, DriftWatch, HealthChecker } from "../../src/observe/index.js";
import type { SyncEventMap } from "../../src/sync/index.js";
import { testDatabases } from "../helpers/databases.js";
import {
  boardItems,
  expectBoardsMatchDatabase,
  stagedCount,
  syncEnv,
  type SyncEnv,
} from "../helpers/sync-env.js";

const ORDERS = 80;
const SEED = 12;

type Checked = SyncEventMap["boardChecked"][0];

/** The emulator's requests, write requests and complexity of one step of the test. */
async function measured<T>(env: SyncEnv, what: string, run: () => Promise<T>) {
  env.emulator.resetStats();
  const result = await run();
  const s = env.emulator.stats();
  const cost = { requests: s.requests, writeRequests: s.writeRequests, complexity: s.complexityUsed };
  console.log(`${what}: ${JSON.stringify(cost)}`);
  return { result, cost };
}

/** A sync of every customer on `db` against the test's emulator, with the board checks it reported. */
async function syncOn(env: SyncEnv, db: Db) {
  const app = wireApp(env.settings, db);
  const checks: Checked[] = [];
  app.events.on("boardChecked", (e) => checks.push(e));
  const summary = await app.sync({});
  return { summary, checks };
}

async function openWithOrders(open: () => Promise<Db>): Promise<Db> {
  const db = await open();
  await createOrdersTable(db);
  await writeDemoOrders(db, { count: ORDERS, seed: SEED });
  return db;
}

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`the board is the truth, on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    let items: number;

    beforeAll(async () => {
      db = await openWithOrders(() => engine.open());
      env = await syncEnv(db);
      const first = await measured(env, "initial load", () => syncOn(env, db));
      expect(first.result.summary.exitCode).toBe(0);
      items = await expectBoardsMatchDatabase(env, db);
      expect(items).toBeGreaterThan(ORDERS * 0.8);
      expect(first.result.checks).toHaveLength(env.settings.config.customers.length);
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("an emptied MON_SyncState adopts every item after one sync: no duplicate, no write", async () => {
      await db.kysely.deleteFrom("MON_SyncState").execute();
      const { result, cost } = await measured(env, "recovery: MON_SyncState emptied", () => syncOn(env, db));
      expect(result.summary.exitCode).toBe(0);
      expect(result.summary.counts.created).toBe(0);
      expect(result.summary.counts.adopted).toBe(items);
      expect(cost.writeRequests).toBe(0);
      expect(await expectBoardsMatchDatabase(env, db)).toBe(items);
      expect(await stagedCount(db)).toBe(0);
      const again = await measured(env, "no-op after recovery", () => syncOn(env, db));
      expect(again.result.summary.counts.unchanged).toBe(items);
      expect(again.cost.writeRequests).toBe(0);
      expect(again.result.checks.every((c) => !c.scanned)).toBe(true);
    });

    it("a fresh state database adopts every item after one sync: no duplicate", async () => {
      const fresh = await openWithOrders(() => engine.open());
      try {
        const { result, cost } = await measured(env, "recovery: fresh state database", () =>
          syncOn(env, fresh),
        );
        expect(result.summary.exitCode).toBe(0);
        expect(result.summary.counts.created).toBe(0);
        expect(result.summary.counts.adopted).toBe(items);
        expect(cost.writeRequests).toBe(0);
        expect(await expectBoardsMatchDatabase(env, fresh)).toBe(items);
        const again = await measured(env, "no-op on the fresh database", () => syncOn(env, fresh));
        expect(again.cost.writeRequests).toBe(0);
      } finally {
        await fresh.close();
      }
    });

    it("items deleted on the board through the API are created again after one sync", async () => {
      const boardId = env.settings.config.boards[0]!.id;
      const victims = (await boardItems(env, boardId)).slice(0, 4);
      await env.client.runBatch(victims.map((i) => deleteItemOp({ itemId: i.id })));
      const { result, cost } = await measured(env, "recovery: 4 items deleted on the board", () =>
        syncOn(env, db),
      );
      expect(result.summary.exitCode).toBe(0);
      expect(result.summary.counts.created).toBe(4);
      expect(result.checks.some((c) => c.boardId === boardId && c.scanned)).toBe(true);
      expect(result.checks.reduce((n, c) => n + c.missing, 0)).toBe(4);
      expect(cost.writeRequests).toBeGreaterThan(0);
      expect(await expectBoardsMatchDatabase(env, db)).toBe(items);
      const again = await measured(env, "no-op after re-creating", () => syncOn(env, db));
      expect(again.cost.writeRequests).toBe(0);
    });

    it('an update answered "item not found" drops the state row and creates the item again in the same run', async () => {
      const board = env.settings.config.boards[0]!;
      const [victim] = await boardItems(env, board.id);
      const key = victim!.columnValues[board.keyColumn.id!]!.text!;
      await env.client.runBatch([deleteItemOp({ itemId: victim!.id })]);
      // A stranger's item keeps the board's count equal to the state's: no key scan, so the update meets the gap.
      const res = await fetch(env.emulator.url.replace(/\/v2$/, `/__admin/boards/${board.id}/items`), {
        method: "POST",
        headers: { authorization: "dev", "content-type": "application/json" },
        body: JSON.stringify({ name: "added by hand", columnValues: { [board.keyColumn.id!]: "HAND-1" } }),
      });
      expect(res.status).toBe(200);
      await sql`UPDATE "ORDERS_UNIFIED" SET "PO NUMBER" = ${"PO-CHANGED"} WHERE "AAG ORDER NUMBER" = ${key}`.execute(
        db.kysely,
      );
      const { result } = await measured(env, "update of a deleted item", () => syncOn(env, db));
      expect(result.summary.counts.dead).toBe(0);
      expect(result.summary.counts.created).toBe(1);
      expect(result.summary.exitCode).toBe(0);
      const onBoard = await boardItems(env, board.id);
      const keys = onBoard.map((i) => i.columnValues[board.keyColumn.id!]?.text);
      expect(keys.filter((k) => k === key)).toHaveLength(1);
      expect(new Set(keys).size).toBe(keys.length);
      const state = await db.kysely
        .selectFrom("MON_SyncState")
        .selectAll()
        .where("order_key", "=", key)
        .executeTakeFirstOrThrow();
      expect(state.monday_item_id).not.toBe(victim!.id);
      expect(onBoard.find((i) => i.id === state.monday_item_id)).toBeDefined();
    });

    it("reports the item no order knows as drift: a board check, /health and the metric", async () => {
      const app = wireApp(env.settings, db);
      const drift = new DriftWatch(app.events);
      const metrics = createMetrics({ events: app.events, processMetrics: false });
      const health = new HealthChecker(
        { db, monday: app.monday, drift: () => drift.entries() },
        { pendingMaxAgeHours: 24, lastBatchMaxAgeMinutes: 60, mondayCheckCacheSeconds: 30 },
      );
      try {
        const { cost } = await measured(env, "sync finding 1 unknown item", () => app.sync({}));
        expect(cost.writeRequests).toBe(0);
        const board = env.settings.config.boards[0]!;
        const customers = env.settings.config.customers
          .filter((c) => c.board === board.id)
          .map((c) => c.name);
        const entries = drift.entries().filter((e) => customers.includes(e.customer));
        expect(entries.length).toBe(customers.length);
        expect(entries.every((e) => e.unknown === 1)).toBe(true);
        const report = await health.check();
        expect(report.checks.board_drift).toMatchObject({ healthy: false, items_unknown: customers.length });
        expect(report.status).toBe("unhealthy");
        const text = await metrics.registry.getSingleMetricAsString("order_sync_board_drift_items");
        expect(text).toContain(`order_sync_board_drift_items{customer="${customers[0]}",kind="unknown"} 1`);
      } finally {
        drift.close();
        metrics.close();
      }
    });
  });
}
