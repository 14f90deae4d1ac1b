// Issue 12: one binary value in an item-name or group template column quarantines that order, named
// with its key, column and reason, while the customer's other orders sync.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createOrdersTable } from "../../src/demo/index.js";
import { testDatabases } from "../helpers/databases.js";
import { boardItems, plainOrder, syncEnv, testConfig, type SyncEnv } from "../helpers/sync-env.js";

const BOARD = "5001000001";
const CUSTOMER = "NORTHWIND APPAREL";
const BYTES = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
const GOOD = ["AAG-BIN-01", "AAG-BIN-02", "AAG-BIN-03"];

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`a binary value in a template column on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    beforeAll(async () => {
      db = await engine.open();
      await createOrdersTable(db);
      const binary = db.dialect === "postgres" ? sql`bytea` : sql`blob`;
      for (const column of ["NAME SUFFIX", "GROUP SUFFIX"])
        await sql`alter table ${sql.id("ORDERS_UNIFIED")} add column ${sql.id(column)} ${binary}`.execute(
          db.kysely,
        );
      const rows = [
        ...GOOD.map((key) => plainOrder(key, CUSTOMER)),
        plainOrder("AAG-BIN-NAME", CUSTOMER, { "NAME SUFFIX": BYTES }),
        plainOrder("AAG-BIN-GROUP", CUSTOMER, { "GROUP SUFFIX": BYTES }),
      ];
      await db.kysely
        .insertInto("ORDERS_UNIFIED" as never)
        .values(rows as never)
        .execute();
      await migrateToLatest(db);
      env = await syncEnv(
        db,
        testConfig((raw) => {
          const boards = raw.boards as Record<string, unknown>[];
          boards[0]!.itemName = "{AAG ORDER NUMBER} {STYLE}{NAME SUFFIX}";
          for (const c of raw.customers as Record<string, unknown>[])
            if (c.name === CUSTOMER) c.group = "{SEASON}{GROUP SUFFIX}";
        }),
      );
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("quarantines each bad order with its key, column and reason; the others sync", async () => {
      const summary = await env.sync([CUSTOMER]);
      expect(summary.customers[0]).toMatchObject({ ok: true });
      expect(summary.counts).toMatchObject({ created: GOOD.length, quarantined: 2 });
      const keys = (await boardItems(env, BOARD)).map((i) => i.columnValues.order_number?.text);
      expect(keys.sort()).toEqual(GOOD);
      const quarantine = await db.kysely.selectFrom("MON_Quarantine").selectAll().execute();
      expect(quarantine.find((q) => q.order_key === "AAG-BIN-NAME")).toMatchObject({
        rule: "item-name",
        column_name: "NAME SUFFIX",
      });
      expect(quarantine.find((q) => q.order_key === "AAG-BIN-GROUP")).toMatchObject({
        rule: "group-name",
        column_name: "GROUP SUFFIX",
      });
      for (const q of quarantine) expect(q.message).toMatch(/binary/);
    });
  });
}
