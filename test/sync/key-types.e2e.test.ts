// Issue 12, end to end: integer keys in a column the reader cannot take as text (SQLite: a table created
// without types; PostgreSQL: bigint) and integers beyond 2^53 sync every order once, with exact keys.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createOrdersTable } from "../../src/demo/index.js";
import { testDatabasesExcept } from "../helpers/databases.js";
import { boardItems, plainOrder, syncEnv, testConfig, type SyncEnv } from "../helpers/sync-env.js";

const TABLE = "ORDERS_INTEGER_KEYS";
const BOARD = "5001000001";
const CUSTOMER = "NORTHWIND APPAREL";
/** 2^53 and 2^53 + 1: one number to a double, two orders to the database. */
const BIG_KEYS = [9007199254740992n, 9007199254740993n];
/** An order whose quantity a double would round: quarantined, never sent changed. */
const BIG_QTY_KEY = 9007199254740995n;

function orders(): Record<string, unknown>[] {
  const small = Array.from({ length: 25 }, (_, i) => plainOrder("", CUSTOMER, { "AAG ORDER NUMBER": i + 1 }));
  const big = BIG_KEYS.map((key) => plainOrder("", CUSTOMER, { "AAG ORDER NUMBER": key }));
  const bigQty = plainOrder("", CUSTOMER, {
    "AAG ORDER NUMBER": BIG_QTY_KEY,
    "ORDER QTY": 9007199254740993n,
  });
  return [...small, ...big, bigQty];
}

/** SQLite: every column untyped (integers stay integers); PostgreSQL and MariaDB: the demo table with bigint keys. */
async function createTable(db: Db): Promise<void> {
  if (db.dialect === "sqlite") {
    const columns = Object.keys(plainOrder("", CUSTOMER)).map((c) => sql.id(c));
    await sql`create table ${sql.id(TABLE)} (${sql.join(columns)})`.execute(db.kysely);
    return;
  }
  await createOrdersTable(db, TABLE);
  for (const column of ["AAG ORDER NUMBER", "ORDER QTY"])
    await (
      db.dialect === "mysql"
        ? sql`alter table ${sql.id(TABLE)} modify ${sql.id(column)} bigint`
        : sql`alter table ${sql.id(TABLE)} alter column ${sql.id(column)} type bigint using null`
    ).execute(db.kysely);
}

for (const engine of await testDatabasesExcept(
  ["mssql"],
  "its fixture tables are written for SQLite, PostgreSQL and MariaDB (SQL Server is not run here)",
)) {
  describe.skipIf(!engine.available)(`integer order keys on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    beforeAll(async () => {
      db = await engine.open();
      await createTable(db);
      await db.kysely
        .insertInto(TABLE as never)
        .values(orders() as never)
        .execute();
      await migrateToLatest(db);
      env = await syncEnv(
        db,
        testConfig((raw) => {
          (raw.source as Record<string, unknown>).table = TABLE;
          (raw.sync as Record<string, unknown>).pageSize = 10;
        }),
      );
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("creates every order once, across pages, with its exact key; the unroundable quantity is quarantined", async () => {
      const first = await env.sync([CUSTOMER]);
      const expected = [...Array.from({ length: 25 }, (_, i) => String(i + 1)), ...BIG_KEYS.map(String)];
      expect(first.counts.created).toBe(expected.length);
      const keys = (await boardItems(env, BOARD)).map((i) => i.columnValues.order_number?.text);
      expect(keys.sort()).toEqual(expected.sort());
      const quarantine = await db.kysely.selectFrom("MON_Quarantine").selectAll().execute();
      expect(quarantine.find((q) => q.rule === "number-invalid")).toMatchObject({
        order_key: String(BIG_QTY_KEY),
        column_name: "ORDER QTY",
      });
      const second = await env.sync([CUSTOMER]);
      expect(second.counts).toMatchObject({ created: 0, updated: 0, unchanged: expected.length });
    });
  });
}
