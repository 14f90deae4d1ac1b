import { existsSync } from "node:fs";
import SqliteDatabase from "better-sqlite3";
import { registerSqliteFingerprint } from "./fingerprint.js";
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  type SqliteDialectConfig,
  type DatabaseConnection,
  type Driver,
} from "kysely";
import pg from "pg";
import type { Database, DbDialect } from "./types.js";
import { dialectOfUrl } from "../config/db-url.js";
import { guardSqliteDriver, SQLITE_BUSY_TIMEOUT_MS, sqliteBusyTimeout } from "./sqlite-faults.js";
import { SqliteReaders } from "./sqlite-readers.js";

/** An open connection (pool) to order-sync's database, with the dialect it speaks. */
export interface Db {
  kysely: Kysely<Database>;
  dialect: DbDialect;
  /** SQLite files: threads for the long change-detection reads (see {@link SqliteReaders}). */
  readers?: SqliteReaders;
  /** Closes the pool / file handle; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Where to connect: `Settings.db` (a SQLite file path or `:memory:`, a `postgres://` URL, a `mysql://` /
 * `mariadb://` URL, or a `mssql://` / `sqlserver://` URL or ADO.NET string; see `DB_URL_SCHEMES` in `src/config/db-url.ts`).
 */
export interface DbTarget {
  dialect: DbDialect;
  url: string;
}

/** Options for {@link openDatabase}. */
export interface OpenOptions {
  /** PostgreSQL `search_path` for every connection of the pool, e.g. `order_sync,public`. */
  searchPath?: string;
  /** Pool size of PostgreSQL, MySQL/MariaDB and SQL Server (default 10). */
  poolSize?: number;
  /** SQLite: fail instead of creating an empty file when it does not exist. */
  fileMustExist?: boolean;
  /**
   * Read-only (`plan`, `validate`, `doctor`, `status`, `runs`): SQLite is opened read-only and must exist
   * (a missing file is an error naming it); PostgreSQL sessions are `default_transaction_read_only`.
   */
  readOnly?: boolean;
  /** SQLite: how long a statement waits for another connection's write lock (default 30 s, or `ORDER_SYNC_SQLITE_BUSY_TIMEOUT_MS`). */
  busyTimeoutMs?: number;
}

/** A database that cannot be opened or reached; `target` names host:port or the file, never a password. */
export class DatabaseError extends Error {
  override name = "DatabaseError";
  /** Exit code 2: fix the config, the source or the database, then run again. */
  readonly outcome = "config";
  constructor(
    message: string,
    readonly dialect: DbDialect,
    readonly target: string,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Opens order-sync's database and checks that it answers.
 *
 * SQLite runs in WAL mode with a `busy_timeout` ({@link SQLITE_BUSY_TIMEOUT_MS}), transactions that
 * begin immediate, and foreign keys on. PostgreSQL uses a `pg` pool
 * whose own type parsers (not pg's global ones) return DATE/TIMESTAMP/TIMESTAMPTZ as strings and
 * INT8/NUMERIC as numbers when that is exact, otherwise as strings.
 *
 * @example
 * const db = await openDatabase(settings.db);
 * try { await migrateToLatest(db); } finally { await db.close(); }
 */
export async function openDatabase(target: DbTarget, opts: OpenOptions = {}): Promise<Db> {
  // A URL opens by its scheme whatever the target says; an unknown scheme is a config error naming the
  // supported ones, never the URL (it may hold a password).
  const dialect = dialectOfUrl(target.url) ?? target.dialect;
  switch (dialect) {
    case "sqlite":
      return openSqlite(target.url, opts);
    case "postgres":
      return openPostgres(target.url, opts);
    // Loaded on demand: a SQLite or PostgreSQL user never loads mysql2 or tedious.
    case "mysql":
      return (await import("./dialects/mysql.js")).openMysql(target.url, opts);
    case "mssql":
      return (await import("./dialects/mssql.js")).openMssql(target.url, opts);
  }
}

function openSqlite(file: string, opts: OpenOptions): Db {
  // A read-only connection never writes, and `BEGIN IMMEDIATE` would need the write lock it cannot take.
  const busyMs = sqliteBusyTimeout(opts.busyTimeoutMs);
  const db = sqliteDb(sqliteHandle(file, opts), !opts.readOnly, busyMs);
  if (file === ":memory:" || file === "") return db;
  const readers = new SqliteReaders(file, busyMs);
  return { ...db, readers, close: once(() => readers.close().then(db.close)) };
}

function sqliteHandle(file: string, opts: OpenOptions): SqliteDatabase.Database {
  const memory = file === ":memory:" || file === "";
  if (!memory && (opts.readOnly || opts.fileMustExist) && !existsSync(file))
    throw new DatabaseError(
      `SQLite database ${file} does not exist (source.url or ORDER_SYNC_DB_URL; \`order-sync init\` writes a demo one)`,
      "sqlite",
      file,
      "ENOENT",
    );
  let database: SqliteDatabase.Database;
  try {
    database = new SqliteDatabase(file, {
      fileMustExist: opts.fileMustExist ?? opts.readOnly ?? false,
      readonly: opts.readOnly ?? false,
    });
    if (!memory && !opts.readOnly) database.pragma("journal_mode = WAL");
    database.pragma(`busy_timeout = ${sqliteBusyTimeout(opts.busyTimeoutMs)}`);
    registerSqliteFingerprint(database);
    database.pragma("foreign_keys = ON");
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new DatabaseError(
      `cannot open SQLite database ${file}: ${(e as Error).message}`,
      "sqlite",
      file,
      code,
      { cause: e },
    );
  }
  return database;
}

function sqliteDb(database: SqliteDatabase.Database, immediate = true, busyMs = SQLITE_BUSY_TIMEOUT_MS): Db {
  // `database.name` is the file as given (or `:memory:` for the read-only copy): messages name it.
  const dialect = new ImmediateSqliteDialect({ database }, database.name, busyMs, immediate);
  const kysely = new Kysely<Database>({ dialect });
  return { kysely, dialect: "sqlite", close: once(() => kysely.destroy()) };
}

/**
 * Transactions start with `BEGIN IMMEDIATE`: a deferred transaction that reads and then writes cannot wait
 * for another process's write (SQLite answers `database is locked` at once, without the busy timeout),
 * while an immediate one takes the write lock up front and waits for it under `busy_timeout`.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly file: string,
    private readonly busyMs: number,
    private readonly immediate: boolean,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    const driver = guardSqliteDriver(super.createDriver(), this.file, this.busyMs);
    if (this.immediate)
      driver.beginTransaction = async (connection: DatabaseConnection) => {
        await connection.executeQuery(CompiledQuery.raw("begin immediate"));
      };
    return driver;
  }
}

/**
 * A private, writable in-memory copy of a SQLite file, opened read-only: what `plan` and `status` work on
 * when the file lacks order-sync's tables (they are migrated in the copy; the file is never written).
 */
export function openSqliteCopy(file: string): Db {
  const source = sqliteHandle(file, { readOnly: true });
  let image: Buffer;
  try {
    image = source.serialize();
  } finally {
    source.close();
  }
  // Header bytes 18–19 say "WAL" for a WAL file; an in-memory copy must use the rollback journal.
  image[18] = 1;
  image[19] = 1;
  const copy = new SqliteDatabase(image);
  copy.pragma("foreign_keys = ON");
  registerSqliteFingerprint(copy);
  return sqliteDb(copy);
}

/** pg type oids whose parsing we override, per pool. */
const PG_OID = { INT8: 20, DATE: 1082, TIMESTAMP: 1114, TIMESTAMPTZ: 1184, NUMERIC: 1700 } as const;

/** A number when it round-trips exactly, the driver's text otherwise (no silent precision loss). */
export function exactNumber(text: string): number | string {
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return text;
  // NUMERIC keeps trailing zeros ("12.50"); compare without them.
  const normal = text.includes(".") ? text.replace(/\.?0+$/, "") : text;
  return String(n) === normal || String(n) === normal.replace(/^(-?)0+(?=\d)/, "$1") ? n : text;
}

const identity = (text: string): string => text;

const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    switch (oid) {
      case PG_OID.DATE:
      case PG_OID.TIMESTAMP:
      case PG_OID.TIMESTAMPTZ:
        return identity;
      case PG_OID.INT8:
      case PG_OID.NUMERIC:
        return exactNumber;
      default:
        return pg.types.getTypeParser(oid, format);
    }
  }) as pg.CustomTypesConfig["getTypeParser"],
};

/** The session settings a pool's connections start with: the search path, read-only sessions. */
function pgOptions(opts: OpenOptions): { options?: string } {
  const settings = [
    ...(opts.searchPath ? [`-c search_path=${opts.searchPath.replace(/\s+/g, "")}`] : []),
    ...(opts.readOnly ? ["-c default_transaction_read_only=on"] : []),
  ];
  return settings.length ? { options: settings.join(" ") } : {};
}

/** `host:port/database` for messages; never the password. */
export function describePostgresUrl(url: string): string {
  return describeServerUrl(url, "5432");
}

/** `host:port (database d, user u)` of a server URL, `defaultPort` when it names none; never the password. */
export function describeServerUrl(url: string, defaultPort: string): string {
  try {
    const u = new URL(url);
    const db = decodeURIComponent(u.pathname.replace(/^\//, "")) || "(default)";
    const user = u.username ? `, user ${decodeURIComponent(u.username)}` : "";
    return `${u.hostname || "localhost"}:${u.port || defaultPort} (database ${db}${user})`;
  } catch {
    return "(unparseable URL)";
  }
}

async function openPostgres(url: string, opts: OpenOptions): Promise<Db> {
  const where = describePostgresUrl(url);
  if (
    opts.searchPath !== undefined &&
    !/^[A-Za-z_][A-Za-z0-9_$]*(\s*,\s*[A-Za-z_][A-Za-z0-9_$]*)*$/.test(opts.searchPath)
  )
    throw new DatabaseError(`invalid search path "${opts.searchPath}"`, "postgres", where, "EINVAL");
  if (where === "(unparseable URL)")
    throw new DatabaseError(
      "invalid PostgreSQL URL (expected postgres://user@host:port/database)",
      "postgres",
      where,
      "EINVAL",
    );
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    types: pgTypes,
    connectionTimeoutMillis: 10_000,
    ...pgOptions(opts),
  });
  // A client losing its connection (the server restarted, the network dropped) emits 'error': on the
  // pool when idle, on the client itself when checked out. Unhandled, either would crash a long-running
  // `serve`; the query in progress still gets the error, and the pool replaces the client.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(kysely);
  } catch (e) {
    await kysely.destroy().catch(() => undefined);
    const code = (e as { code?: string }).code;
    throw new DatabaseError(
      `cannot connect to PostgreSQL at ${where}: ${(e as Error).message}`,
      "postgres",
      where,
      code,
      {
        cause: e,
      },
    );
  }
  return { kysely, dialect: "postgres", close: once(() => kysely.destroy()) };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
