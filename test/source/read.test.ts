import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import {
  compareKeys,
  keyRangeCondition,
  orderKeyExpression,
  readOrderPages,
  readOrdersByKeys,
  type OrderPage,
  type ReadOrdersOptions,
} from "../../src/source/index.js";
import { testDatabases } from "../helpers/databases.js";

const TABLE = "ORDERS UNIFIED test";
const CUSTOMER = `O'Neil "Big" Co`;
const OTHER = "OTHER CUSTOMER";

const SPECIAL_KEYS = [
  "a%b",
  "a_b",
  "a\\b",
  "O'Brien-1",
  'quo"ted',
  "emoji-😀",
  "emoji-\uE000-private-use",
  "ümlaut",
  "Zulu",
  "zulu",
  "key with spaces",
  "100",
  "99",
  "",
  "AAG-0000007-CANCELLED",
  "AAG-0000008-cancelled",
  "AAG-0000009-CANCELLEDX",
];

interface Seed {
  key: string;
  customer: string;
  note: string | null;
}

/** Orders of two customers; notes exercise the LIKE escaping of `contains`. */
function seedRows(): Seed[] {
  const rows: Seed[] = SPECIAL_KEYS.map((key, i) => ({
    key,
    customer: CUSTOMER,
    note: i % 3 === 0 ? null : "plain",
  }));
  for (let i = 0; i < 650; i++) {
    const note =
      i % 50 === 0 ? "promo 50%_off" : i % 50 === 1 ? "promo 50%xoff" : i % 50 === 2 ? "promo 50_%off" : null;
    rows.push({ key: `K-${String(i).padStart(4, "0")}`, customer: i % 5 === 0 ? OTHER : CUSTOMER, note });
  }
  return rows;
}

const ROWS = seedRows();

function options(cancelledColumn: string, contains: string): ReadOrdersOptions {
  return {
    table: TABLE,
    keyColumn: "AAG ORDER NUMBER",
    customerColumn: "CUSTOMER",
    customer: CUSTOMER,
    cancelled: { column: cancelledColumn, contains },
    columns: ["CUSTOMER", "NOTE", "QTY"],
  };
}

async function collect(pages: AsyncGenerator<OrderPage>): Promise<{ keys: string[]; pages: OrderPage[] }> {
  const all: OrderPage[] = [];
  for await (const p of pages) all.push(p);
  return { keys: all.flatMap((p) => p.keys), pages: all };
}

for (const target of await testDatabases()) {
  describe.skipIf(!target.available)(`source reading on ${target.name}`, () => {
    let db: Db;
    let k: Kysely<unknown>;
    beforeAll(async () => {
      db = await target.open();
      k = db.kysely as unknown as Kysely<unknown>;
      // A linguistic collation on PostgreSQL proves the reader imposes byte order itself. MariaDB's
      // case-insensitive default would make "Zulu" and "zulu" one primary key; it has no unbounded key.
      const keyType =
        db.dialect === "postgres"
          ? sql`text collate "en-x-icu"`
          : db.dialect === "mysql"
            ? sql`varchar(255) collate utf8mb4_bin`
            : sql`text`;
      await k.schema
        .createTable(TABLE)
        .addColumn("AAG ORDER NUMBER", keyType, (c) => c.primaryKey())
        .addColumn("CUSTOMER", "varchar(255)", (c) => c.notNull())
        .addColumn("NOTE", "text")
        .addColumn("QTY", "integer")
        .execute();
      for (let i = 0; i < ROWS.length; i += 200) {
        const chunk = ROWS.slice(i, i + 200);
        await sql`insert into ${sql.id(TABLE)} values ${sql.join(
          chunk.map((r, j) => sql`(${r.key}, ${r.customer}, ${r.note}, ${i + j})`),
        )}`.execute(k);
      }
    });
    afterAll(async () => {
      await db?.close();
    });

    it("pages over every non-cancelled row of the customer exactly once, in byte order", async () => {
      const expected = ROWS.filter((r) => r.customer === CUSTOMER && !/cancelled/i.test(r.key))
        .map((r) => r.key)
        .sort(compareKeys);
      const { keys, pages } = await collect(
        readOrderPages(db, { ...options("AAG ORDER NUMBER", "CANCELLED"), pageSize: 7 }),
      );
      expect(keys).toEqual(expected);
      expect(pages.every((p, i) => i === pages.length - 1 || p.rows.length === 7)).toBe(true);
      for (const p of pages) {
        expect(p.lastKey).toBe(p.keys[p.keys.length - 1]);
        expect(p.rows.map((r) => r["AAG ORDER NUMBER"])).toEqual(p.keys);
        expect(p.rows.every((r) => r.CUSTOMER === CUSTOMER)).toBe(true);
      }
      expect(keys).toContain("emoji-😀");
      expect(keys.indexOf("emoji-\uE000-private-use")).toBeLessThan(keys.indexOf("emoji-😀"));
      expect(keys.indexOf("Zulu")).toBeLessThan(keys.indexOf("a%b"));
    });

    it("escapes % and _ in the cancelled text and treats NULL as not cancelled", async () => {
      const { keys } = await collect(readOrderPages(db, { ...options("NOTE", "50%_off"), pageSize: 50 }));
      const expected = ROWS.filter((r) => r.customer === CUSTOMER && r.note !== "promo 50%_off")
        .map((r) => r.key)
        .sort(compareKeys);
      expect(keys).toEqual(expected);
      expect(keys).toContain("AAG-0000007-CANCELLED");
      expect(keys).toContain("K-0001"); // "promo 50%xoff": `_` must not match "x"
    });

    it("resumes after a key and returns nothing for an unknown customer", async () => {
      const opts = options("AAG ORDER NUMBER", "CANCELLED");
      const { keys: all } = await collect(readOrderPages(db, { ...opts, pageSize: 1000 }));
      const { keys } = await collect(readOrderPages(db, { ...opts, pageSize: 10, startAfter: "a%b" }));
      expect(keys).toEqual(all.slice(all.indexOf("a%b") + 1));
      const none = await collect(readOrderPages(db, { ...opts, customer: "NOBODY", pageSize: 10 }));
      expect(none.pages).toEqual([]);
    });

    it("re-reads orders by key in chunks, in byte order", async () => {
      const opts = options("AAG ORDER NUMBER", "CANCELLED");
      const wanted = [...ROWS.map((r) => r.key), "missing-key"].reverse();
      const { rows, keys } = await readOrdersByKeys(db, opts, wanted);
      const expected = ROWS.filter((r) => r.customer === CUSTOMER && !/cancelled/i.test(r.key))
        .map((r) => r.key)
        .sort(compareKeys);
      expect(keys).toEqual(expected);
      expect(rows.map((r) => r["AAG ORDER NUMBER"])).toEqual(expected);
      const withCancelled = await readOrdersByKeys(db, { ...opts, includeCancelled: true }, [
        "AAG-0000007-CANCELLED",
      ]);
      expect(withCancelled.keys).toEqual(["AAG-0000007-CANCELLED"]);
    });

    it("casts a numeric key to text and orders it as text", async () => {
      await k.schema
        .createTable("NUMERIC_KEYS")
        .addColumn("ID", "integer", (c) => c.primaryKey())
        .addColumn("CUSTOMER", "text")
        .execute();
      await sql`insert into ${sql.id("NUMERIC_KEYS")} values ${sql.join(
        Array.from({ length: 25 }, (_, i) => sql`(${i + 1}, ${"C"})`),
      )}`.execute(k);
      const opts = {
        table: "NUMERIC_KEYS",
        keyColumn: "ID",
        customerColumn: "CUSTOMER",
        customer: "C",
        cancelled: { column: "ID", contains: "CANCELLED" },
        columns: [],
      };
      const { keys, pages } = await collect(readOrderPages(db, { ...opts, pageSize: 4 }));
      const expected = Array.from({ length: 25 }, (_, i) => String(i + 1)).sort(compareKeys);
      expect(keys).toEqual(expected);
      expect(pages[0]!.rows[0]).toEqual({ ID: "1" });
      expect((await readOrdersByKeys(db, opts, ["10", "2"])).keys).toEqual(["10", "2"]);
    });

    it("gives the sync engine the same order and ranges over MON_SyncState.order_key", async () => {
      await migrateToLatest(db);
      const keys = ROWS.filter((r) => r.customer === CUSTOMER).map((r) => r.key);
      for (let i = 0; i < keys.length; i += 200)
        await db.kysely
          .insertInto("MON_SyncState")
          .values(
            keys.slice(i, i + 200).map((order_key) => ({ customer: CUSTOMER, order_key, board_id: "1" })),
          )
          .execute();
      const sorted = [...keys].sort(compareKeys);
      const after = sorted[10]!;
      const through = sorted[40]!;
      const rows = await db.kysely
        .selectFrom("MON_SyncState")
        .select("order_key")
        .where("customer", "=", CUSTOMER)
        .where(keyRangeCondition(db.dialect, { column: "order_key" }, { after, through }))
        .orderBy(orderKeyExpression(db.dialect, { column: "order_key" }))
        .execute();
      expect(rows.map((r) => r.order_key)).toEqual(sorted.slice(11, 41));
      const open = await db.kysely
        .selectFrom("MON_SyncState")
        .select("order_key")
        .where(
          keyRangeCondition(db.dialect, { column: "order_key", table: "MON_SyncState" }, { after: null }),
        )
        .orderBy(orderKeyExpression(db.dialect, { column: "order_key" }))
        .execute();
      expect(open.map((r) => r.order_key)).toEqual(sorted);
    });
  });
}

describe("compareKeys", () => {
  it("matches UTF-8 byte order", () => {
    const samples = ["", "a", "A", "ä", "z", "\uE000", "\uFFFD", "😀", "😀a", "𝔘", "ab", "a\u0000", "~"];
    for (const a of samples)
      for (const b of samples)
        expect(Math.sign(compareKeys(a, b)), `${a} vs ${b}`).toBe(
          Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
        );
  });
});
