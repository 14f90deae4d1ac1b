import { sql, type RawBuilder } from "kysely";
import { rowLimit, type Db } from "../db/index.js";
import { SourceError } from "./errors.js";
import {
  compareKeys,
  escapeLike,
  KEY_STORAGE_CLASSES,
  keyCollation,
  keyHandling,
  keyText,
  LIKE_ESCAPE,
  orderKeyExpression,
  type KeyColumn,
} from "./keys.js";
import { describeSourceTable, tableIdentifier } from "./table.js";

/**
 * One source order: column name → value as the driver returns it (PostgreSQL dates as strings), with
 * integers beyond 2^53 as their exact text on both dialects, and the key column as the database's text
 * of the key when the key is not a text type.
 */
export type OrderRow = Record<string, unknown>;

/** One page of orders, in byte order of their keys; `keys[i]` is `rows[i]`'s key as text. */
export interface OrderPage {
  rows: OrderRow[];
  keys: string[];
  lastKey: string;
}

/** What to read from the source table, for one customer. */
export interface ReadOrdersOptions {
  table: string;
  keyColumn: string;
  customerColumn: string;
  customer: string;
  /** Orders whose `column` contains `contains` are cancelled (ASCII case-insensitive, like the seed's SQL Server rule); NULL is not cancelled. */
  cancelled: { column: string; contains: string };
  /** Columns to return; the key column is always included. */
  columns: readonly string[];
  /** Whether the key column is a text type; looked up once when omitted (non-text keys are cast). */
  keyIsText?: boolean;
}

/** Internal alias for the text form of a non-text key. */
export const KEY_ALIAS = "__order_sync_key";
/** Internal alias for SQLite's storage class of a non-text key (`typeof`). */
const KEY_CLASS_ALIAS = "__order_sync_key_class";

/** The largest integer a JavaScript number holds exactly (2^53 - 1); SQLite integers beyond it are read as text. */
const MAX_EXACT = sql.lit(Number.MAX_SAFE_INTEGER);
const MIN_EXACT = sql.lit(Number.MIN_SAFE_INTEGER);

const WHY_TEXT_OR_INTEGER =
  "order keys must be text or integers (a float's text is rounded and a binary value has none); cast it to text in a view";

/** A key column whose type or value cannot be compared exactly; one line naming the column. */
export function refusedKey(opts: ReadOrdersOptions, what: string): SourceError {
  return new SourceError(
    `source.keyColumn "${opts.keyColumn}" of ${opts.table} ${what}: ${WHY_TEXT_OR_INTEGER}`,
    opts.table,
  );
}

/** Chunk size for `IN (...)` lists: far below every engine's parameter limit. */
export const KEYS_PER_QUERY = 500;

export async function resolveKey(db: Db, opts: ReadOrdersOptions): Promise<KeyColumn> {
  if (opts.keyIsText !== undefined) return { column: opts.keyColumn, cast: !opts.keyIsText };
  const info = await describeSourceTable(db, opts.table);
  const dataType = info.columns.find((c) => c.name === opts.keyColumn)?.dataType ?? "";
  const handling = keyHandling(db.dialect, dataType);
  if (handling === "refused") throw refusedKey(opts, `is ${dataType}`);
  return { column: opts.keyColumn, cast: handling === "cast" };
}

/** A selected column; on SQLite an integer beyond 2^53 comes back as its text (pg does the same for INT8). */
function selectColumn(db: Db, column: string, table?: string): RawBuilder<unknown> {
  const id = table === undefined ? sql.id(column) : sql.id(table, column);
  const as = sql.id(column);
  if (db.dialect !== "sqlite") return table === undefined ? id : sql`${id} as ${as}`;
  return sql`case when typeof(${id}) = 'integer' and ${id} not between ${MIN_EXACT} and ${MAX_EXACT}
    then cast(${id} as text) else ${id} end as ${as}`;
}

/** The selected columns (qualified by `table` when given: the source's alias in a query that joins). */
export function selectList(
  db: Db,
  opts: ReadOrdersOptions,
  key: KeyColumn,
  table?: string,
): RawBuilder<unknown> {
  const columns = [...new Set([opts.keyColumn, ...opts.columns])].map((c) => selectColumn(db, c, table));
  if (key.cast) columns.push(sql`${keyText(db.dialect, key)} as ${sql.id(KEY_ALIAS)}`);
  // SQLite is dynamically typed: a column that may hold integers may hold floats and blobs too.
  if (key.cast && db.dialect === "sqlite")
    columns.push(sql`typeof(${keyText(db.dialect, { ...key, cast: false })}) as ${sql.id(KEY_CLASS_ALIAS)}`);
  return sql.join(columns);
}

/**
 * `column NOT LIKE pattern`, ignoring ASCII case on every dialect as the seed's SQL Server rule does:
 * SQLite's LIKE already does; ILIKE on PostgreSQL; both sides upper-cased where the column's collation
 * may be binary (MySQL/MariaDB, SQL Server). Cast: the column may be non-text.
 */
const CANCELLED_LIKE: Record<
  Db["dialect"],
  (col: RawBuilder<unknown>, pattern: string) => RawBuilder<unknown>
> = {
  sqlite: (col, pattern) => sql`${col} not like ${pattern} escape ${LIKE_ESCAPE}`,
  postgres: (col, pattern) => sql`cast(${col} as text) not ilike ${pattern} escape ${LIKE_ESCAPE}`,
  mysql: (col, pattern) =>
    sql`upper(cast(${col} as char character set utf8mb4)) not like upper(${pattern}) escape ${LIKE_ESCAPE}`,
  mssql: (col, pattern) =>
    sql`upper(cast(${col} as nvarchar(max))) not like upper(${pattern}) escape ${LIKE_ESCAPE}`,
};

/**
 * `customer = ? AND NOT cancelled AND key IS NOT NULL`, all values bound, columns qualified by `table` when
 * given (`rows` picks other rows: see {@link readStrayRows}).
 */
export function baseFilter(
  db: Db,
  opts: ReadOrdersOptions,
  includeCancelled = false,
  table?: string,
  rows?: RawBuilder<unknown>[],
): RawBuilder<unknown> {
  const id = (column: string) => (table === undefined ? sql.id(column) : sql.id(table, column));
  const parts: RawBuilder<unknown>[] = rows ?? [
    sql`${id(opts.customerColumn)} = ${opts.customer}`,
    sql`${id(opts.keyColumn)} is not null`,
  ];
  if (!includeCancelled) {
    const col = id(opts.cancelled.column);
    const pattern = `%${escapeLike(opts.cancelled.contains)}%`;
    parts.push(sql`(${col} is null or ${CANCELLED_LIKE[db.dialect](col, pattern)})`);
  }
  return sql.join(parts, sql` and `);
}

/** The rows' keys as text; a cast key replaces the row's key value, so `String(row[keyColumn])` is the key. */
export function keysOf(rows: OrderRow[], opts: ReadOrdersOptions, key: KeyColumn): string[] {
  if (!key.cast) return rows.map((r) => String(r[opts.keyColumn]));
  return rows.map((r) => {
    const k = String(r[KEY_ALIAS]);
    const storage = r[KEY_CLASS_ALIAS];
    if (typeof storage === "string" && KEY_STORAGE_CLASSES[storage]?.(k) === false)
      throw refusedKey(opts, `holds a ${storage} value`);
    delete r[KEY_ALIAS];
    delete r[KEY_CLASS_ALIAS];
    r[opts.keyColumn] = k;
    return k;
  });
}

/**
 * Streams one customer's non-cancelled orders in pages, by keyset pagination in byte order of the key
 * (`key > lastKey ORDER BY key LIMIT n`, with `COLLATE "C"` on PostgreSQL), so memory stays flat and
 * pages never skip or repeat a row while others write. Rows with a NULL key are never returned.
 *
 * For speed on PostgreSQL the key column should be `COLLATE "C"` (as the demo table is) or carry an
 * index on `(customer, key COLLATE "C")`.
 *
 * @example
 * for await (const page of readOrderPages(db, { ...config.source, customer: "BLUE HARBOR", columns, pageSize: 1000 })) {
 *   handle(page.rows, page.keys);
 * }
 */
export async function* readOrderPages(
  db: Db,
  opts: ReadOrdersOptions & { pageSize: number; startAfter?: string },
): AsyncGenerator<OrderPage> {
  if (!Number.isInteger(opts.pageSize) || opts.pageSize < 1)
    throw new RangeError(`pageSize must be a positive integer, got ${opts.pageSize}`);
  const key = await resolveKey(db, opts);
  const keyExpr = orderKeyExpression(db.dialect, key);
  const select = selectList(db, opts, key);
  const filter = baseFilter(db, opts);
  const { top, limit } = rowLimit(db.dialect, opts.pageSize);
  let after = opts.startAfter ?? null;
  for (;;) {
    const range = after === null ? sql`` : sql` and ${keyExpr} > ${after}`;
    const { rows } = await sql<OrderRow>`select ${top} ${select} from ${tableIdentifier(opts.table)}
      where ${filter}${range}
      order by ${keyExpr}
      ${limit}`.execute(db.kysely);
    if (rows.length === 0) return;
    const keys = keysOf(rows, opts, key);
    const lastKey = keys[keys.length - 1]!;
    yield { rows, keys, lastKey };
    if (rows.length < opts.pageSize) return;
    after = lastKey;
  }
}

/**
 * Re-reads specific orders of one customer by key (in chunks of {@link KEYS_PER_QUERY}), in byte order.
 * Cancelled orders are left out unless `includeCancelled` (to tell "cancelled" from "deleted").
 */
export async function readOrdersByKeys(
  db: Db,
  opts: ReadOrdersOptions & { includeCancelled?: boolean },
  keys: readonly string[],
): Promise<{ rows: OrderRow[]; keys: string[] }> {
  const key = await resolveKey(db, opts);
  const select = selectList(db, opts, key);
  const filter = baseFilter(db, opts, opts.includeCancelled ?? false);
  // Equality needs no collation except on SQLite columns declared NOCASE; BINARY keeps it exact there.
  const match = key.cast
    ? keyText(db.dialect, key)
    : db.dialect === "sqlite"
      ? sql`${sql.id(key.column)} ${keyCollation(db.dialect)}`
      : sql.id(key.column);
  const unique = [...new Set(keys)];
  const rows: OrderRow[] = [];
  const found: string[] = [];
  for (let i = 0; i < unique.length; i += KEYS_PER_QUERY) {
    const chunk = unique.slice(i, i + KEYS_PER_QUERY);
    const r = await sql<OrderRow>`select ${select} from ${tableIdentifier(opts.table)}
      where ${filter} and ${match} in (${sql.join(chunk)})
      order by ${orderKeyExpression(db.dialect, key)}`.execute(db.kysely);
    rows.push(...r.rows);
    found.push(...keysOf(r.rows, opts, key));
  }
  if (unique.length <= KEYS_PER_QUERY) return { rows, keys: found };
  const order = found.map((_k, i) => i).sort((a, b) => compareKeys(found[a]!, found[b]!));
  return { rows: order.map((i) => rows[i]!), keys: order.map((i) => found[i]!) };
}

/** Rows the reader never returns for a customer, though they look like the customer's (see {@link readStrayRows}). */
export interface StrayRows {
  /** How many of the customer's open orders have a NULL key, and the first few of them. */
  nullKey: { count: number; samples: OrderRow[] };
  /** Orders (key as text) whose customer is the customer's name with spaces around it. */
  spaced: { rows: OrderRow[]; keys: string[] };
}

/** How many rows of each kind {@link readStrayRows} returns at most (the counts are exact). */
export const STRAY_SAMPLE = 5;
const STRAY_SPACED_MAX = 1000;

/**
 * The names (trimmed) of every customer that has open orders whose customer column has spaces around it,
 * in one scan of the table: a run asks once, then {@link readStrayRows} scans again only for a customer
 * named here. SQLite and PostgreSQL only, where `trim(customer) = ?` is the names' exact equality; null
 * on the others (each customer scans as before).
 */
export async function spacedCustomerNames(
  db: Db,
  opts: Omit<ReadOrdersOptions, "customer" | "columns">,
): Promise<Set<string> | null> {
  if (db.dialect !== "sqlite" && db.dialect !== "postgres") return null;
  const customer = sql.id(opts.customerColumn);
  const filter = baseFilter(db, { ...opts, customer: "", columns: [] }, false, undefined, [
    sql`${sql.id(opts.keyColumn)} is not null`,
    sql`${customer} <> trim(${customer})`,
  ]);
  const { rows } = await sql<{ name: unknown }>`select distinct trim(${customer}) as name
    from ${tableIdentifier(opts.table)} where ${filter}`.execute(db.kysely);
  return new Set(rows.map((r) => String(r.name)));
}

/**
 * The rows a customer's read skips without a word (issue 12): open orders with a NULL key, and orders
 * whose customer column is the customer's name with leading or trailing spaces (`= ?` never matches them on
 * SQLite and PostgreSQL; MySQL/MariaDB and SQL Server compare trailing spaces away, so there only leading
 * ones are stray). The second query cannot use the (customer, key) index: one scan of the table per customer,
 * unless `spacedNames` ({@link spacedCustomerNames}) says the customer has no such rows.
 */
export async function readStrayRows(
  db: Db,
  opts: ReadOrdersOptions,
  spacedNames?: ReadonlySet<string>,
): Promise<StrayRows> {
  const key = await resolveKey(db, opts);
  const customer = sql.id(opts.customerColumn);
  const keyId = sql.id(opts.keyColumn);
  const table = tableIdentifier(opts.table);
  const nullFilter = baseFilter(db, opts, false, undefined, [
    sql`${customer} = ${opts.customer}`,
    sql`${keyId} is null`,
  ]);
  const counted = await sql<{
    n: number | string;
  }>`select count(*) as n from ${table} where ${nullFilter}`.execute(db.kysely);
  const count = Number(counted.rows[0]?.n ?? 0);
  const columns = sql.join([...new Set([opts.keyColumn, ...opts.columns])].map((c) => selectColumn(db, c)));
  const few = rowLimit(db.dialect, STRAY_SAMPLE);
  const samples =
    count === 0
      ? []
      : (
          await sql<OrderRow>`select ${few.top} ${columns} from ${table} where ${nullFilter} ${few.limit}`.execute(
            db.kysely,
          )
        ).rows;
  const spacedFilter = baseFilter(db, opts, false, undefined, [
    sql`${keyId} is not null`,
    sql`${customer} <> trim(${customer})`,
    sql`trim(${customer}) = ${opts.customer}`,
  ]);
  if (spacedNames && !spacedNames.has(opts.customer))
    return { nullKey: { count, samples }, spaced: { rows: [], keys: [] } };
  const many = rowLimit(db.dialect, STRAY_SPACED_MAX);
  const spaced = await sql<OrderRow>`select ${many.top} ${selectList(db, opts, key)} from ${table}
    where ${spacedFilter} order by ${orderKeyExpression(db.dialect, key)} ${many.limit}`.execute(db.kysely);
  return { nullKey: { count, samples }, spaced: { rows: spaced.rows, keys: keysOf(spaced.rows, opts, key) } };
}
