import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createOrdersTable } from "../../src/demo/index.js";
import { testDatabases } from "../helpers/databases.js";
import { boardItems, plainOrder, stagedCount, syncEnv, type SyncEnv } from "../helpers/sync-env.js";

const BOARD = "5001000001";
const CUSTOMER = "NORTHWIND APPAREL";

const order = (key: string, fields: Record<string, unknown>) => plainOrder(key, CUSTOMER, fields);

/** Item names are `{AAG ORDER NUMBER} {STYLE}`: this style makes the name exactly `length` code points. */
const styleForNameLength = (key: string, length: number) =>
  "ßx".repeat(200).slice(0, length - key.length - 1);

const tricky = [
  order("AAG-EDGE-01", { STYLE: `Crew "Classic" 'Tee'`, "PO NUMBER": `PO\\2026\\"A"`, COLOR: "Navy\nWhite" }),
  order("AAG-EDGE-02", { STYLE: "Ünïcødé Parka ❄️🧥 日本", COLOR: "Grün / 緑", SEASON: "FW26 ✨" }),
  order("AAG-EDGE-03", { STYLE: styleForNameLength("AAG-EDGE-03", 255) }),
  order("AAG-EDGE-04", { "PO NUMBER": "", COLOR: null, "EX FACTORY DATE": null, "ORDER STATUS": null }),
  order("AAG-EDGE-05", { "ORDER QTY": 0, "TOTAL QTY": 0, SIZE_S: 0, SIZE_M: 0 }),
  order(`AAG-'Q"-06`, {
    STYLE: "}) { id } mutation { delete_item(item_id: 1) { id } }",
    "PO NUMBER": "'; DROP TABLE x; --",
  }),
];
const tooLong = order("AAG-EDGE-07", { STYLE: styleForNameLength("AAG-EDGE-07", 256) });

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`values that break naive code on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    beforeAll(async () => {
      db = await engine.open();
      await createOrdersTable(db);
      await db.kysely
        .insertInto("ORDERS_UNIFIED" as never)
        .values([...tricky, tooLong] as never)
        .execute();
      await migrateToLatest(db);
      env = await syncEnv(db);
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("round-trips quotes, backslashes, newlines, emoji, 255-character names, empty/NULL and zero", async () => {
      const summary = await env.sync([CUSTOMER]);
      expect(summary.counts.created).toBe(tricky.length);
      const items = await boardItems(env, BOARD);
      expect(items).toHaveLength(tricky.length);
      for (const row of tricky) {
        const key = String(row["AAG ORDER NUMBER"]);
        const item = items.find((i) => i.columnValues.order_number?.text === key);
        expect(item, key).toBeDefined();
        expect(item!.name).toBe(`${key} ${String(row.STYLE)}`);
        expect(item!.columnValues.po_number?.text || null).toBe(row["PO NUMBER"] || null);
        expect(item!.columnValues.color?.text || null).toBe(row.COLOR ?? null);
        expect(item!.columnValues.season?.text).toBe(row.SEASON);
        expect(item!.group?.title).toBe(row.SEASON);
        expect(item!.columnValues.order_qty?.text).toBe(String(row["ORDER QTY"]));
        expect(item!.columnValues.ex_factory?.text || null).toBe(row["EX FACTORY DATE"]);
        expect(item!.columnValues.order_status?.text || null).toBe(row["ORDER STATUS"]);
        expect(
          Object.fromEntries(item!.subitems.map((s) => [s.name, s.columnValues.quantity?.text])),
        ).toEqual(
          // A size of 0 gets no subitem (`subitems.zeroQuantity: skip`, the default).
          Object.fromEntries(
            [
              ["S", row.SIZE_S],
              ["M", row.SIZE_M],
            ]
              .filter(([, qty]) => qty !== 0)
              .map(([size, qty]) => [size, String(qty)]),
          ),
        );
      }
      const longName = items.find((i) => i.columnValues.order_number?.text === "AAG-EDGE-03")!.name;
      expect([...longName].length).toBe(255);
    });

    it("quarantines the 256-character name with a message naming the order, and sends nothing for it", async () => {
      const rows = await db.kysely.selectFrom("STG_MON_CustMasterSchedule").selectAll().execute();
      expect(rows).toEqual([]);
      const quarantine = await db.kysely.selectFrom("MON_Quarantine").selectAll().execute();
      expect(quarantine).toEqual([
        expect.objectContaining({ order_key: "AAG-EDGE-07", rule: "item-name", severity: "ERROR" }),
      ]);
      expect(quarantine[0]!.message).toMatch(/256.*255/);
      expect(env.emulator.log.entries.some((e) => e.ok === false)).toBe(false);
    });

    it("sees no change on the next run", async () => {
      const writes = env.emulator.log.writeRequests;
      const summary = await env.sync([CUSTOMER]);
      expect(summary.counts.unchanged).toBe(tricky.length);
      expect(summary.counts.quarantined).toBe(1);
      expect(summary.exitCode).toBe(1);
      expect(env.emulator.log.writeRequests).toBe(writes);
      // The held-back order is validated again and stays in MON_Quarantine; nothing is staged for it.
      expect(await stagedCount(db)).toBe(0);
      const held = await db.kysely.selectFrom("MON_Quarantine").select("order_key").distinct().execute();
      expect(held).toEqual([{ order_key: "AAG-EDGE-07" }]);
    });
  });
}
