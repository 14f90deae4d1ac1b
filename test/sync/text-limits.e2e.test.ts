// Issue 12: texts over monday's limits. An item name over 255 characters, a long text over 2,000 and a
// plain text over `quality.maxTextLength` (order-sync's guard: monday documents no limit for text
// columns) each quarantine THEIR order with key, column and reason while the others sync, and nothing of
// them is sent; `validate` predicts the same issues; a fixed row syncs and leaves the quarantine.
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wireApp } from "../../src/app.js";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { testDatabases } from "../helpers/databases.js";
import { boardItems, plainOrder, syncEnv, testConfig, type SyncEnv } from "../helpers/sync-env.js";

const BOARD = "5001000001";
const CUSTOMER = "NORTHWIND APPAREL";
const order = (key: string, fields: Record<string, unknown>) => plainOrder(key, CUSTOMER, fields);
/** A megabyte of text: what a careless import can put in a column (issue 12 found 10 MB sent as is). */
const MEGABYTE = "x".repeat(1 << 20);

/** Each over-limit order, its issue's rule and column, and what the reason says. */
const OVER = [
  {
    row: order("AAG-TXT-NAME", { STYLE: "s".repeat(300) }),
    rule: "item-name",
    column: null,
    reason: /313.*255/,
  },
  {
    row: order("AAG-TXT-LONG", { COLOR: "c".repeat(2001) }),
    rule: "long-text-length",
    column: "COLOR",
    reason: /2001 characters.*2000/,
  },
  {
    row: order("AAG-TXT-HUGE", { "PO NUMBER": MEGABYTE }),
    rule: "text-length",
    column: "PO NUMBER",
    reason: /1048576 characters; quality.maxTextLength allows 2000/,
  },
] as const;
const GOOD = order("AAG-TXT-GOOD", {});

/** Every source column as text (MariaDB: mediumtext, since its text holds 64 KB). */
async function createTextTable(db: Db): Promise<void> {
  const k = db.kysely as unknown as Kysely<unknown>;
  const type = db.dialect === "mysql" ? sql`mediumtext` : sql`text`;
  let t = k.schema
    .createTable("ORDERS_UNIFIED")
    .addColumn("AAG ORDER NUMBER", "varchar(64)", (c) => c.primaryKey());
  for (const column of Object.keys(GOOD).filter((c) => c !== "AAG ORDER NUMBER"))
    t = t.addColumn(column, type);
  if (db.dialect === "mysql") t = t.modifyEnd(sql`default character set utf8mb4`);
  await t.execute();
}

const asText = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)]));

/** The starter config with COLOR mapped to a long text column. */
const config = () =>
  testConfig((raw) => {
    for (const b of raw.boards as { columns: { source: string; type: string }[] }[])
      for (const c of b.columns) if (c.source === "COLOR") c.type = "long_text";
  });

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`texts over monday's limits on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    beforeAll(async () => {
      db = await engine.open();
      await createTextTable(db);
      await db.kysely
        .insertInto("ORDERS_UNIFIED" as never)
        .values([GOOD, ...OVER.map((o) => o.row)].map(asText) as never)
        .execute();
      await migrateToLatest(db);
      env = await syncEnv(db, config());
    }, 60_000);
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("validate predicts one issue per over-limit order, naming its column", async () => {
      const { results } = await wireApp(env.settings, db).validate({ customers: [CUSTOMER] });
      const issues = results.flatMap((r) => r.issues);
      for (const { row, rule, column, reason } of OVER) {
        const found = issues.filter((i) => i.orderKey === row["AAG ORDER NUMBER"] && i.rule === rule);
        expect(
          found.map((i) => [i.column, i.severity]),
          rule,
        ).toEqual([[column, "ERROR"]]);
        expect(found[0]!.message).toMatch(reason);
      }
      expect(issues.filter((i) => i.orderKey === GOOD["AAG ORDER NUMBER"])).toEqual([]);
    });

    it("quarantines each with key, column and reason, syncs the good order and sends none of them", async () => {
      const summary = await env.sync([CUSTOMER]);
      expect(summary.counts).toMatchObject({ created: 1, quarantined: OVER.length });
      const items = await boardItems(env, BOARD);
      expect(items.map((i) => i.columnValues.order_number?.text)).toEqual(["AAG-TXT-GOOD"]);
      const held = await db.kysely.selectFrom("MON_Quarantine").selectAll().execute();
      for (const { row, rule, column, reason } of OVER) {
        const q = held.find((h) => h.order_key === row["AAG ORDER NUMBER"] && h.rule === rule);
        expect(q, rule).toMatchObject({ column_name: column, severity: "ERROR" });
        expect(q!.message).toMatch(reason);
      }
      expect(env.emulator.log.entries.some((e) => e.ok === false)).toBe(false);
    });

    it("syncs a fixed order and clears its quarantine", async () => {
      await db.kysely
        .updateTable("ORDERS_UNIFIED" as never)
        .set({ "PO NUMBER": "PO-FIXED" } as never)
        .where("AAG ORDER NUMBER" as never, "=", "AAG-TXT-HUGE" as never)
        .execute();
      const summary = await env.sync([CUSTOMER]);
      expect(summary.counts).toMatchObject({ created: 1, quarantined: OVER.length - 1 });
      const held = await db.kysely.selectFrom("MON_Quarantine").select("order_key").distinct().execute();
      expect(held.map((h) => h.order_key).sort()).toEqual(["AAG-TXT-LONG", "AAG-TXT-NAME"]);
    });
  });
}
