// Two workers (two serve processes on one database) draining the same inbox apply every event once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import { linkStatusHistory, migrateToLatest, type Db } from "../../src/db/index.js";
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

    it("links each status change to the item's next one (next_at) as it records it, in any arrival order", async () => {
      // Five changes of one item's status arriving out of order (monday delivers in any order), one twice;
      // Open and Confirmed come twice, the later Open first.
      const base = Math.floor(Date.now() / 1000) - 3600;
      const label: Record<number, string> = {
        0: "Open",
        300: "Confirmed",
        600: "Open",
        900: "Confirmed",
        1200: "Shipped",
      };
      const offsets = [600, 300, 1200, 0, 900, 600];
      for (const o of offsets) {
        const raw = columnChangeEvent({
          boardId: Number(BOARD),
          pulseId: 9000000001,
          columnId: "order_status",
          columnType: "color",
          value: { label: { text: label[o] } },
          previousValue: null,
          changedAt: base + o,
          triggerUuid: `status-${o}`,
        });
        await storeEvent(db, eventOf(raw), "webhook", raw);
        await new InboxWorker(db, { config, ownUserId: "1000001" }).drain();
      }
      const history = await db.kysely
        .selectFrom("MON_StatusHistory")
        .select(["status", "changed_at", "next_at", "first_stay"])
        .where("column_id", "=", "order_status")
        .orderBy("changed_at")
        .execute();
      const at = (o: number) => new Date((base + o) * 1000).toISOString();
      const sorted = [0, 300, 600, 900, 1200];
      expect(history.map((h) => [h.status, h.changed_at, h.next_at])).toEqual(
        sorted.map((o, i) => [label[o], at(o), i + 1 < sorted.length ? at(sorted[i + 1]!) : null]),
      );
      expect(history.map((h) => Number(h.first_stay))).toEqual([1, 1, 0, 0, 1]);
      // The same as the window the migration uses, from no links at all.
      await db.kysely.updateTable("MON_StatusHistory").set({ next_at: null, first_stay: null }).execute();
      await linkStatusHistory(db.kysely as unknown as Kysely<unknown>, db.dialect);
      const relinked = await db.kysely
        .selectFrom("MON_StatusHistory")
        .select(["status", "changed_at", "next_at", "first_stay"])
        .where("column_id", "=", "order_status")
        .orderBy("changed_at")
        .execute();
      const plain = (rows: typeof history) => rows.map((h) => ({ ...h, first_stay: Number(h.first_stay) }));
      expect(plain(relinked)).toEqual(plain(history));
    });
  });
}
