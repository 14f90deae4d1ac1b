import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import type { ColumnRecord } from "../../src/emulator/index.js";
import { testDatabases } from "../helpers/databases.js";
import {
  expectBoardsMatchDatabase,
  stagedCount,
  syncEnv,
  testConfig,
  type SyncEnv,
} from "../helpers/sync-env.js";

const engines = (await testDatabases()).filter((d) => d.name !== "postgres");
const BOARD = "5001000001";
const CUSTOMER = "NORTHWIND APPAREL";

// SQLite and MariaDB (issue 16).
for (const engine of engines) {
  describe.skipIf(!engine.available)(
    `the board changes between two runs: reported before anything is written, on ${engine.name}`,
    () => {
      let db: Db;
      let env: SyncEnv;
      let round = 0;

      beforeAll(async () => {
        db = await engine.open();
        await createOrdersTable(db);
        await writeDemoOrders(db, { count: 150, seed: 21 });
        // PO Number is mapped by title only, so a rename on monday is what breaks it.
        const config = testConfig((raw) => {
          const columns = (raw.boards as { columns: Record<string, unknown>[] }[])[0]!.columns;
          columns[1] = { source: "PO NUMBER", title: "PO Number", type: "text" };
        });
        env = await syncEnv(db, config);
        expect((await env.sync()).exitCode).toBe(0);
      });
      afterAll(async () => {
        await env?.close();
        await db?.close();
      });

      const column = (pick: (c: ColumnRecord) => boolean) =>
        env.emulator.store.boards.get(BOARD)!.columns.find(pick)!;

      /** Changes every order of the customer, breaks the board, syncs, checks nothing was written, mends the board. */
      async function expectDriftStops(breakBoard: () => () => void, message: RegExp) {
        round++;
        await sql`UPDATE "ORDERS_UNIFIED" SET "PO NUMBER" = ${`PO-R${round}`}, "COLOR" = ${`Colour ${round}`} WHERE "CUSTOMER" = ${CUSTOMER}`.execute(
          db.kysely,
        );
        const mend = breakBoard();
        const writes = env.emulator.log.writeRequests;
        const summary = await env.sync();
        expect(summary.exitCode).toBe(2);
        const failed = summary.customers.filter((c) => !c.ok);
        expect(failed.map((c) => c.customer).sort()).toEqual(
          ["BLUE HARBOR", "KESTREL OUTDOOR", CUSTOMER].sort(),
        );
        for (const c of failed) expect(c.error).toMatch(message);
        expect(env.emulator.log.writeRequests).toBe(writes);
        expect(await stagedCount(db)).toBe(0);
        mend();
        const again = await env.sync();
        expect(again.exitCode).toBe(0);
        expect(again.counts.updated).toBeGreaterThan(10);
        await expectBoardsMatchDatabase(env, db);
      }

      it("a column mapped by title was renamed", async () => {
        await expectDriftStops(() => {
          const c = column((c) => c.title === "PO Number");
          c.title = "Customer PO";
          return () => (c.title = "PO Number");
        }, /board 5001000001 .* has no column with title "PO Number" \(boards\[0\]\.columns\[1\]\)/);
      });

      it("a mapped column was deleted", async () => {
        await expectDriftStops(() => {
          const board = env.emulator.store.boards.get(BOARD)!;
          const at = board.columns.findIndex((c) => c.id === "color");
          const [removed] = board.columns.splice(at, 1);
          return () => board.columns.splice(at, 0, removed!);
        }, /has no column with id "color" \(boards\[0\]\.columns\[3\]\)/);
      });

      it("a mapped column changed type", async () => {
        await expectDriftStops(() => {
          const c = column((c) => c.id === "color");
          c.type = "long_text";
          return () => (c.type = "text");
        }, /column "color" \("Colour"\) on board 5001000001 is of type long_text, but boards\[0\]\.columns\[3\] maps it as text/);
      });

      it("a status label the config relies on was deactivated", async () => {
        await expectDriftStops(() => {
          const c = column((c) => c.id === "order_status");
          const labels = c.settings.labels as { label: string; is_deactivated: boolean }[];
          const label = labels.find((l) => l.label === "On Hold")!;
          label.is_deactivated = true;
          return () => (label.is_deactivated = false);
        }, /no longer has the label "On Hold" that boards\[0\]\.columns\[9\]\.labels lists/);
      });
    },
  );
}
