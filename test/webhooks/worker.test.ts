// Two workers (two serve processes on one database) draining the same inbox apply every event once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { saveState } from "../../src/state/index.js";
import { eventOf, InboxWorker, storeEvent } from "../../src/webhooks/index.js";
import { testDatabasesExcept } from "../helpers/databases.js";
import { testConfig } from "../helpers/sync-env.js";
import { columnChangeEvent } from "../helpers/webhook-events.js";

const EVENTS = 60;
const config = testConfig((raw) => {
  (raw.boards as Record<string, unknown>[])[0]!.tracked = [
    { id: "planner_notes", title: "Planner Notes", type: "text" },
  ];
});
const BOARD = config.boards[0]!.id;

for (const target of await testDatabasesExcept(["mssql"], "no SQL Server on this machine")) {
  describe.skipIf(!target.available)(`two workers on one inbox on ${target.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await target.open();
      await migrateToLatest(db);
      await saveState(
        db.kysely,
        {
          customer: "NORTHWIND APPAREL",
          orderKey: "PO-1",
          boardId: BOARD,
          groupId: "topics",
          mondayItemId: "9000000001",
          values: { name: "PO-1", group: "SS26", columns: {}, subitems: {} },
          subitemIds: {},
          archived: false,
        },
        new Date().toISOString(),
      );
    });
    afterAll(async () => {
      await db?.close();
    });

    it("applies each event once", async () => {
      const base = Date.now() / 1000;
      for (let i = 0; i < EVENTS; i++) {
        const raw = columnChangeEvent({
          boardId: Number(BOARD),
          pulseId: 9000000001,
          columnId: "planner_notes",
          value: { value: `note ${i}` },
          changedAt: base + i / 1000,
        });
        await storeEvent(db, eventOf(raw), "webhook", raw);
      }
      const workers = [1, 2].map(() => new InboxWorker(db, { config, ownUserId: "1000001" }));
      await Promise.all([...workers.map((w) => w.drain()), workers[0]!.drain()]);
      const changes = await db.kysely.selectFrom("MON_BoardChanges").selectAll().execute();
      expect(changes).toHaveLength(EVENTS);
      const inbox = await db.kysely.selectFrom("MON_WebhookInbox").select("status").execute();
      expect(inbox.every((r) => r.status === "APPLIED")).toBe(true);
      expect(workers.reduce((n, w) => n + w.counts.applied, 0)).toBe(EVENTS);
    });
  });
}
