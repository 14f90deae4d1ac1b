import { sql, type RawBuilder } from "kysely";
import { SQLITE_FINGERPRINT, type DbDialect } from "../db/index.js";

/** One value's text as the fingerprint reads it (MySQL/MariaDB: bytes, no collation to mix). */
const TEXT: Record<"mysql" | "mssql", (c: RawBuilder<unknown>) => RawBuilder<unknown>> = {
  mysql: (c) => sql`cast(${c} as binary)`,
  mssql: (c) => sql`cast(${c} as nvarchar(max))`,
};

/** The length of a value's text: bytes on MySQL/MariaDB and SQL Server. */
const LENGTH: Record<"mysql" | "mssql", (t: RawBuilder<unknown>) => RawBuilder<unknown>> = {
  mysql: (t) => sql`length(${t})`,
  mssql: (t) => sql`datalength(${t})`,
};

/** Text concatenation: `||` on PostgreSQL (and SQLite), `concat(…)` on MySQL/MariaDB and SQL Server. */
export function concatSql(dialect: DbDialect, parts: readonly RawBuilder<unknown>[]): RawBuilder<string> {
  if (dialect === "sqlite" || dialect === "postgres") return sql<string>`(${sql.join(parts, sql` || `)})`;
  return sql<string>`concat(${sql.join(parts)})`;
}

/** One value as `length:text`, or `-` for NULL: no two different rows give the same string. */
function piece(dialect: "mysql" | "mssql", column: RawBuilder<unknown>): RawBuilder<unknown> {
  const text = TEXT[dialect](column);
  const body = concatSql(dialect, [LENGTH[dialect](text), sql.lit(":"), text]);
  return sql`case when ${column} is null then ${sql.lit("-")} else ${body} end`;
}

/**
 * The database's fingerprint of a source row (issue 16), as text: on PostgreSQL `hashtextextended` (64-bit)
 * of the row's text (`row(salt, c1, c2, …)`, whose output quotes values and leaves NULLs empty, so no two
 * different rows give the same text); `SHA2(…, 256)` on MySQL/MariaDB, `HASHBYTES('SHA2_256', …)` on SQL
 * Server (each over `length:text` pieces), and on SQLite the function order-sync registers on every
 * connection (`order_sync_fingerprint`, a 64-bit hash in JavaScript). A fingerprint is only compared with
 * the same order's last one, so a 64-bit hash misses an edit about once in 2^64 edits; on PostgreSQL it
 * costs a third of `md5` over the pieces. `salt` (bound) is the mapping's own fingerprint, so a change of the
 * config or of the board's schema makes every order read again.
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
  if (dialect === "postgres")
    return sql<string>`cast(hashtextextended(cast(row(cast(${salt} as text), ${sql.join(columns)}) as text), 0) as text)`;
  const input = concatSql(dialect, [sql`${salt}`, ...columns.map((c) => piece(dialect, c))]);
  if (dialect === "mysql") return sql<string>`sha2(${input}, 256)`;
  return sql<string>`convert(varchar(64), hashbytes('SHA2_256', ${input}), 2)`;
}
