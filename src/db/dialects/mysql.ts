import { createPool, type PoolOptions, type TypeCast } from "mysql2";
import { Kysely, MysqlDialect, sql } from "kysely";
import type { Database } from "../types.js";
import { DatabaseError, describeServerUrl, exactNumber, type Db, type OpenOptions } from "../open.js";

/** `host:port/database` of a `mysql://` / `mariadb://` URL, for messages; never the password. */
export const describeMysqlUrl = (url: string): string => describeServerUrl(url, "3306");

/** TLS settings from `?ssl=true` (verify the server) or `?ssl=no-verify`; absent or `false`: no TLS. */
function tlsOptions(ssl: string | null): PoolOptions["ssl"] {
  if (ssl === null || ssl === "false") return undefined;
  if (ssl === "true" || ssl === "require") return { rejectUnauthorized: true };
  if (ssl === "no-verify") return { rejectUnauthorized: false };
  throw new RangeError(`ssl=${ssl} (expected true, no-verify or false)`);
}

/**
 * Values as the PostgreSQL pool returns them: DECIMAL and BIGINT as numbers when exact, else their text;
 * JSON kept as its text (canonicalised by the mapping, never re-serialised by the driver).
 */
const typeCast: TypeCast = (field, next) => {
  if (field.type === "NEWDECIMAL" || field.type === "LONGLONG") {
    const text = field.string();
    return text === null ? null : exactNumber(text);
  }
  if (field.type === "JSON") return field.string("utf8");
  return next();
};

/**
 * mysql2 pool options for a `mysql://` / `mariadb://` URL: utf8mb4, dates as strings (`DATETIME(3)` keeps
 * its milliseconds), `FOUND_ROWS` (mysql2's default) so an UPDATE counts the rows it matched, as on the
 * other engines.
 */
export function mysqlPoolOptions(url: string, opts: OpenOptions = {}): PoolOptions {
  const u = new URL(url);
  const ssl = tlsOptions(u.searchParams.get("ssl"));
  return {
    host: u.hostname || "localhost",
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, "")) || undefined,
    charset: "UTF8MB4_UNICODE_CI",
    timezone: "Z",
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    typeCast,
    connectionLimit: opts.poolSize ?? 10,
    connectTimeout: 10_000,
    ...(ssl ? { ssl } : {}),
  };
}

/**
 * Run on every connection: READ COMMITTED as on PostgreSQL (InnoDB's default REPEATABLE READ takes gap
 * locks, and customers syncing in parallel then deadlock on the staging tables' indexes); UTC, so `NOW()` and `DATETIME(3)` values agree with the ISO times order-sync
 * writes; standard SQL's `"identifier"` and `||` (ANSI_QUOTES, PIPES_AS_CONCAT), so SQL written for the
 * other engines (README's queries, the tests') means the same here. Kysely's backticks work either way.
 */
const SESSION_SQL = [
  "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
  "SET time_zone = '+00:00', sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES,PIPES_AS_CONCAT')",
];

/** Opens MySQL or MariaDB through Kysely's MysqlDialect (mysql2) and checks that it answers. */
export async function openMysql(url: string, opts: OpenOptions): Promise<Db> {
  const where = describeMysqlUrl(url);
  let options: PoolOptions;
  try {
    options = mysqlPoolOptions(url, opts);
  } catch (e) {
    throw new DatabaseError(
      `invalid MySQL/MariaDB URL (expected mysql://user@host:port/database): ${e instanceof RangeError ? e.message : "unparseable"}`,
      "mysql",
      where,
      "EINVAL",
    );
  }
  const pool = createPool(options);
  pool.on("connection", (connection) => {
    // mysql2 runs a connection's queries in order: this one precedes every query Kysely sends on it.
    for (const statement of SESSION_SQL) connection.query(statement, () => undefined);
  });
  const kysely = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
  try {
    await sql`select 1`.execute(kysely);
  } catch (e) {
    await kysely.destroy().catch(() => undefined);
    throw new DatabaseError(
      `cannot connect to MySQL/MariaDB at ${where}: ${(e as Error).message}`,
      "mysql",
      where,
      (e as { code?: string }).code,
      { cause: e },
    );
  }
  let closed: Promise<void> | undefined;
  return { kysely, dialect: "mysql", close: () => (closed ??= kysely.destroy()) };
}
