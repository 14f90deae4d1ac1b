// Keys exactly as the database holds them (issue 12): paging that is right for any declared key type,
// integers beyond 2^53 never rounded, and one clear line for a key type that cannot be compared exactly.
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import {
  compareKeys,
  readOrderPages,
  readOrdersByKeys,
  SourceError,
  type OrderPage,
  type ReadOrdersOptions,
} from "../../src/source/index.js";
import { testDatabases } from "../helpers/databases.js";

/** 2^53 + 1 and its neighbours: distinct integers that a double rounds onto each other. */
const BIG = ["9007199254740993", "9007199254740992", "9007199254740995", "-9223372036854775807"];

function options(table: string, keyColumn = "ID"): ReadOrdersOptions {
  return {
    table,
    keyColumn,
    customerColumn: "CUSTOMER",
    customer: "C",
    cancelled: { column: "CUSTOMER", contains: "CANCELLED" },
    columns: ["QTY"],
  };
}

async function readAll(db: Db, opts: ReadOrdersOptions, pageSize = 10): Promise<OrderPage[]> {
  const pages: OrderPage[] = [];
  for await (const page of readOrderPages(db, { ...opts, pageSize })) pages.push(page);
  return pages;
}

for (const target of await testDatabases()) {
  describe.skipIf(!target.available)(`order keys as the database holds them on ${target.name}`, () => {
    let db: Db;
    let k: Kysely<unknown>;
    const run = (statement: string) => sql.raw(statement).execute(k);
    const sqliteOnly = () => target.name === "sqlite";
    // Cases that cannot exist on PostgreSQL (SQLite's type affinity) are not registered there at all.
    const itOnSqlite = (name: string, fn: () => Promise<void>): void => {
      if (sqliteOnly()) it(name, fn);
    };

    beforeAll(async () => {
      db = await target.open();
      k = db.kysely as unknown as Kysely<unknown>;
      await run(`create table "TYPED" ("ID" varchar(20), "CUSTOMER" varchar(10), "QTY" bigint)`);
      await run(
        `insert into "TYPED" values ${Array.from({ length: 25 }, (_, i) => `('${i + 1}', 'C', ${i})`).join(", ")}`,
      );
      // A view that turns the text key into integers: SQLite declares such a column "INT" or nothing.
      await run(
        `create view "INT_VIEW" as select cast("ID" as integer) as "ID", "CUSTOMER", "QTY" from "TYPED"`,
      );
    });
    afterAll(async () => {
      await db?.close();
    });

    it("pages every order of a view whose key is CAST(... AS INTEGER)", async () => {
      const pages = await readAll(db, options("INT_VIEW"), 10);
      const expected = Array.from({ length: 25 }, (_, i) => String(i + 1)).sort(compareKeys);
      expect(pages.flatMap((p) => p.keys)).toEqual(expected);
      expect(pages.flatMap((p) => p.rows.map((r) => String(r.ID)))).toEqual(expected);
    });

    itOnSqlite("pages every order of a table created without types (and with type STRING)", async () => {
      await run(`create table "UNTYPED" ("ID", "CUSTOMER", "QTY")`);
      await run(`create table "STRINGLY" ("ID" string, "CUSTOMER" string, "QTY" string)`);
      for (const table of ["UNTYPED", "STRINGLY"]) {
        await run(
          `insert into "${table}" values ${Array.from({ length: 25 }, (_, i) => `(${i + 1}, 'C', ${i})`).join(", ")}`,
        );
        const pages = await readAll(db, options(table), 10);
        expect(
          pages.flatMap((p) => p.keys),
          table,
        ).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)).sort(compareKeys));
        expect(new Set(pages.flatMap((p) => p.keys)).size).toBe(25);
      }
      // better-sqlite3 binds JavaScript numbers as REAL, which an untyped column keeps: 1.0 is the key "1".
      await run(`create table "UNTYPED_JS" ("ID", "CUSTOMER", "QTY")`);
      await k
        .insertInto("UNTYPED_JS" as never)
        .values(Array.from({ length: 25 }, (_, i) => ({ ID: i + 1, CUSTOMER: "C", QTY: i })) as never)
        .execute();
      const pages = await readAll(db, options("UNTYPED_JS"), 10);
      expect(pages.flatMap((p) => p.keys)).toEqual(
        Array.from({ length: 25 }, (_, i) => String(i + 1)).sort(compareKeys),
      );
      expect((await readOrdersByKeys(db, options("UNTYPED_JS"), ["7"])).keys).toEqual(["7"]);
    });

    it("never rounds integers beyond 2^53, in the key or in any other column", async () => {
      await run(`create table "BIG" ("ID" bigint, "CUSTOMER" varchar(10), "QTY" bigint)`);
      await run(`insert into "BIG" values ${BIG.map((v) => `(${v}, 'C', ${v})`).join(", ")}`);
      const pages = await readAll(db, options("BIG"), 2);
      const keys = pages.flatMap((p) => p.keys);
      expect(keys).toEqual([...BIG].sort(compareKeys));
      const rows = pages.flatMap((p) => p.rows);
      expect(rows.map((r) => String(r.ID))).toEqual(keys);
      expect(rows.map((r) => String(r.QTY))).toEqual(keys);
      const again = await readOrdersByKeys(db, options("BIG"), ["9007199254740993"]);
      expect(again.keys).toEqual(["9007199254740993"]);
      expect(String(again.rows[0]!.QTY)).toBe("9007199254740993");
    });

    it("refuses a floating-point key column with one line naming the column and its type", async () => {
      await run(`create table "FLOATY" ("ID" real, "CUSTOMER" varchar(10), "QTY" integer)`);
      await run(`insert into "FLOATY" values (1.5, 'C', 1)`);
      const err = await readAll(db, options("FLOATY")).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceError);
      expect((err as Error).message).toMatch(
        /^source\.keyColumn "ID" of FLOATY is (REAL|float4|double): order keys must be text or integers/,
      );
      expect((err as Error).message).not.toContain("\n");
    });

    itOnSqlite("refuses a float or binary value in a key column without a declared type", async () => {
      await run(`create table "MIXED" ("ID", "CUSTOMER", "QTY")`);
      await run(`insert into "MIXED" values (1, 'C', 1), (2.5, 'C', 2), (x'00ff', 'C', 3)`);
      const err = await readAll(db, options("MIXED")).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceError);
      expect((err as Error).message).toMatch(
        /^source\.keyColumn "ID" of MIXED holds a (real|blob) value: order keys must be text or integers/,
      );
    });
  });
}
