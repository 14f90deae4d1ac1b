import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/index.js";
import { SqliteReaders } from "../../src/db/sqlite-readers.js";
import { fingerprintSql } from "../../src/source/fingerprint.js";

describe("SQLite reader threads", () => {
  let dir: string;
  let db: Db;
  let readers: SqliteReaders;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "order-sync-readers-"));
    db = await openDatabase({ dialect: "sqlite", url: join(dir, "r.db") });
    await sql`create table t (id integer primary key, a text, b blob, n real)`.execute(db.kysely);
    await sql`insert into t values (1, 'x', x'00ff', 1.5), (2, null, null, null), (3, 'z', x'', 3)`.execute(
      db.kysely,
    );
    readers = new SqliteReaders(join(dir, "r.db"), 1000, 2);
  });
  afterAll(async () => {
    await readers.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const query = () => {
    const fp = fingerprintSql("sqlite", [sql.ref("a"), sql.ref("b"), sql.ref("n")], "salt");
    return sql<Record<string, unknown>>`select id, a, b, n, ${fp} as fp from t where id >= ${1} order by id`;
  };

  it("read what the process's own connection reads, fingerprints and blobs (as Buffers) included", async () => {
    const own = (await query().execute(db.kysely)).rows;
    const threaded = await readers.all<Record<string, unknown>>(query().compile(db.kysely));
    expect(threaded).not.toBeNull();
    expect(threaded).toEqual(own);
    expect(Buffer.isBuffer(threaded![0]!.b)).toBe(true);
    expect(String(threaded![0]!.fp)).toMatch(/^[0-9a-f]{16}$/);
  });

  it("see rows the process committed a moment before", async () => {
    await sql`insert into t values (4, 'w', null, 4)`.execute(db.kysely);
    const rows = await readers.all<{ id: number }>(query().compile(db.kysely));
    expect(rows?.map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });

  it("throw the statement's own error", async () => {
    const bad = sql`select nope from t`.compile(db.kysely);
    await expect(readers.all(bad)).rejects.toThrow(/no such column/);
  });

  it("are not used with ORDER_SYNC_SQLITE_READERS=0 or 1, nor when the file cannot be opened", async () => {
    expect(await new SqliteReaders(join(dir, "r.db"), 1000, 0).all(query().compile(db.kysely))).toBeNull();
    expect(await new SqliteReaders(join(dir, "r.db"), 1000, 1).all(query().compile(db.kysely))).toBeNull();
    const missing = new SqliteReaders(join(dir, "missing.db"), 1000, 2);
    expect(await missing.all(query().compile(db.kysely))).toBeNull();
    await missing.close();
  });
});
