import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openDatabase, type Db } from "../../src/db/index.js";

/** The PostgreSQL server tests use: `ORDER_SYNC_TEST_PG_URL` or the local default. */
export const TEST_PG_URL = process.env.ORDER_SYNC_TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/test";

/** One engine the suites run against; `open()` gives an isolated, empty database. */
export interface TestDatabase {
  name: "sqlite" | "postgres";
  available: boolean;
  reason?: string;
  /** A fresh database: a temp SQLite file, or a new PostgreSQL schema; `close()` removes it. */
  open(): Promise<Db>;
}

let probe: Promise<string | undefined> | undefined;

/** Resolves to the reason PostgreSQL is unusable, or undefined when it answers. */
function probePostgres(): Promise<string | undefined> {
  probe ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query("select 1");
      return undefined;
    } catch (e) {
      return `PostgreSQL at ${new URL(TEST_PG_URL).host} unreachable: ${(e as Error).message}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return probe;
}

const randomName = (prefix: string) => `${prefix}_${randomBytes(6).toString("hex")}`;

async function openSqlite(): Promise<Db> {
  const file = join(tmpdir(), `${randomName("order-sync-test")}.db`);
  const db = await openDatabase({ dialect: "sqlite", url: file });
  return {
    ...db,
    close: async () => {
      await db.close();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
    },
  };
}

/** Runs one statement as the admin user of the test server (schema set-up and tear-down). */
export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function openPostgres(): Promise<Db> {
  // Schema names are generated here (hex only), so interpolating them is safe.
  const schema = randomName("os");
  await adminQuery(`create schema ${schema}`);
  const db = await openDatabase(
    { dialect: "postgres", url: TEST_PG_URL },
    { searchPath: schema, poolSize: 4 },
  );
  let closed = false;
  return {
    ...db,
    close: async () => {
      if (closed) return;
      closed = true;
      await db.close();
      await adminQuery(`drop schema ${schema} cascade`);
    },
  };
}

/**
 * Every engine a suite should loop over (kysely's test-setup style). SQLite is always there;
 * PostgreSQL is skipped with a printed reason when unreachable, except under `CI=true`, where
 * that is an error.
 *
 * @example
 * for (const d of await testDatabases()) describe.skipIf(!d.available)(d.name, () => { ... });
 */
export async function testDatabases(): Promise<TestDatabase[]> {
  const pgReason = await probePostgres();
  if (pgReason !== undefined) {
    if (process.env.CI === "true") throw new Error(`${pgReason} (CI=true: PostgreSQL tests must run)`);
    console.warn(`skipping PostgreSQL tests: ${pgReason}`);
  }
  return [
    { name: "sqlite", available: true, open: openSqlite },
    {
      name: "postgres",
      available: pgReason === undefined,
      ...(pgReason !== undefined ? { reason: pgReason } : {}),
      open: openPostgres,
    },
  ];
}

/**
 * A fresh PostgreSQL schema for processes the test spawns: `url` carries `search_path` in its `options`,
 * so `ORDER_SYNC_DB_URL=url` puts every table of the process in it; `drop()` removes it.
 */
export async function createPgSchema(
  prefix: string,
): Promise<{ schema: string; url: string; drop(): Promise<void> }> {
  const schema = randomName(prefix);
  await adminQuery(`create schema ${schema}`);
  const url = new URL(TEST_PG_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return { schema, url: url.toString(), drop: () => adminQuery(`drop schema if exists ${schema} cascade`) };
}
