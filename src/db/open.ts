import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import type { Database, DbDialect } from "./types.js";

/** An open connection (pool) to order-sync's database, with the dialect it speaks. */
export interface Db {
  kysely: Kysely<Database>;
  dialect: DbDialect;
  /** Closes the pool / file handle; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Where to connect: `Settings.db` (a SQLite file path or `:memory:`, a `postgres://` URL, a `mysql://` /
 * `mariadb://` URL, or a `mssql://` / `sqlserver://` URL or ADO.NET string; see `dialects/schemes.ts`).
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
 * SQLite runs in WAL mode with `busy_timeout` 5000 and foreign keys on. PostgreSQL uses a `pg` pool
 * whose own type parsers (not pg's global ones) return DATE/TIMESTAMP/TIMESTAMPTZ as strings and
 * INT8/NUMERIC as numbers when that is exact, otherwise as strings.
 *
 * @example
 * const db = await openDatabase(settings.db);
 * try { await migrateToLatest(db); } finally { await db.close(); }
 */
export async function openDatabase(target: DbTarget, opts: OpenOptions = {}): Promise<Db> {
  switch (target.dialect) {
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
  let database: SqliteDatabase.Database;
  try {
    database = new SqliteDatabase(file, { fileMustExist: opts.fileMustExist ?? false });
    if (file !== ":memory:" && file !== "") database.pragma("journal_mode = WAL");
    database.pragma("busy_timeout = 5000");
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
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { kysely, dialect: "sqlite", close: once(() => kysely.destroy()) };
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
    ...(opts.searchPath ? { options: `-c search_path=${opts.searchPath.replace(/\s+/g, "")}` } : {}),
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
