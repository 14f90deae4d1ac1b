import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { testDatabases } from "../helpers/databases.js";
import { stagedCount, syncEnv, testConfig, type SyncEnv } from "../helpers/sync-env.js";

const CUSTOMER = "BLUE HARBOR";

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`rows monday.com rejects, on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    let bad: string;

    beforeAll(async () => {
      db = await engine.open();
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: 200, seed: 3 });
      bad = (
        await sql<{
          k: string;
        }>`SELECT "AAG ORDER NUMBER" AS k FROM "ORDERS_UNIFIED" WHERE "CUSTOMER" = ${CUSTOMER} AND "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"} ORDER BY 1 LIMIT 1`.execute(
          db.kysely,
        )
      ).rows[0]!.k;
      // A new label, which the config lets monday create; but the status column already holds the 40 labels
      // monday allows, so monday answers ColumnValueException: a rejection only monday can make.
      await sql`UPDATE "ORDERS_UNIFIED" SET "ORDER STATUS" = ${"Teleported"} WHERE "AAG ORDER NUMBER" = ${bad}`.execute(
        db.kysely,
      );
      const config = testConfig((raw) => {
        const board = (raw.boards as Record<string, unknown>[])[0]!;
        board.createLabelsIfMissing = true;
        const status = (board.columns as Record<string, unknown>[]).find((c) => c.id === "order_status")!;
        const labels = status.labels as string[];
        status.labels = [
          ...labels,
          ...Array.from({ length: 40 - labels.length }, (_, i) => `Stage ${i + 1}`),
        ];
      });
      env = await syncEnv(db, config);
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("keeps the rejected order staged as DEAD with monday's message; the rest of its batch lands", async () => {
      const summary = await env.sync([CUSTOMER]);
      expect(summary.exitCode).toBe(1);
      expect(summary.counts.dead).toBe(1);
      expect(summary.counts.created).toBeGreaterThan(20);
      expect(summary.failures).toEqual([expect.objectContaining({ orderKey: bad, status: "DEAD" })]);
      const rows = await db.kysely.selectFrom("STG_MON_CustMasterSchedule").selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ order_key: bad, stg_status: "DEAD", action: "CREATE", attempts: 1 });
      expect(rows[0]!.last_error).toMatch(/ColumnValueException/);
      const subs = await db.kysely.selectFrom("STG_MON_CustMasterSchedule_Subitems").selectAll().execute();
      expect(subs.length).toBeGreaterThan(0);
      // The parent is DEAD: its size lines can never be sent, so they wait DEAD with it, not PENDING.
      expect(subs.every((s) => s.order_key === bad && s.stg_status === "DEAD")).toBe(true);
    });

    it("does not resend a DEAD row while the order is unchanged, run after run, and counts it once", async () => {
      const writes = env.emulator.log.writeRequests;
      for (let run = 0; run < 3; run++) {
        const summary = await env.sync([CUSTOMER]);
        expect(summary.counts.dead).toBe(1);
        expect(summary.failures).toEqual([]);
        expect(summary.exitCode).toBe(1);
        expect(env.emulator.log.writeRequests).toBe(writes);
        const rows = await db.kysely.selectFrom("STG_MON_CustMasterSchedule").selectAll().execute();
        expect(rows).toEqual([expect.objectContaining({ order_key: bad, stg_status: "DEAD", attempts: 1 })]);
        const subs = await db.kysely.selectFrom("STG_MON_CustMasterSchedule_Subitems").selectAll().execute();
        expect(subs.length).toBeGreaterThan(0);
        expect(subs.every((s) => s.stg_status === "DEAD")).toBe(true);
      }
    });

    it("sends the order once it is fixed, and clears the DEAD row", async () => {
      await sql`UPDATE "ORDERS_UNIFIED" SET "ORDER STATUS" = ${"Open"} WHERE "AAG ORDER NUMBER" = ${bad}`.execute(
        db.kysely,
      );
      const summary = await env.sync([CUSTOMER]);
      expect(summary.exitCode).toBe(0);
      expect(summary.counts.created).toBe(1);
      expect(summary.counts.subitemsCreated).toBeGreaterThan(0);
      expect(await stagedCount(db)).toBe(0);
      const found = await env.client.findItemsByColumnValue("5001000001", "order_number", [bad]);
      expect(found).toHaveLength(1);
      expect(found[0]!.columnValues.order_status?.text).toBe("Open");
    });
  });
}
