import { sql, type Kysely, type Transaction } from "kysely";
import { rowsPerStatement, type Database, type Db, type DbDialect, type SyncState } from "../db/index.js";
import { hashSnapshot, type KnownOrder, type OrderSnapshot } from "../detect/index.js";

type Executor = Kysely<Database> | Transaction<Database>;

/** The `MON_SyncState` row of an order, parsed. */
export interface SyncStateRow extends KnownOrder {
  customer: string;
  boardId: string;
  groupId: string | null;
  /** When the sync last wrote the order (issue 14: `newest` conflicts compare board edits with it). */
  lastSyncDate?: string | null;
}

type RawStateRow = SyncState;

function parseState(r: RawStateRow): SyncStateRow {
  return {
    customer: r.customer,
    orderKey: r.order_key,
    boardId: r.board_id,
    groupId: r.group_id,
    mondayItemId: r.monday_item_id,
    lastHash: r.last_sync_hash,
    lastValues: r.last_values ? (JSON.parse(r.last_values) as OrderSnapshot) : null,
    subitemIds: r.subitem_ids ? (JSON.parse(r.subitem_ids) as Record<string, string>) : {},
    archived: r.sync_status === "ARCHIVED",
    lastSyncDate: r.last_sync_date,
  };
}

/**
 * `order_key` compared in byte order on every dialect, matching how the source is paged. On MySQL/MariaDB
 * and SQL Server the column itself carries the byte-order collation (its migration declares it so).
 */
function keyRef(db: Db) {
  return db.dialect === "postgres" ? sql`order_key COLLATE "C"` : sql`order_key`;
}

/**
 * Sync-state rows of a customer with `after < order_key <= upTo` (either bound open when null):
 * the slice that lines up with one page of source orders.
 */
export async function loadStateRange(
  db: Db,
  customer: string,
  after: string | null,
  upTo: string | null,
): Promise<Map<string, SyncStateRow>> {
  let query = db.kysely.selectFrom("MON_SyncState").selectAll().where("customer", "=", customer);
  if (after !== null) query = query.where(sql<boolean>`${keyRef(db)} > ${after}`);
  if (upTo !== null) query = query.where(sql<boolean>`${keyRef(db)} <= ${upTo}`);
  const rows = await query.execute();
  return new Map(rows.map((r) => [r.order_key, parseState(r)]));
}

/** Sync-state rows of a customer for the given keys. */
export async function loadStateByKeys(
  db: Executor,
  customer: string,
  keys: readonly string[],
): Promise<Map<string, SyncStateRow>> {
  const out = new Map<string, SyncStateRow>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const rows = await db
      .selectFrom("MON_SyncState")
      .selectAll()
      .where("customer", "=", customer)
      .where("order_key", "in", chunk)
      .execute();
    for (const r of rows) out.set(r.order_key, parseState(r));
  }
  return out;
}

/** An order's state as {@link saveState} writes it: what monday now holds, its item and subitem ids. */
export interface StateToSave {
  customer: string;
  orderKey: string;
  boardId: string;
  groupId: string | null;
  mondayItemId: string;
  values: OrderSnapshot | null;
  subitemIds: Record<string, string>;
  archived: boolean;
  /**
   * `MON_SyncState.source_hash` (issue 16): {@link sourceHashOf} the source row's fingerprint and the hash
   * of the snapshot mapped from it; left as it is when absent (it only vouches while the state holds that snapshot).
   */
  sourceHash?: string | null;
}

/** The `MON_SyncState` columns of a state (its hash is always the hash of `values`). */
function stateColumns(state: StateToSave, now: string) {
  const hash = state.values ? hashSnapshot(state.values) : null;
  return {
    ...(state.sourceHash === undefined ? {} : { source_hash: state.sourceHash }),
    board_id: state.boardId,
    group_id: state.groupId,
    group_title: state.values?.group ?? null,
    monday_item_id: state.mondayItemId,
    last_sync_hash: hash,
    last_sync_date: now,
    last_values: state.values ? JSON.stringify(state.values) : null,
    subitem_ids: JSON.stringify(state.subitemIds),
    sync_status: state.archived ? ("ARCHIVED" as const) : ("ACTIVE" as const),
  };
}

/** Writes an order's state: what monday now holds, its hash (always the hash of `values`), item and subitem ids. */
export async function saveState(db: Executor, state: StateToSave, now: string): Promise<void> {
  const row = stateColumns(state, now);
  const updated = await db
    .updateTable("MON_SyncState")
    .set(row)
    .where("customer", "=", state.customer)
    .where("order_key", "=", state.orderKey)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0)
    await db
      .insertInto("MON_SyncState")
      .values({ customer: state.customer, order_key: state.orderKey, ...row })
      .execute();
}

/**
 * Inserts the states of orders the sync state does not hold yet, in multi-row INSERTs under the dialect's
 * parameter limit: the rows {@link saveState} would write one by one (`bench:scale` seeds with it).
 */
export async function insertStates(db: Db, states: readonly StateToSave[], now: string): Promise<void> {
  await insertStatesIn(db.kysely, db.dialect, states, now);
}

/** {@link insertStates} on an executor (the record step's transaction). */
export async function insertStatesIn(
  db: Executor,
  dialect: DbDialect,
  states: readonly StateToSave[],
  now: string,
): Promise<void> {
  const perInsert = rowsPerStatement(dialect, 12, 500);
  for (let i = 0; i < states.length; i += perInsert)
    await db
      .insertInto("MON_SyncState")
      .values(
        states
          .slice(i, i + perInsert)
          .map((s) => ({ customer: s.customer, order_key: s.orderKey, ...stateColumns(s, now) })),
      )
      .execute();
}

/**
 * Rewrites the values, hash and subitem ids of states that exist (the record step for size lines changes
 * nothing else of a state): one `UPDATE … CASE` per chunk instead of {@link saveState} per order.
 */
export async function saveSubitemStates(
  db: Executor,
  dialect: DbDialect,
  customer: string,
  states: readonly Pick<StateToSave, "orderKey" | "values" | "subitemIds">[],
  now: string,
): Promise<void> {
  const perUpdate = rowsPerStatement(dialect, 7, 200);
  for (let i = 0; i < states.length; i += perUpdate) {
    const chunk = states.slice(i, i + perUpdate);
    const column = (value: (s: (typeof chunk)[number]) => string | null) =>
      sql<string>`case order_key ${sql.join(
        chunk.map((s) => sql`when ${s.orderKey} then ${value(s)}`),
        sql` `,
      )} end`;
    await db
      .updateTable("MON_SyncState")
      .set({
        last_values: column((s) => (s.values ? JSON.stringify(s.values) : null)),
        last_sync_hash: column((s) => (s.values ? hashSnapshot(s.values) : null)),
        subitem_ids: column((s) => JSON.stringify(s.subitemIds)),
        last_sync_date: now,
      })
      .where("customer", "=", customer)
      .where(
        "order_key",
        "in",
        chunk.map((s) => s.orderKey),
      )
      .execute();
  }
}

/**
 * The `source_hash` that vouches for a state: the source row's database fingerprint and the canonical hash
 * of the snapshot mapped from it. The read query matches it against `fingerprint:last_sync_hash`, so it
 * counts only while the state holds that very snapshot.
 */
export function sourceHashOf(fingerprint: string | null | undefined, hash: string | null): string | null {
  return fingerprint && hash ? `${fingerprint}:${hash}` : null;
}

/** An unchanged order's fingerprint, as the state's `source_hash`: `fingerprint:the state's hash`. */
export interface SourceHashRefresh {
  orderKey: string;
  /** `fingerprint:last_sync_hash` (it vouches for the state only while `last_sync_hash` is that hash). */
  sourceHash: string;
}

/**
 * Stores the fingerprints of orders read and found unchanged (their canonical hash is the state's), so the
 * next read leaves them in the database: one `UPDATE … CASE` per chunk.
 */
export async function saveSourceHashes(
  db: Db,
  customer: string,
  refresh: readonly SourceHashRefresh[],
): Promise<void> {
  const perUpdate = rowsPerStatement(db.dialect, 3, 300);
  for (let i = 0; i < refresh.length; i += perUpdate) {
    const chunk = refresh.slice(i, i + perUpdate);
    const cases = sql.join(
      chunk.map((r) => sql`when ${r.orderKey} then ${r.sourceHash}`),
      sql` `,
    );
    await db.kysely
      .updateTable("MON_SyncState")
      .set({ source_hash: sql<string>`case order_key ${cases} end` })
      .where("customer", "=", customer)
      .where(
        "order_key",
        "in",
        chunk.map((r) => r.orderKey),
      )
      .execute();
  }
}

/** How many orders the sync state holds as active items on a board (every customer of the board). */
export async function countActiveOnBoard(db: Executor, boardId: string): Promise<number> {
  const row = await db
    .selectFrom("MON_SyncState")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("board_id", "=", boardId)
    .where("sync_status", "=", "ACTIVE")
    .where("monday_item_id", "is not", null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The active items the sync state knows on a board: item id → customer and order key (every customer). */
export async function activeItemsOfBoard(
  db: Executor,
  boardId: string,
): Promise<Map<string, { customer: string; orderKey: string }>> {
  const rows = await db
    .selectFrom("MON_SyncState")
    .select(["customer", "order_key", "monday_item_id"])
    .where("board_id", "=", boardId)
    .where("sync_status", "=", "ACTIVE")
    .execute();
  const out = new Map<string, { customer: string; orderKey: string }>();
  for (const r of rows)
    if (r.monday_item_id) out.set(r.monday_item_id, { customer: r.customer, orderKey: r.order_key });
  return out;
}

/** Forgets orders' state (their item is gone from the board): the next detection sees them as NEW. */
export async function dropState(db: Executor, customer: string, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 500)
    await db
      .deleteFrom("MON_SyncState")
      .where("customer", "=", customer)
      .where("order_key", "in", keys.slice(i, i + 500))
      .execute();
}

/** The sync state of the order whose item is `itemId` on `boardId` (issue 14: webhooks name items, not orders). */
export async function stateOfItem(
  db: Executor,
  boardId: string,
  itemId: string,
): Promise<SyncStateRow | undefined> {
  const row = await db
    .selectFrom("MON_SyncState")
    .selectAll()
    .where("board_id", "=", boardId)
    .where("monday_item_id", "=", itemId)
    .executeTakeFirst();
  return row ? parseState(row) : undefined;
}

/**
 * The board's value of a column as the sync state's (issue 14): a planner's edit of a database-owned
 * column. `last_values` and the hash change with it, so the next detect finds the order CHANGED in that
 * column and restores the database's value on the board.
 */
export async function learnBoardValue(
  db: Executor,
  state: SyncStateRow,
  columnId: string,
  value: string | null,
): Promise<void> {
  if (!state.lastValues) return;
  // monday's item name is the column `name`: the snapshot keeps it apart from the mapped columns.
  const values: OrderSnapshot =
    columnId === "name"
      ? { ...state.lastValues, name: value ?? "" }
      : { ...state.lastValues, columns: { ...state.lastValues.columns, [columnId]: value } };
  await saveLearned(db, state, values);
}

/** The size whose subitem is `subitemId` in an order's sync state (`undefined`: not a subitem order-sync made). */
export function sizeOfSubitem(state: SyncStateRow, subitemId: string): string | undefined {
  return Object.entries(state.subitemIds).find(([, id]) => id === subitemId)?.[0];
}

/**
 * The board's value of a size's subitem column as the sync state's (issue 14), like {@link learnBoardValue}:
 * `quantity` the size's quantity, else a mapped subitem column. The next detect finds that size changed and
 * the sync writes the database's values to that subitem again.
 */
export async function learnSubitemValue(
  db: Executor,
  state: SyncStateRow,
  size: string,
  column: { quantity: true } | { columnId: string },
  value: string | null,
): Promise<void> {
  const last = state.lastValues;
  if (!last) return;
  const values: OrderSnapshot =
    "quantity" in column
      ? { ...last, subitems: { ...last.subitems, [size]: value } }
      : {
          ...last,
          subitemColumns: {
            ...last.subitemColumns,
            [size]: { ...last.subitemColumns?.[size], [column.columnId]: value },
          },
        };
  await saveLearned(db, state, values);
}

async function saveLearned(db: Executor, state: SyncStateRow, values: OrderSnapshot): Promise<void> {
  await db
    .updateTable("MON_SyncState")
    .set({ last_values: JSON.stringify(values), last_sync_hash: hashSnapshot(values) })
    .where("customer", "=", state.customer)
    .where("order_key", "=", state.orderKey)
    .execute();
}

/**
 * An item removed by hand on the board (issue 14): `recreate` forgets the item (the next sync creates it
 * again), `forget` marks the order archived (the sync leaves it alone).
 */
export async function forgetItem(
  db: Executor,
  state: SyncStateRow,
  policy: "recreate" | "forget",
): Promise<void> {
  if (policy === "forget")
    await db
      .updateTable("MON_SyncState")
      .set({ sync_status: "ARCHIVED" })
      .where("customer", "=", state.customer)
      .where("order_key", "=", state.orderKey)
      .execute();
  else
    await db
      .deleteFrom("MON_SyncState")
      .where("customer", "=", state.customer)
      .where("order_key", "=", state.orderKey)
      .execute();
}
