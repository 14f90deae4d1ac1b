import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DatabaseError,
  migrateToLatest,
  openDatabase,
  openSqliteCopy,
  SQLITE_BUSY_TIMEOUT_MS,
  type Db,
} from "../../src/db/index.js";
import { testDatabases } from "../helpers/databases.js";

const [sqlite, postgres] = await testDatabases();

describe("openDatabase errors", () => {
  it("names host and port but never the password when PostgreSQL is unreachable", async () => {
    const err = await openDatabase({
      dialect: "postgres",
      url: "postgres://bob:s3cret-pw@127.0.0.1:1/orders",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    const e = err as DatabaseError;
    expect(e.message).toContain("127.0.0.1:1");
    expect(e.message).toContain("database orders");
    expect(e.message).not.toContain("s3cret-pw");
    expect(e.target).not.toContain("s3cret-pw");
    expect(e.dialect).toBe("postgres");
  });

  it("rejects a SQLite file that must exist but does not", async () => {
    await expect(
      openDatabase({ dialect: "sqlite", url: "/nonexistent-dir/x.db" }, { fileMustExist: true }),
    ).rejects.toBeInstanceOf(DatabaseError);
  });
});

describe.skipIf(!sqlite!.available)("sqlite connection settings", () => {
  let db: Db;
  beforeAll(async () => {
    db = await sqlite!.open();
  });
  afterAll(() => db?.close());

  it("uses WAL, a 30 s busy_timeout and foreign keys", async () => {
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db.kysely);
    expect(mode.rows[0]?.journal_mode).toBe("wal");
    const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(db.kysely);
    expect(busy.rows[0]?.timeout).toBe(SQLITE_BUSY_TIMEOUT_MS);
    expect(SQLITE_BUSY_TIMEOUT_MS).toBe(30_000);
    const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db.kysely);
    expect(fk.rows[0]?.foreign_keys).toBe(1);
  });
});

describe("read-only SQLite", () => {
  it("names a missing file, opens an existing one read-only, and copies it into memory to migrate", async () => {
    const dir = mkdtempSync(join(tmpdir(), "order-sync-ro-"));
    try {
      const file = join(dir, "x.db");
      const missing = await openDatabase({ dialect: "sqlite", url: file }, { readOnly: true }).catch(
        (e: unknown) => e,
      );
      expect(missing).toBeInstanceOf(DatabaseError);
      expect((missing as Error).message).toBe(
        `SQLite database ${file} does not exist (source.url or ORDER_SYNC_DB_URL; \`order-sync init\` writes a demo one)`,
      );
      const rw = await openDatabase({ dialect: "sqlite", url: file });
      await sql`create table t (x integer)`.execute(rw.kysely);
      await rw.close();
      const ro = await openDatabase({ dialect: "sqlite", url: file }, { readOnly: true });
      await expect(sql`insert into t values (1)`.execute(ro.kysely)).rejects.toThrow(/readonly/);
      await ro.close();
      const copy = openSqliteCopy(file);
      expect((await migrateToLatest(copy)).applied.length).toBeGreaterThan(0);
      await copy.kysely
        .insertInto("MON_SyncLocks")
        .values({
          customer: "A",
          owner: "o",
          batch_id: "b",
          acquired_at: "2026-01-01",
          expires_at: "2026-01-02",
        })
        .execute();
      await copy.close();
      const after = await openDatabase({ dialect: "sqlite", url: file }, { readOnly: true });
      const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
        after.kysely,
      );
      expect(tables.rows.map((r) => r.name)).toEqual(["t"]);
      await after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!postgres!.available)("postgres type parsing", () => {
  let db: Db;
  beforeAll(async () => {
    db = await postgres!.open();
  });
  afterAll(() => db?.close());

  it("returns dates as strings and exact numbers as numbers, on this pool only", async () => {
    const r = await sql<Record<string, unknown>>`select
        date '2026-03-01' as d,
        timestamp '2026-03-01 10:20:30' as ts,
        ${"2026-03-01T10:20:30Z"}::timestamptz at time zone 'UTC' as ts_utc,
        cast(42 as bigint) as i8,
        cast(9007199254740993 as bigint) as big,
        cast(12.50 as numeric(10,2)) as n,
        cast(0.1234567890123456789 as numeric) as long_n,
        cast(7 as integer) as i4`.execute(db.kysely);
    expect(r.rows[0]).toEqual({
      d: "2026-03-01",
      ts: "2026-03-01 10:20:30",
      ts_utc: "2026-03-01 10:20:30",
      i8: 42,
      big: "9007199254740993",
      n: 12.5,
      long_n: "0.1234567890123456789",
      i4: 7,
    });
    // The global parsers are untouched.
    expect(pg.types.getTypeParser(1082, "text")("2026-03-01")).toBeInstanceOf(Date);
  });

  it("applies the search path to every pooled connection", async () => {
    const r = await sql<{ s: string }>`select current_schema() as s`.execute(db.kysely);
    expect(r.rows[0]?.s).toMatch(/^os_[0-9a-f]{12}$/);
  });
});
