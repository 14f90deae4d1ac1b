// Issue 16 item 6, end to end: a size line with quantity 0 gets no subitem (`subitems.zeroQuantity: skip`,
// the default) unless the config says `create`; a size that drops to 0 archives its subitem, and a size
// that rises again from 0 gets a new one. `plan` predicts the same size lines.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createOrdersTable } from "../../src/demo/index.js";
import { wireApp } from "../../src/app.js";
import { testDatabases } from "../helpers/databases.js";
import { boardItems, plainOrder, syncEnv, testConfig, type SyncEnv } from "../helpers/sync-env.js";

const BOARD = "5001000001";
const CUSTOMER = "NORTHWIND APPAREL";
const order = (key: string, fields: Record<string, unknown>) => plainOrder(key, CUSTOMER, fields);
const ROWS = [
  order("AAG-ZERO-01", { SIZE_S: 5, SIZE_M: 0, "ORDER QTY": 5, "TOTAL QTY": 5 }),
  order("AAG-ZERO-02", { SIZE_S: 0, SIZE_M: 0, "ORDER QTY": 0, "TOTAL QTY": 0 }),
];

/** Size → quantity of each item's live (not archived) subitems on the board, by order key. */
async function sizesOnBoard(
  env: SyncEnv,
): Promise<Record<string, Record<string, string | null | undefined>>> {
  const items = await boardItems(env, BOARD);
  return Object.fromEntries(
    items.map((i) => [
      i.columnValues.order_number?.text ?? "",
      Object.fromEntries(
        i.subitems.filter((s) => s.state !== "archived").map((s) => [s.name, s.columnValues.quantity?.text]),
      ),
    ]),
  );
}

async function setSizes(db: Db, key: string, s: number, m: number): Promise<void> {
  await db.kysely
    .updateTable("ORDERS_UNIFIED" as never)
    .set({ SIZE_S: s, SIZE_M: m, "ORDER QTY": s + m, "TOTAL QTY": s + m } as never)
    .where("AAG ORDER NUMBER" as never, "=", key as never)
    .execute();
}

async function openWith(engine: { open(): Promise<Db> }, zeroQuantity?: "skip" | "create") {
  const db = await engine.open();
  await createOrdersTable(db);
  await db.kysely
    .insertInto("ORDERS_UNIFIED" as never)
    .values(ROWS as never)
    .execute();
  await migrateToLatest(db);
  const config = testConfig((raw) => {
    if (!zeroQuantity) return;
    for (const b of raw.boards as { subitems?: Record<string, unknown> }[])
      if (b.subitems) b.subitems.zeroQuantity = zeroQuantity;
  });
  return { db, env: await syncEnv(db, config) };
}

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`zero-quantity sizes (default skip) on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    beforeAll(async () => {
      ({ db, env } = await openWith(engine));
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("plans and creates no subitem for a size of 0", async () => {
      const plan = await wireApp(env.settings, db).plan({ customers: [CUSTOMER] });
      const planned = Object.fromEntries(plan.changes.map((c) => [c.orderKey, c.subitems?.create]));
      expect(planned).toEqual({ "AAG-ZERO-01": ["S"], "AAG-ZERO-02": [] });
      const first = await env.sync([CUSTOMER]);
      expect(first.counts).toMatchObject({ created: 2, subitemsCreated: 1 });
      expect(await sizesOnBoard(env)).toEqual({ "AAG-ZERO-01": { S: "5" }, "AAG-ZERO-02": {} });
    });

    it("archives the subitem of a size that drops to 0, and creates one when it rises again", async () => {
      await setSizes(db, "AAG-ZERO-01", 0, 4);
      const plan = await wireApp(env.settings, db).plan({ customers: [CUSTOMER] });
      expect(plan.changes.map((c) => c.subitems)).toEqual([{ create: ["M"], update: [], archive: ["S"] }]);
      const dropped = await env.sync([CUSTOMER]);
      expect(dropped.counts).toMatchObject({ subitemsCreated: 1, subitemsArchived: 1, subitemsUpdated: 0 });
      expect((await sizesOnBoard(env))["AAG-ZERO-01"]).toEqual({ M: "4" });
      await setSizes(db, "AAG-ZERO-01", 3, 4);
      const rose = await env.sync([CUSTOMER]);
      expect(rose.counts).toMatchObject({ subitemsCreated: 1, subitemsArchived: 0, subitemsUpdated: 0 });
      expect((await sizesOnBoard(env))["AAG-ZERO-01"]).toEqual({ S: "3", M: "4" });
      const noop = await env.sync([CUSTOMER]);
      expect(noop.counts).toMatchObject({ unchanged: 2, subitemsCreated: 0, subitemsArchived: 0 });
    });
  });

  describe.skipIf(!engine.available)(
    `zero-quantity sizes with zeroQuantity: create on ${engine.name}`,
    () => {
      let db: Db;
      let env: SyncEnv;
      beforeAll(async () => {
        ({ db, env } = await openWith(engine, "create"));
      });
      afterAll(async () => {
        await env?.close();
        await db?.close();
      });

      it("creates a subitem showing 0 for every size that is not NULL", async () => {
        const first = await env.sync([CUSTOMER]);
        expect(first.counts).toMatchObject({ created: 2, subitemsCreated: 4 });
        expect(await sizesOnBoard(env)).toEqual({
          "AAG-ZERO-01": { S: "5", M: "0" },
          "AAG-ZERO-02": { S: "0", M: "0" },
        });
      });
    },
  );
}
