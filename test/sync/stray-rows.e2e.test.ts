// Issue 12: rows the read used to skip without a word. Open orders with a NULL key, and orders whose
// customer has spaces around the customer's name, are quarantined with a reason naming the column (one
// record for the NULL keys, one per spaced order), `validate` predicts the same, and when the rows are
// fixed the next sync syncs them and clears their quarantine rows.
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wireApp } from "../../src/app.js";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { testDatabases } from "../helpers/databases.js";
import { boardItems, plainOrder, syncEnv, type SyncEnv } from "../helpers/sync-env.js";

const BOARD = "5001000001";
const CUSTOMER = "NORTHWIND APPAREL";
const KEY = "AAG ORDER NUMBER";
const ROWS = [
  plainOrder("AAG-STRAY-GOOD", CUSTOMER),
  plainOrder("AAG-STRAY-LEAD", ` ${CUSTOMER}`),
  plainOrder("AAG-STRAY-TRAIL", `${CUSTOMER} `),
  plainOrder("", CUSTOMER, { [KEY]: null, "PO NUMBER": "PO-NULL-1" }),
  plainOrder("", CUSTOMER, { [KEY]: null, "PO NUMBER": "PO-NULL-2" }),
];

/** The demo columns with a key that may be NULL (a view or an import table has no primary key). */
async function createTable(db: Db): Promise<void> {
  const k = db.kysely as unknown as Kysely<unknown>;
  let t = k.schema.createTable("ORDERS_UNIFIED");
  for (const column of Object.keys(ROWS[0]!))
    t = t.addColumn(column, /QTY|SIZE/.test(column) ? "integer" : sql`varchar(64)`);
  if (db.dialect === "mysql") t = t.modifyEnd(sql`default character set utf8mb4`);
  await t.execute();
}

const quarantine = (db: Db) =>
  db.kysely.selectFrom("MON_Quarantine").selectAll().orderBy("order_key").execute();

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`rows with a NULL key or a spaced customer on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    // MySQL/MariaDB (and SQL Server) compare trailing spaces away: there that order is the customer's.
    const trailingIsStray = () => db.dialect === "sqlite" || db.dialect === "postgres";
    const strayKeys = () => ["(NULL)", "AAG-STRAY-LEAD", ...(trailingIsStray() ? ["AAG-STRAY-TRAIL"] : [])];
    beforeAll(async () => {
      db = await engine.open();
      await createTable(db);
      await db.kysely
        .insertInto("ORDERS_UNIFIED" as never)
        .values(ROWS as never)
        .execute();
      await migrateToLatest(db);
      env = await syncEnv(db);
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("validate reports them as ERRORs naming the row and the column", async () => {
      const { results } = await wireApp(env.settings, db).validate({ customers: [CUSTOMER] });
      const issues = results.flatMap((r) => r.issues);
      const nullKey = issues.filter((i) => i.rule === "order-key-null");
      expect(nullKey).toMatchObject([{ orderKey: "(NULL)", column: KEY, severity: "ERROR" }]);
      expect(nullKey[0]!.message).toMatch(
        /^2 open orders of customer "NORTHWIND APPAREL" have a NULL \[AAG ORDER NUMBER\].*PO-NULL-1.*PO-NULL-2/,
      );
      const spaced = issues.filter((i) => i.rule === "customer-name");
      expect(spaced.map((i) => [i.orderKey, i.column, i.severity])).toEqual(
        strayKeys()
          .slice(1)
          .map((k) => [k, "CUSTOMER", "ERROR"]),
      );
      expect(spaced[0]!.message).toMatch(/\[CUSTOMER\] is " NORTHWIND APPAREL", with spaces around/);
    });

    it("sync quarantines them with their reason and syncs the rest", async () => {
      const summary = await env.sync([CUSTOMER]);
      const synced = trailingIsStray() ? 1 : 2;
      expect(summary.counts).toMatchObject({ created: synced, quarantined: strayKeys().length });
      expect((await boardItems(env, BOARD)).length).toBe(synced);
      const held = await quarantine(db);
      expect(held.map((q) => [q.order_key, q.rule, q.column_name])).toEqual(
        strayKeys().map((k) => [
          k,
          k === "(NULL)" ? "order-key-null" : "customer-name",
          k === "(NULL)" ? KEY : "CUSTOMER",
        ]),
      );
      // A second run changes nothing: the records stay, with their first sighting.
      const again = await env.sync([CUSTOMER]);
      expect(again.counts).toMatchObject({ created: 0, quarantined: strayKeys().length });
      expect((await quarantine(db)).map((q) => q.first_seen)).toEqual(held.map((q) => q.first_seen));
    });

    it("syncs the fixed rows and clears their quarantine on the next sync", async () => {
      const t = db.kysely as unknown as Kysely<Record<string, Record<string, unknown>>>;
      await t
        .updateTable("ORDERS_UNIFIED")
        .set({ [KEY]: "AAG-STRAY-FIXED" })
        .where("PO NUMBER", "=", "PO-NULL-1")
        .execute();
      await t.updateTable("ORDERS_UNIFIED").set({ CUSTOMER }).where(KEY, "=", "AAG-STRAY-LEAD").execute();
      await t.updateTable("ORDERS_UNIFIED").set({ CUSTOMER }).where(KEY, "=", "AAG-STRAY-TRAIL").execute();
      await env.sync([CUSTOMER]);
      const keys = (await boardItems(env, BOARD)).map((i) => i.columnValues.order_number?.text).sort();
      expect(keys).toEqual(["AAG-STRAY-FIXED", "AAG-STRAY-GOOD", "AAG-STRAY-LEAD", "AAG-STRAY-TRAIL"]);
      // One NULL-key row is left: its record now counts 1; the spaced orders' records are gone.
      const held = await quarantine(db);
      expect(held.map((q) => q.order_key)).toEqual(["(NULL)"]);
      expect(held[0]!.message).toMatch(/^1 open order of customer .* has a NULL/);
      await t.deleteFrom("ORDERS_UNIFIED").where(KEY, "is", null).execute();
      const last = await env.sync([CUSTOMER]);
      expect(last.counts.quarantined).toBe(0);
      expect(await quarantine(db)).toEqual([]);
    });
  });
}
