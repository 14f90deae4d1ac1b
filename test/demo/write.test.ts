import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/index.js";
import {
  createOrdersTable,
  generateOrders,
  writeDemoDatabase,
  writeDemoOrders,
} from "../../src/demo/index.js";
import { readOrderPages } from "../../src/source/index.js";
import { testDatabases } from "../helpers/databases.js";

const COUNT = 2000;

for (const target of await testDatabases()) {
  describe.skipIf(!target.available)(`writeDemoOrders on ${target.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await target.open();
    });
    afterAll(async () => {
      await db?.close();
    });

    it("writes every generated row and reads back the same values", async () => {
      await createOrdersTable(db);
      await createOrdersTable(db); // idempotent
      const progress: number[] = [];
      const result = await writeDemoOrders(db, {
        count: COUNT,
        seed: 42,
        onProgress: (n) => progress.push(n),
      });
      const expected = [...generateOrders({ count: COUNT, seed: 42 })];
      const cancelled = expected.filter((r) => String(r["AAG ORDER NUMBER"]).includes("CANCELLED")).length;
      expect(result).toEqual({ inserted: COUNT, cancelled });
      expect(progress[progress.length - 1]).toBe(COUNT);

      const count = await sql<{ n: number }>`select count(*) as n from ${sql.id("ORDERS_UNIFIED")}`.execute(
        db.kysely,
      );
      expect(Number(count.rows[0]?.n)).toBe(COUNT);

      const customer = "MAPLE & MOSS";
      const rows = [];
      for await (const page of readOrderPages(db, {
        table: "ORDERS_UNIFIED",
        keyColumn: "AAG ORDER NUMBER",
        customerColumn: "CUSTOMER",
        customer,
        cancelled: { column: "AAG ORDER NUMBER", contains: "CANCELLED" },
        columns: Object.keys(expected[0]!),
        pageSize: 100,
      }))
        rows.push(...page.rows);
      const want = expected.filter(
        (r) => r.CUSTOMER === customer && !String(r["AAG ORDER NUMBER"]).includes("CANCELLED"),
      );
      expect(rows).toEqual(want);
    });
  });
}

describe("writeDemoDatabase", () => {
  const file = join(tmpdir(), `order-sync-demo-${process.pid}-${Date.now()}.db`);
  afterAll(() => {
    for (const s of ["", "-wal", "-shm"]) rmSync(file + s, { force: true });
  });

  it("creates a SQLite file holding ORDERS_UNIFIED", async () => {
    const result = await writeDemoDatabase(file, { count: 750, seed: 3 });
    expect(result.inserted).toBe(750);
    const db = await openDatabase({ dialect: "sqlite", url: file }, { fileMustExist: true });
    try {
      const r = await sql<{ n: number }>`select count(*) as n from ${sql.id("ORDERS_UNIFIED")}`.execute(
        db.kysely,
      );
      expect(r.rows[0]?.n).toBe(750);
    } finally {
      await db.close();
    }
  });
});
