import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable } from "../../src/demo/index.js";
import { checkSourceTable, SourceError, type SourceSettings } from "../../src/source/index.js";
import { testDatabases } from "../helpers/databases.js";

const SOURCE: SourceSettings = {
  table: "ORDERS_UNIFIED",
  keyColumn: "AAG ORDER NUMBER",
  customerColumn: "CUSTOMER",
  cancelled: { column: "AAG ORDER NUMBER", contains: "CANCELLED" },
};

for (const target of await testDatabases()) {
  describe.skipIf(!target.available)(`checkSourceTable on ${target.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await target.open();
    });
    afterAll(async () => {
      await db?.close();
    });

    it("names the table and the database when the table is missing", async () => {
      const err = await checkSourceTable(db, SOURCE, []).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceError);
      expect((err as Error).message).toMatch(
        db.dialect === "sqlite"
          ? /^table ORDERS_UNIFIED not found in SQLite database .*\.db$/
          : /^table ORDERS_UNIFIED not found in (PostgreSQL|MySQL\/MariaDB) database \w+ \(schemas searched: os_/,
      );
    });

    it("hints at a table whose name differs only in case", async () => {
      await createOrdersTable(db, "orders_unified");
      await expect(checkSourceTable(db, SOURCE, [])).rejects.toThrow(/did you mean "orders_unified"/);
      await (db.kysely as unknown as Kysely<unknown>).schema.dropTable("orders_unified").execute();
    });

    it("accepts the demo table and reports every missing column with its config key", async () => {
      await createOrdersTable(db);
      const info = await checkSourceTable(db, SOURCE, [
        "STYLE",
        { column: "SIZE_M", where: "boards[0].subitems.sizes[2]" },
      ]);
      expect(info.name).toBe("ORDERS_UNIFIED");
      expect(info.columns.map((c) => c.name)).toContain("LAST MODIFIED");

      const err = await checkSourceTable(db, { ...SOURCE, customerColumn: "Customer" }, [
        { column: "SIZE_3XL", where: "boards[0].subitems.sizes[6]" },
        "FABRIC",
      ]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceError);
      const e = err as SourceError;
      expect(e.message).toContain(
        'ORDERS_UNIFIED has no column "Customer" (mapped at source.customerColumn); did you mean "CUSTOMER"?',
      );
      expect(e.message).toContain(
        'ORDERS_UNIFIED has no column "SIZE_3XL" (mapped at boards[0].subitems.sizes[6])',
      );
      expect(e.message).toContain('ORDERS_UNIFIED has no column "FABRIC"');
      expect(e.missingColumns.map((c) => c.column)).toEqual(["Customer", "SIZE_3XL", "FABRIC"]);
    });

    it("finds views too", async () => {
      await sql`create view ${sql.id("ORDERS_VIEW")} as select * from ${sql.id("ORDERS_UNIFIED")}`.execute(
        db.kysely,
      );
      const info = await checkSourceTable(db, { ...SOURCE, table: "ORDERS_VIEW" }, []);
      expect(info.isView).toBe(true);
    });
  });
}
