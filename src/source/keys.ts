import { sql, type RawBuilder, type SqlBool } from "kysely";
import type { DbDialect } from "../db/index.js";

/**
 * The collation that makes each dialect compare and sort keys in byte order (code point order), so the
 * database and {@link compareKeys} agree on which key comes first. MySQL/MariaDB's `utf8mb4_bin` pads
 * (a trailing space compares equal); SQL Server's `BIN2` orders UTF-16 code units (see README).
 */
const KEY_COLLATIONS: Readonly<Record<DbDialect, string>> = {
  sqlite: "collate binary",
  postgres: `collate "C"`,
  mysql: "collate utf8mb4_bin",
  mssql: "collate Latin1_General_100_BIN2",
};

/** The collation clause that orders keys in byte order on `dialect` ({@link KEY_COLLATIONS}). */
export function keyCollation(dialect: DbDialect): RawBuilder<unknown> {
  return sql.raw(KEY_COLLATIONS[dialect]);
}

/**
 * How the reader treats a key column: compared as it is (a text type), compared as the database's own
 * text of the value (integers, numerics, uuids, dates, and SQLite columns that may hold integers), or
 * refused: a float's text is rounded (two keys could meet) and a binary value has no text.
 */
export type KeyHandling = "text" | "cast" | "refused";

/**
 * SQLite's type affinity of a declared type, by its rules in order (sqlite.org/datatype3.html §3.1):
 * "INT" anywhere is INTEGER, then CHAR/CLOB/TEXT is TEXT, then BLOB or no type is BLOB, then
 * REAL/FLOA/DOUB is REAL, anything else NUMERIC (so `STRING` stores '123' as the integer 123).
 */
const SQLITE_AFFINITY: readonly [RegExp, KeyHandling][] = [
  [/INT/i, "cast"],
  [/CHAR|CLOB|TEXT/i, "text"],
  [/BLOB|^$/i, "cast"],
  [/REAL|FLOA|DOUB/i, "refused"],
  [/(?:)/, "cast"],
];

/** PostgreSQL types (`udt_name`) that compare as text, and those a key cannot have; every other one is cast. */
const POSTGRES_KEY_TYPES: Readonly<Record<string, KeyHandling>> = {
  text: "text",
  varchar: "text",
  bpchar: "text",
  citext: "text",
  name: "text",
  float4: "refused",
  float8: "refused",
  bytea: "refused",
};

/** MySQL/MariaDB `information_schema.columns.data_type` values: text types, and those a key cannot have. */
const MYSQL_KEY_TYPES: Readonly<Record<string, KeyHandling>> = {
  char: "text",
  varchar: "text",
  tinytext: "text",
  text: "text",
  mediumtext: "text",
  longtext: "text",
  float: "refused",
  double: "refused",
  binary: "refused",
  varbinary: "refused",
  tinyblob: "refused",
  blob: "refused",
  mediumblob: "refused",
  longblob: "refused",
  bit: "refused",
};

/** SQL Server `DATA_TYPE` values: text types, and those a key cannot have (rowversion is binary). */
const MSSQL_KEY_TYPES: Readonly<Record<string, KeyHandling>> = {
  char: "text",
  varchar: "text",
  nchar: "text",
  nvarchar: "text",
  float: "refused",
  real: "refused",
  binary: "refused",
  varbinary: "refused",
  image: "refused",
  timestamp: "refused",
  rowversion: "refused",
  text: "refused",
  ntext: "refused",
};

/** Each dialect's rule from a declared type to its {@link KeyHandling}; a type not listed is cast. */
const KEY_HANDLING: Readonly<Record<DbDialect, (dataType: string) => KeyHandling>> = {
  sqlite: (dataType) => SQLITE_AFFINITY.find(([pattern]) => pattern.test(dataType))![1],
  postgres: (dataType) => POSTGRES_KEY_TYPES[dataType] ?? "cast",
  mysql: (dataType) => MYSQL_KEY_TYPES[dataType.toLowerCase()] ?? "cast",
  mssql: (dataType) => MSSQL_KEY_TYPES[dataType.toLowerCase()] ?? "cast",
};

/**
 * How a key column of `dataType` (as the catalog declares it; SQLite views may declare nothing) is read.
 *
 * @example keyHandling("sqlite", "") // "cast": an untyped SQLite column may hold integers, which sort before text
 */
export function keyHandling(dialect: DbDialect, dataType: string): KeyHandling {
  return KEY_HANDLING[dialect](dataType);
}

/**
 * Whether a value SQLite stores in a cast key column can be a key, by its storage class (`typeof`) and
 * its {@link keyText}: a float only when it holds an integer, a blob never.
 */
export const KEY_STORAGE_CLASSES: Readonly<Record<string, (text: string) => boolean>> = {
  integer: () => true,
  text: () => true,
  real: (text) => /^-?\d+$/.test(text),
  blob: () => false,
};

/** Where an order key lives and whether it needs casting to text first. */
export interface KeyColumn {
  column: string;
  /** Qualifies the column, e.g. `MON_SyncState` in a join. */
  table?: string;
  /** The column is not a text type (integer, numeric, uuid…): compare `CAST(column AS text)`. */
  cast?: boolean;
}

/**
 * The key as text: the column itself when it is a text type, else the database's text of its value. On
 * SQLite an integer stored as a float (better-sqlite3 binds JavaScript numbers as REAL, and a column without
 * a type keeps them so) reads as the integer, so `1.0` is the key "1" like the integer 1.
 *
 * @example keyText("sqlite", { column: "ID", cast: true }) // case when typeof("ID") = 'real' … end
 */
export function keyText(dialect: DbDialect, key: KeyColumn): RawBuilder<unknown> {
  const id = key.table === undefined ? sql.id(key.column) : sql.id(key.table, key.column);
  if (!key.cast) return id;
  if (dialect === "postgres") return sql`cast(${id} as text)`;
  if (dialect === "mysql") return sql`cast(${id} as char character set utf8mb4)`;
  if (dialect === "mssql") return sql`cast(${id} as nvarchar(450))`;
  return sql`(case when typeof(${id}) = 'real' and ${id} = cast(${id} as integer)
    then cast(cast(${id} as integer) as text) else cast(${id} as text) end)`;
}

/**
 * The key as a byte-ordered text expression, for `ORDER BY` and comparisons.
 *
 * @example
 * db.kysely.selectFrom("MON_SyncState").selectAll().orderBy(orderKeyExpression(db.dialect, { column: "order_key" }))
 */
export function orderKeyExpression(dialect: DbDialect, key: KeyColumn): RawBuilder<string> {
  return sql<string>`${keyText(dialect, key)} ${keyCollation(dialect)}`;
}

/** A half-open key range `(after, through]`; an absent bound is open. */
export interface KeyRange {
  after?: string | null;
  through?: string | null;
}

/**
 * `key > after AND key <= through` in byte order (parameterised), plus `key IS NOT NULL`:
 * the sync engine runs it over `MON_SyncState.order_key` for the range of a source page, so both
 * sides of its merge-join see the same keys in the same order.
 *
 * @example
 * .where(keyRangeCondition(db.dialect, { column: "order_key" }, { after: prevLastKey, through: page.lastKey }))
 */
export function keyRangeCondition(dialect: DbDialect, key: KeyColumn, range: KeyRange): RawBuilder<SqlBool> {
  const expr = orderKeyExpression(dialect, key);
  const parts: RawBuilder<unknown>[] = [sql`${keyText(dialect, key)} is not null`];
  if (range.after != null) parts.push(sql`${expr} > ${range.after}`);
  if (range.through != null) parts.push(sql`${expr} <= ${range.through}`);
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

/**
 * Compares two keys in byte order (UTF-8 / code point order), the order the database returns them in.
 * JavaScript's `<` compares UTF-16 code units, which puts emoji before U+E000–U+FFFF: do not use it.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) must sort after U+E000–U+FFFF: shift both ranges.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** The escape character used in every LIKE pattern we build. */
export const LIKE_ESCAPE = "\\";

/** Escapes `%`, `_` and the escape character so `text` matches literally inside a LIKE pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => LIKE_ESCAPE + c);
}
