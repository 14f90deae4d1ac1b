// Values that look fine to `Number()` or a loose pattern but that monday.com would reject or show wrong:
// hex and binary numerals, a quantity of 1e308, a time of 99:99:99, text the driver decoded from invalid
// UTF-8. Each order is quarantined with its key, column and reason while the other orders sync.
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { testDatabasesExcept } from "../helpers/databases.js";
import { boardItems, plainOrder, syncEnv, type SyncEnv } from "../helpers/sync-env.js";

const BOARD = "5001000001";
const CUSTOMER = "NORTHWIND APPAREL";
const order = (key: string, fields: Record<string, unknown>) => plainOrder(key, CUSTOMER, fields);

/** Every bad order, the column its issue names, and what the reason says. */
const BAD: readonly { row: Record<string, unknown>; column: string; reason: RegExp }[] = [
  { row: order("AAG-BAD-HEX", { "ORDER QTY": "0x10" }), column: "ORDER QTY", reason: /decimal number.*0x10/ },
  {
    row: order("AAG-BAD-BIN", { "ORDER QTY": "0b1010" }),
    column: "ORDER QTY",
    reason: /decimal number.*0b1010/,
  },
  {
    row: order("AAG-BAD-HUGE", { SIZE_S: "1e308", "TOTAL QTY": "1e308" }),
    column: "SIZE_S",
    reason: /at most 2\^53/,
  },
  {
    row: order("AAG-BAD-TIME", { "EX FACTORY DATE": "2026-06-15 99:99:99" }),
    column: "EX FACTORY DATE",
    reason: /no real time of day/,
  },
  { row: order("AAG-BAD-UTF8", { STYLE: "Tee \uFFFD" }), column: "STYLE", reason: /not valid UTF-8/ },
];
const GOOD = order("AAG-GOOD-01", {});

/** A text key in byte order (MariaDB cannot index a TEXT column whole: a binary varchar there). */
const KEY_TYPE = {
  sqlite: sql`text`,
  postgres: sql`text collate "C"`,
  mysql: sql`varchar(255) character set utf8mb4 collate utf8mb4_bin`,
  mssql: sql`nvarchar(255)`,
};

/** The orders table with every column as text, as a loosely typed source (a view, a CSV import) has it. */
async function createTextTable(db: Db): Promise<void> {
  const k = db.kysely as unknown as Kysely<unknown>;
  let t = k.schema
    .createTable("ORDERS_UNIFIED")
    .addColumn("AAG ORDER NUMBER", KEY_TYPE[db.dialect], (c) => c.primaryKey());
  for (const column of Object.keys(GOOD).filter((c) => c !== "AAG ORDER NUMBER"))
    t = t.addColumn(column, "text");
  if (db.dialect === "mysql") t = t.modifyEnd(sql`default character set utf8mb4`);
  await t.execute();
}

const asText = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)]));

for (const engine of await testDatabasesExcept(
  ["mssql"],
  "its fixture tables are written for SQLite, PostgreSQL and MariaDB (SQL Server is not run here)",
)) {
  describe.skipIf(!engine.available)(`values monday would reject, on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    beforeAll(async () => {
      db = await engine.open();
      await createTextTable(db);
      await db.kysely
        .insertInto("ORDERS_UNIFIED" as never)
        .values([GOOD, ...BAD.map((b) => b.row)].map(asText) as never)
        .execute();
      // PostgreSQL and MariaDB (utf8mb4, strict mode) refuse such bytes on insert: only SQLite keeps them.
      if (db.dialect === "sqlite")
        // Bytes that are not UTF-8 (0xC3 0x28), as a legacy import leaves them; the driver decodes U+FFFD.
        await sql`INSERT INTO "ORDERS_UNIFIED" SELECT 'AAG-BAD-BYTES', "CUSTOMER", "PO NUMBER", CAST(X'546565C328' AS TEXT), "COLOR", "SEASON", "ORDER QTY", "TOTAL QTY", "SIZE_XS", "SIZE_S", "SIZE_M", "SIZE_L", "SIZE_XL", "SIZE_XXL", "EX FACTORY DATE", "DELIVERY DATE", "ORDER STATUS" FROM "ORDERS_UNIFIED" WHERE "AAG ORDER NUMBER" = ${"AAG-GOOD-01"}`.execute(
          db.kysely,
        );
      await migrateToLatest(db);
      env = await syncEnv(db);
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("quarantines each bad order with its key, column and reason; the good one syncs", async () => {
      const summary = await env.sync([CUSTOMER]);
      expect(summary.counts.created).toBe(1);
      const items = await boardItems(env, BOARD);
      expect(items.map((i) => i.columnValues.order_number?.text)).toEqual(["AAG-GOOD-01"]);
      const held = await db.kysely.selectFrom("MON_Quarantine").selectAll().execute();
      const bad = [...BAD];
      if (db.dialect === "sqlite")
        bad.push({
          row: { "AAG ORDER NUMBER": "AAG-BAD-BYTES" },
          column: "STYLE",
          reason: /not valid UTF-8/,
        });
      for (const { row, column, reason } of bad) {
        const key = String(row["AAG ORDER NUMBER"]);
        const issues = held.filter((q) => q.order_key === key && q.column_name === column);
        expect(issues.map((q) => q.message).join("\n"), key).toMatch(reason);
      }
    });
  });
}
