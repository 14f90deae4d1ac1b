import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { rowHash64 } from "../../src/db/fingerprint.js";
import { fingerprintSql } from "../../src/source/fingerprint.js";
import { testDatabases } from "../helpers/databases.js";

/** Rows that differ from the first in one way each: a value, NULL against '' , a value moved to the next column. */
const ROWS: [string | null, string | null, number | null][] = [
  ["AB", "C", 1],
  ["AB", "C", 2],
  ["AB", "c", 1],
  ["A", "BC", 1],
  ["AB", null, 1],
  ["AB", "", 1],
  ["AB", "C", null],
  ["AB,C", null, 1],
  ['"AB"', "C", 1],
];

describe("rowHash64 (the SQLite fingerprint function)", () => {
  it("is 16 hex digits, the same for the same salt and values, different for each other row and salt", () => {
    const hashes = ROWS.map((r) => rowHash64("salt", r));
    for (const h of hashes) expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(hashes).size).toBe(ROWS.length);
    expect(rowHash64("salt", ROWS[0]!)).toBe(hashes[0]);
    expect(rowHash64("other", ROWS[0]!)).not.toBe(hashes[0]);
    expect(rowHash64("salt", ROWS[0]!)).toBe(hashes[0]);
  });

  it("tells an integer from its text and from a real, and a blob from its text", () => {
    const hashes = [[1n], ["1"], [1.5], ["1.5"], [Buffer.from("ab")], ["ab"], [null], [""]].map((v) =>
      rowHash64("s", v),
    );
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});

for (const t of await testDatabases()) {
  describe.skipIf(!t.available)(`fingerprintSql on ${t.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await t.open();
      await db.kysely.schema
        .createTable("fp_rows")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("a", "varchar(20)")
        .addColumn("b", "varchar(20)")
        .addColumn("n", "integer")
        .execute();
      await db.kysely
        .insertInto("fp_rows" as never)
        .values(ROWS.map(([a, b, n], id) => ({ id, a, b, n })) as never)
        .execute();
    });
    afterAll(() => db.close());

    const fingerprints = async (salt: string) => {
      const columns = ["a", "b", "n"].map((c) => sql.id("r", c));
      const { rows } = await sql<{ fp: string }>`select ${fingerprintSql(db.dialect, columns, salt)} as fp
        from ${sql.table("fp_rows")} r order by r.id`.execute(db.kysely);
      return rows.map((r) => String(r.fp));
    };

    it("differs for each row that differs in one value, and with the salt; is stable", async () => {
      const first = await fingerprints("salt");
      expect(new Set(first).size).toBe(ROWS.length);
      expect(await fingerprints("salt")).toEqual(first);
      const salted = await fingerprints("other");
      for (let i = 0; i < ROWS.length; i++) expect(salted[i]).not.toBe(first[i]);
    });
  });
}
