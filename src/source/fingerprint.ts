import { sql, type RawBuilder } from "kysely";
import { SQLITE_FINGERPRINT, type DbDialect } from "../db/index.js";

/** One value's text as the fingerprint reads it, on each dialect (MySQL/MariaDB: bytes, no collation to mix). */
const TEXT: Record<Exclude<DbDialect, "sqlite">, (c: RawBuilder<unknown>) => RawBuilder<unknown>> = {
  postgres: (c) => sql`cast(${c} as text)`,
  mysql: (c) => sql`cast(${c} as binary)`,
  mssql: (c) => sql`cast(${c} as nvarchar(max))`,
};

/** The length of a value's text: characters on PostgreSQL, bytes on MySQL/MariaDB and SQL Server. */
const LENGTH: Record<Exclude<DbDialect, "sqlite">, (t: RawBuilder<unknown>) => RawBuilder<unknown>> = {
  postgres: (t) => sql`cast(length(${t}) as text)`,
  mysql: (t) => sql`length(${t})`,
  mssql: (t) => sql`datalength(${t})`,
};

/** Text concatenation: `||` on PostgreSQL (and SQLite), `concat(…)` on MySQL/MariaDB and SQL Server. */
export function concatSql(dialect: DbDialect, parts: readonly RawBuilder<unknown>[]): RawBuilder<string> {
  if (dialect === "sqlite" || dialect === "postgres") return sql<string>`(${sql.join(parts, sql` || `)})`;
  return sql<string>`concat(${sql.join(parts)})`;
}

/** One value as `length:text`, or `-` for NULL: no two different rows give the same string. */
function piece(dialect: Exclude<DbDialect, "sqlite">, column: RawBuilder<unknown>): RawBuilder<unknown> {
  const text = TEXT[dialect](column);
  const body = concatSql(dialect, [LENGTH[dialect](text), sql.lit(":"), text]);
  return sql`case when ${column} is null then ${sql.lit("-")} else ${body} end`;
}

/**
 * The database's fingerprint of a source row (issue 16), as hex text: `md5` on PostgreSQL, `SHA2(…, 256)`
 * on MySQL/MariaDB, `HASHBYTES('SHA2_256', …)` on SQL Server, and on SQLite the function order-sync
 * registers on every connection (`order_sync_fingerprint`, MD5). `salt` (bound) is the mapping's own
 * fingerprint, so a change of the config or of the board's schema makes every order read again.
 *
 * @example fingerprintSql("postgres", [sql.id("s", "STYLE"), sql.id("s", "COLOR")], salt)
 */
export function fingerprintSql(
  dialect: DbDialect,
  columns: readonly RawBuilder<unknown>[],
  salt: string,
): RawBuilder<string> {
  if (dialect === "sqlite")
    return sql<string>`${sql.raw(SQLITE_FINGERPRINT)}(${sql.join([sql`${salt}`, ...columns])})`;
  const bound = dialect === "postgres" ? sql`cast(${salt} as text)` : sql`${salt}`;
  const input = concatSql(dialect, [bound, ...columns.map((c) => piece(dialect, c))]);
  if (dialect === "postgres") return sql<string>`md5(${input})`;
  if (dialect === "mysql") return sql<string>`sha2(${input}, 256)`;
  return sql<string>`convert(varchar(64), hashbytes('SHA2_256', ${input}), 2)`;
}
