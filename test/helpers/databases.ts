import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection } from "mysql2/promise";
import { sql } from "kysely";
import pg from "pg";
import { openDatabase, type Db } from "../../src/db/index.js";

/** The PostgreSQL server tests use: `ORDER_SYNC_TEST_PG_URL` or the local default. */
export const TEST_PG_URL = process.env.ORDER_SYNC_TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/test";

/** The MariaDB (or MySQL) server tests use: `ORDER_SYNC_TEST_MYSQL_URL` or the local default. */
export const TEST_MYSQL_URL = process.env.ORDER_SYNC_TEST_MYSQL_URL || "mysql://root@127.0.0.1:3306/test";

/**
 * A SQL Server to run the suites on too, when set (`ops/sqlserver/run-tests.sh` sets it for a SQL Server
 * 2022 container). There is no SQL Server on this project's machines: this path has not been run.
 */
export const TEST_MSSQL_URL = process.env.ORDER_SYNC_TEST_MSSQL_URL;

/** One engine the suites run against; `open()` gives an isolated, empty database. */
export interface TestDatabase {
  name: "sqlite" | "postgres" | "mariadb" | "mssql";
  available: boolean;
  reason?: string;
  /** A fresh database: a temp SQLite file, or a new PostgreSQL schema; `close()` removes it. */
  open(): Promise<Db>;
}

let probe: Promise<string | undefined> | undefined;
let mysqlProbe: Promise<string | undefined> | undefined;

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

/** Resolves to the reason MariaDB is unusable, or undefined when it answers. */
function probeMysql(): Promise<string | undefined> {
  mysqlProbe ??= (async () => {
    try {
      const connection = await createConnection({ uri: TEST_MYSQL_URL, connectTimeout: 3000 });
      await connection.query("select 1");
      await connection.end();
      return undefined;
    } catch (e) {
      return `MariaDB at ${new URL(TEST_MYSQL_URL).host} unreachable: ${(e as Error).message}`;
    }
  })();
  return mysqlProbe;
}

/** Runs one statement as the admin user of the MariaDB test server (database set-up and tear-down). */
export async function mysqlAdminQuery(text: string): Promise<void> {
  const connection = await createConnection({ uri: TEST_MYSQL_URL });
  try {
    await connection.query(text);
  } finally {
    await connection.end();
  }
}

/**
 * A fresh MariaDB database (MySQL's schema) for one test or for processes it spawns: `url` points at it,
 * so `ORDER_SYNC_DB_URL=url` puts every table of the process in it; `drop()` removes it.
 */
export async function createMysqlDatabase(
  prefix: string,
): Promise<{ database: string; url: string; drop(): Promise<void> }> {
  // Generated here (hex only), so interpolating the name is safe.
  const database = randomName(prefix);
  await mysqlAdminQuery(`create database ${database} character set utf8mb4`);
  const url = new URL(TEST_MYSQL_URL);
  url.pathname = `/${database}`;
  return {
    database,
    url: url.toString(),
    drop: () => mysqlAdminQuery(`drop database if exists ${database}`),
  };
}

async function openMariadb(): Promise<Db> {
  const created = await createMysqlDatabase("os");
  const db = await openDatabase({ dialect: "mysql", url: created.url }, { poolSize: 4 });
  return dropOnClose(db, created.drop);
}

/** A fresh SQL Server database on {@link TEST_MSSQL_URL}, dropped on close. */
async function openMssqlTest(): Promise<Db> {
  const url = TEST_MSSQL_URL!;
  const name = randomName("os");
  const admin = await openDatabase({ dialect: "mssql", url }, { poolSize: 1 });
  const adminRun = async (text: string) => {
    await sql.raw(text).execute(admin.kysely);
  };
  // Generated here (hex only), so interpolating the name is safe.
  await adminRun(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await openDatabase({ dialect: "mssql", url: target.toString() }, { poolSize: 4 });
  return dropOnClose(db, async () => {
    await adminRun(`alter database ${name} set single_user with rollback immediate`);
    await adminRun(`drop database ${name}`);
    await admin.close();
  });
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
  return dropOnClose(db, () => adminQuery(`drop schema ${schema} cascade`));
}

/** `db` whose `close()` (once, however often called) also removes its schema or database. */
function dropOnClose(db: Db, drop: () => Promise<void>): Db {
  let closed = false;
  return {
    ...db,
    close: async () => {
      if (closed) return;
      closed = true;
      await db.close();
      await drop();
    },
  };
}

/** A server engine: available, or skipped with a printed reason (an error under `CI=true`). */
function serverEngine(
  name: TestDatabase["name"],
  label: string,
  reason: string | undefined,
  open: () => Promise<Db>,
): TestDatabase {
  if (reason !== undefined) {
    if (process.env.CI === "true") throw new Error(`${reason} (CI=true: ${label} tests must run)`);
    console.warn(`skipping ${label} tests: ${reason}`);
  }
  return { name, available: reason === undefined, ...(reason !== undefined ? { reason } : {}), open };
}

/**
 * Every engine a suite should loop over (kysely's test-setup style). SQLite is always there;
 * PostgreSQL and MariaDB are skipped with a printed reason when unreachable, except under `CI=true`,
 * where that is an error.
 *
 * @example
 * for (const d of await testDatabases()) describe.skipIf(!d.available)(d.name, () => { ... });
 */
export async function testDatabases(): Promise<TestDatabase[]> {
  const [pgReason, mysqlReason] = await Promise.all([probePostgres(), probeMysql()]);
  return [
    { name: "sqlite", available: true, open: openSqlite },
    serverEngine("postgres", "PostgreSQL", pgReason, openPostgres),
    serverEngine("mariadb", "MariaDB", mysqlReason, openMariadb),
    ...(TEST_MSSQL_URL ? [{ name: "mssql" as const, available: true, open: openMssqlTest }] : []),
  ];
}

/**
 * {@link testDatabases} without the engines a feature is not built for yet, each left out with a printed
 * reason (not a skip for an unreachable server: the feature's SQL does not run there). README lists them.
 *
 * @example for (const d of await testDatabasesExcept(["mariadb"], "analytics SQL is SQLite/PostgreSQL only")) ...
 */
export async function testDatabasesExcept(
  engines: readonly TestDatabase["name"][],
  reason: string,
): Promise<TestDatabase[]> {
  const all = await testDatabases();
  for (const d of all)
    if (engines.includes(d.name)) console.warn(`not run on ${d.name}: ${reason} (issue 16)`);
  return all.filter((d) => !engines.includes(d.name));
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

/**
 * A fresh, empty database on a server engine for processes a test spawns: a PostgreSQL schema
 * ({@link createPgSchema}) or a MariaDB database ({@link createMysqlDatabase}); `url` is for
 * `ORDER_SYNC_DB_URL`, `port` the server's, `drop()` removes it.
 */
export async function createServerDatabase(
  engine: Exclude<TestDatabase["name"], "sqlite">,
  prefix: string,
): Promise<{ url: string; port: number; drop(): Promise<void> }> {
  if (engine === "mssql")
    throw new Error("spawned processes on SQL Server are not set up by these helpers yet");
  const created = engine === "postgres" ? await createPgSchema(prefix) : await createMysqlDatabase(prefix);
  const port = Number(new URL(created.url).port || (engine === "postgres" ? 5432 : 3306));
  return { url: created.url, port, drop: created.drop };
}
