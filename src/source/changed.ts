import { sql, type RawBuilder } from "kysely";
import { rowLimit, type Db } from "../db/index.js";
import { concatSql, fingerprintSql } from "./fingerprint.js";
import { keyText, orderKeyExpression, type KeyColumn } from "./keys.js";
import {
  baseFilter,
  keysOf,
  selectList,
  type OrderPage,
  type OrderRow,
  type ReadOrdersOptions,
} from "./read.js";
import { tableIdentifier } from "./table.js";

/** What {@link readChangedOrderPages} reads: the source, and how its rows are fingerprinted. */
export interface ChangedReadOptions extends ReadOrdersOptions {
  pageSize: number;
  /** The mapping's fingerprint: bound into every row's (a new config or board schema reads every order). */
  salt: string;
  /** The columns fingerprinted: the columns read, or the table's persisted `row_hash`. */
  fingerprintColumns: readonly string[];
}

/** A page of orders that may have changed, with the fingerprint the database computed for each row. */
export interface ChangedPage extends OrderPage {
  fingerprints: string[];
}

/** The source table's alias in the queries below (its columns are qualified: MON_SyncState has its own). */
const S = "s";
const FP_ALIAS = "__order_sync_fp";

/** The source key as the state's `order_key` compares with it (one collation both sides, byte order). */
function sourceKey(db: Db, key: KeyColumn): RawBuilder<unknown> {
  const text = keyText(db.dialect, { ...key, table: S });
  if (db.dialect === "mysql") return sql`cast(${text} as char character set utf8mb4) collate utf8mb4_bin`;
  if (db.dialect === "mssql") return sql`${text} collate Latin1_General_100_BIN2`;
  return text;
}

/** The state's `order_key` in byte order, for an equality the source's key index can serve. */
function stateKey(db: Db): RawBuilder<unknown> {
  if (db.dialect === "mysql") return sql`t.order_key collate utf8mb4_bin`;
  if (db.dialect === "mssql") return sql`t.order_key collate Latin1_General_100_BIN2`;
  return sql`t.order_key`;
}

/** The row's fingerprint as the database computes it. */
function fingerprint(db: Db, opts: ChangedReadOptions): RawBuilder<string> {
  const columns = opts.fingerprintColumns.map((c) => sql.id(S, c));
  return fingerprintSql(db.dialect, columns, opts.salt);
}

/**
 * `NOT EXISTS` a state row that holds what the source row maps to: active, with its item, and its
 * `source_hash` (`fingerprint:hash`) made from this very fingerprint and the state's own `last_sync_hash`,
 * so any other write of the state (a board edit learnt, a rollback, sizes still to land) reads the row again.
 * Orders in quarantine are always read (validation tells when they are fine again).
 *
 * On SQLite the quarantine check sits inside the `NOT EXISTS` (one probe less per row). Elsewhere it is an
 * `OR` beside it: that keeps the check a probe per source row in key order, which the page's `LIMIT`
 * stops early; a plain `NOT EXISTS` lets PostgreSQL plan a merge anti-join that sorts all the customer's
 * remaining rows for every page of a first load.
 */
function notKnownAlike(db: Db, opts: ChangedReadOptions, key: KeyColumn): RawBuilder<unknown> {
  const k = sourceKey(db, key);
  const expected = concatSql(db.dialect, [fingerprint(db, opts), sql`${":"}`, sql.ref("t.last_sync_hash")]);
  const alike = sql`select 1 from ${sql.table("MON_SyncState")} t
      where t.customer = ${opts.customer} and t.order_key = ${k} and t.sync_status = ${"ACTIVE"}
        and t.monday_item_id is not null and t.source_hash = ${expected}`;
  const quarantined = sql`select 1 from ${sql.table("MON_Quarantine")} q
      where q.customer = ${opts.customer} and q.order_key = ${k}`;
  if (db.dialect === "sqlite") return sql`not exists (${alike} and not exists (${quarantined}))`;
  return sql`(not exists (${alike}) or exists (${quarantined}))`;
}

/**
 * Streams one customer's open orders that are not known alike in the sync state (new, changed, or whose
 * state the database cannot vouch for), by keyset pagination in byte order of the key, each with its
 * fingerprint. Unchanged orders never leave the database: a run with nothing to do reads no row. On a
 * SQLite file the query runs in a reader thread ({@link Db.readers}), so customers scan in parallel.
 */
export async function* readChangedOrderPages(
  db: Db,
  opts: ChangedReadOptions,
  key: KeyColumn,
): AsyncGenerator<ChangedPage> {
  const keyExpr = orderKeyExpression(db.dialect, { ...key, table: S });
  const select = selectList(db, opts, { ...key, table: S }, S);
  const filter = baseFilter(db, opts, false, S);
  const { top, limit } = rowLimit(db.dialect, opts.pageSize);
  const known = notKnownAlike(db, opts, key);
  let after: string | null = null;
  for (;;) {
    const range = after === null ? sql`` : sql` and ${keyExpr} > ${after}`;
    const query = sql<OrderRow>`select ${top} ${select}, ${fingerprint(db, opts)} as ${sql.id(FP_ALIAS)}
      from ${tableIdentifier(opts.table)} ${sql.id(S)}
      where ${filter}${range} and ${known}
      order by ${keyExpr}
      ${limit}`;
    // On a SQLite file a reader thread scans (the customers' scans then use the machine's cores).
    const rows =
      (await db.readers?.all<OrderRow>(query.compile(db.kysely))) ?? (await query.execute(db.kysely)).rows;
    if (rows.length === 0) return;
    const fingerprints = rows.map((r) => {
      const fp = String(r[FP_ALIAS]);
      delete r[FP_ALIAS];
      return fp;
    });
    const keys = keysOf(rows, opts, key);
    const lastKey = keys[keys.length - 1]!;
    yield { rows, keys, lastKey, fingerprints };
    if (rows.length < opts.pageSize) return;
    after = lastKey;
  }
}

/** `t.order_key` in `(after, through]`, byte order (the state's key column is byte-ordered but on PostgreSQL). */
function stateRange(db: Db, after: string | null, through: string | null): RawBuilder<unknown> {
  const k = db.dialect === "postgres" ? sql`t.order_key collate "C"` : sql`t.order_key`;
  const parts: RawBuilder<unknown>[] = [sql`1 = 1`];
  if (after !== null) parts.push(sql`${k} > ${after}`);
  if (through !== null) parts.push(sql`${k} <= ${through}`);
  return sql.join(parts, sql` and `);
}

/**
 * Keys of the customer's active state rows in `(after, through]` whose order the source no longer has
 * open (deleted or cancelled): one anti-join, so the orders still there are not read.
 */
export async function readGoneKeys(
  db: Db,
  opts: ReadOrdersOptions,
  key: KeyColumn,
  range: { after: string | null; through: string | null },
): Promise<string[]> {
  const open = baseFilter(db, opts, false, S);
  const { rows } = await sql<{ order_key: string }>`select t.order_key as order_key
    from ${sql.table("MON_SyncState")} t
    where t.customer = ${opts.customer} and t.sync_status = ${"ACTIVE"} and t.monday_item_id is not null
      and ${stateRange(db, range.after, range.through)}
      and not exists (select 1 from ${tableIdentifier(opts.table)} ${sql.id(S)}
        where ${open} and ${keyText(db.dialect, { ...key, table: S })} = ${stateKey(db)})`.execute(db.kysely);
  return rows.map((r) => r.order_key);
}

/** How many open orders the customer has in the source (the unchanged ones are those not read). */
export async function countOpenOrders(db: Db, opts: ReadOrdersOptions): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n
    from ${tableIdentifier(opts.table)} ${sql.id(S)} where ${baseFilter(db, opts, false, S)}`.execute(
    db.kysely,
  );
  return Number(rows[0]?.n ?? 0);
}

/** How many of the customer's state rows stand for an item on the board (active, with an item id). */
export async function countActiveStates(db: Db, customer: string): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table("MON_SyncState")} t
    where t.customer = ${customer} and t.sync_status = ${"ACTIVE"} and t.monday_item_id is not null`.execute(
    db.kysely,
  );
  return Number(rows[0]?.n ?? 0);
}
