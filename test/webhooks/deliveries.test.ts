// monday's at-least-once, any-order delivery against the inbox and its worker, on SQLite and PostgreSQL:
// the emulator duplicates, delays and reorders real HTTP deliveries, a test replays one; every planner edit
// is applied once and the write-back holds the last one.
import { tmpdir } from "node:os";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wireApp } from "../../src/app.js";
import { resolveSettings, type Settings } from "../../src/config/index.js";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { DEFAULT_USER, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { listen, webhookRoutes, type RunningServer } from "../../src/http/index.js";
import { InboxWorker, WebhooksApi } from "../../src/webhooks/index.js";
import { testDatabasesExcept } from "../helpers/databases.js";
import { testConfig } from "../helpers/sync-env.js";

const SECRET = "deliveries-secret-0123456789abcdef";
const PLANNER = "planner-token";
const CUSTOMER = "NORTHWIND APPAREL";
const EDITS = 8;

const config = testConfig((raw) => {
  const board = (raw.boards as Record<string, unknown>[])[0]!;
  board.tracked = [{ id: "planner_notes", title: "Planner Notes", type: "text", target: "NOTES" }];
  board.writeBack = { table: "ORDER_NOTES", keyColumn: "ORDER_KEY", columns: { size_note: "SIZE_NOTE" } };
  (board.subitems as Record<string, unknown>).columns = [
    { source: "COLOR", id: "size_note", title: "Size Note", type: "text", direction: "from-board" },
  ];
  raw.customers = [{ name: CUSTOMER, board: board.id, group: "{SEASON}" }];
});
const BOARD = config.boards[0]!.id;

for (const target of await testDatabasesExcept(["mssql"], "no SQL Server on this machine")) {
  describe.skipIf(!target.available)(
    `duplicated, replayed and reordered deliveries on ${target.name}`,
    () => {
      let db: Db;
      let emulator: Emulator;
      let settings: Settings;
      let server: RunningServer;
      let worker: InboxWorker;
      beforeAll(async () => {
        db = await target.open();
        await migrateToLatest(db);
        await createOrdersTable(db);
        await writeDemoOrders(db, { count: 10, seed: 7 });
        await sql`CREATE TABLE "ORDER_NOTES" ("ORDER_KEY" varchar(255) PRIMARY KEY, "NOTES" text, "SIZE_NOTE" text)`.execute(
          db.kysely,
        );
        emulator = await startEmulator({
          port: 0,
          boards: emulatorBoards(config),
          users: { users: [{ token: PLANNER, name: "Pat Planner" }], defaultUserTokens: ["test-token"] },
        });
        settings = resolveSettings(config, tmpdir(), {
          MONDAY_API_URL: emulator.url,
          MONDAY_API_TOKEN: "test-token",
        });
        expect((await wireApp(settings, db).sync()).exitCode).toBe(0);
        worker = new InboxWorker(db, { config, ownUserId: DEFAULT_USER.id }, { pollMs: 50 });
        worker.start();
        server = await listen(
          webhookRoutes({
            db,
            secret: SECRET,
            signingSecret: undefined,
            audiences: [],
            maxBodyBytes: 65_536,
            onStored: () => worker.notify(),
          }),
          { port: 0, host: "127.0.0.1" },
        );
      }, 60_000);
      afterAll(async () => {
        await worker?.stop();
        await server?.close();
        await emulator?.close();
        await db?.close();
      });

      it("applies each edit once and keeps the last one, whatever the delivery order", async () => {
        const api = WebhooksApi.over(settings.monday);
        await api.create({
          boardId: BOARD,
          url: `${server.url}/webhooks/monday/${SECRET}`,
          event: "change_specific_column_value",
          config: { columnId: "planner_notes" },
        });
        emulator.webhooks.deliveries.setFaults(
          { faults: { duplicate: 0.5, reorder: 0.4, delay: 0.3 }, delayMs: 300 },
          11,
        );
        const state = await db.kysely
          .selectFrom("MON_SyncState")
          .selectAll()
          .orderBy("order_key")
          .executeTakeFirstOrThrow();
        const item = state.monday_item_id!;
        for (let i = 1; i <= EDITS; i++) {
          const res = await fetch(new URL(`/__admin/items/${item}/column-values`, emulator.url), {
            method: "POST",
            headers: { Authorization: PLANNER, "Content-Type": "application/json" },
            body: JSON.stringify({ columnValues: { planner_notes: `note ${i}` } }),
          });
          expect(res.status).toBe(200);
          await new Promise((r) => setTimeout(r, 5));
        }
        const deadline = Date.now() + 20_000;
        for (;;) {
          const w = emulator.stats().webhooks;
          const pending = await db.kysely
            .selectFrom("MON_WebhookInbox")
            .select("inbox_id")
            .where("status", "=", "PENDING")
            .execute();
          if (w.sent >= w.queued + w.duplicated && pending.length === 0) break;
          if (Date.now() > deadline) throw new Error(`deliveries did not settle: ${JSON.stringify(w)}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        const stats = emulator.stats().webhooks;
        // The seeded faults hit this run: some deliveries came twice, some out of order.
        expect(stats.duplicated).toBeGreaterThan(0);
        expect(stats.reordered).toBeGreaterThan(0);
        // A replay of an old delivery (same triggerUuid) is stored once.
        const first = await db.kysely
          .selectFrom("MON_WebhookInbox")
          .selectAll()
          .orderBy("inbox_id")
          .executeTakeFirstOrThrow();
        const replay = await fetch(`${server.url}/webhooks/monday/${SECRET}`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ event: (JSON.parse(first.body) as { event: unknown }).event }),
        });
        expect(await replay.json()).toEqual({ ok: true, duplicate: true });
        await worker.drain();

        const inbox = await db.kysely.selectFrom("MON_WebhookInbox").selectAll().execute();
        expect(inbox).toHaveLength(EDITS);
        expect(inbox.every((r) => r.status === "APPLIED")).toBe(true);
        const changes = await db.kysely
          .selectFrom("MON_BoardChanges")
          .selectAll()
          .where("item_id", "=", item)
          .orderBy("changed_at")
          .execute();
        expect(changes.map((c) => c.canonical_value)).toEqual(
          Array.from({ length: EDITS }, (_, i) => `note ${i + 1}`),
        );
        expect(changes.every((c) => c.kind === "EDIT" || c.kind === "STALE")).toBe(true);
        // An edit that arrived after a later one is recorded as STALE and not written back.
        expect(changes.at(-1)?.kind).toBe("EDIT");
        const notes = await sql<{
          NOTES: string;
        }>`SELECT "NOTES" FROM "ORDER_NOTES" WHERE "ORDER_KEY" = ${state.order_key}`.execute(db.kysely);
        expect(notes.rows).toEqual([{ NOTES: `note ${EDITS}` }]);
      }, 60_000);

      it("brings a subitem column's edit back to its order (registered on the parent board)", async () => {
        const api = WebhooksApi.over(settings.monday);
        await api.create({
          boardId: BOARD,
          url: `${server.url}/webhooks/monday/${SECRET}`,
          event: "change_subitem_column_value",
        });
        emulator.webhooks.deliveries.setFaults({ faults: {} });
        const state = await db.kysely
          .selectFrom("MON_SyncState")
          .selectAll()
          .where("subitem_ids", "!=", "{}")
          .orderBy("order_key", "desc")
          .executeTakeFirstOrThrow();
        const [size, subitem] = Object.entries(JSON.parse(state.subitem_ids!) as Record<string, string>)[0]!;
        const res = await fetch(new URL(`/__admin/items/${subitem}/column-values`, emulator.url), {
          method: "POST",
          headers: { Authorization: PLANNER, "Content-Type": "application/json" },
          body: JSON.stringify({ columnValues: { size_note: `size ${size} late` } }),
        });
        expect(res.status).toBe(200);
        const deadline = Date.now() + 20_000;
        let change;
        while (
          !(change = await db.kysely
            .selectFrom("MON_BoardChanges")
            .selectAll()
            .where("item_id", "=", subitem)
            .executeTakeFirst())
        ) {
          if (Date.now() > deadline) throw new Error("the subitem edit did not arrive");
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(change).toMatchObject({
          order_key: state.order_key,
          column_id: "size_note",
          kind: "EDIT",
          resolution: "written-back",
        });
        const row = await sql<{
          SIZE_NOTE: string;
        }>`SELECT "SIZE_NOTE" FROM "ORDER_NOTES" WHERE "ORDER_KEY" = ${state.order_key}`.execute(db.kysely);
        expect(row.rows).toEqual([{ SIZE_NOTE: `size ${size} late` }]);
      }, 60_000);
    },
  );
}
