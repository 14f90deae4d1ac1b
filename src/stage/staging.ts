import { sql, type Kysely, type Transaction } from "kysely";
import { limitRows, rowsPerStatement } from "../db/index.js";
import type {
  Database,
  Db,
  StagedAction,
  StagedStatus,
  StagedOrder as StagedOrderRow,
  StagedSubitem as StagedSubitemRow,
} from "../db/index.js";
import type { OrderSnapshot } from "../detect/index.js";
import { initialStatus, transition } from "./states.js";

type Executor = Kysely<Database> | Transaction<Database>;

/** What a staged row asks monday to do. */
export type StageAction = StagedAction;
/** Staged row states; what may follow what is the table `STAGED_STATES` in `states.ts`. */
export type StageStatus = StagedStatus;

/** A parent (item) row of `STG_MON_CustMasterSchedule`. */
export interface StagedOrder {
  stgId: number;
  batchId: string;
  customer: string;
  orderKey: string;
  boardId: string;
  action: StageAction;
  status: StageStatus;
  itemName: string | null;
  groupTitle: string | null;
  /** monday `column_values` to write, keyed by column id (only the changed ones for an UPDATE). */
  columnValues: Record<string, unknown>;
  changedColumns: string[];
  newHash: string | null;
  newValues: OrderSnapshot | null;
  /** The source fingerprint read with the row `newValues` were mapped from (issue 16); null when unknown. */
  sourceFingerprint?: string | null;
  mondayItemId: string | null;
  attempts: number;
  lastError: string | null;
}

/** A size line of `STG_MON_CustMasterSchedule_Subitems`. */
export interface StagedSubitem {
  stgSubId: number;
  stgId: number;
  batchId: string;
  customer: string;
  orderKey: string;
  size: string;
  action: StageAction;
  status: StageStatus;
  itemName: string | null;
  columnValues: Record<string, unknown>;
  quantity: string | null;
  mondaySubitemId: string | null;
  attempts: number;
}

export type NewStagedOrder = Omit<StagedOrder, "stgId" | "attempts"> & { attempts?: number };
export type NewStagedSubitem = Omit<
  StagedSubitem,
  "stgSubId" | "stgId" | "batchId" | "customer" | "orderKey" | "status" | "attempts"
>;

const ORDERS = "STG_MON_CustMasterSchedule" as const;
const SUBITEMS = "STG_MON_CustMasterSchedule_Subitems" as const;

/** ISO-8601 timestamp used in every date column of the project's tables. */
export const nowIso = (): string => new Date().toISOString();

type Transactional = Transaction<Database>;

/** Bound values of one staged order row and one size row (the INSERT batches are sized from them). */
const ORDER_COLUMNS = 18;
const SUBITEM_COLUMNS = 15;

function orderRow(o: NewStagedOrder, now: string) {
  return {
    batch_id: o.batchId,
    customer: o.customer,
    order_key: o.orderKey,
    board_id: o.boardId,
    action: o.action,
    stg_status: initialStatus(o.status),
    item_name: o.itemName,
    group_title: o.groupTitle,
    column_values: JSON.stringify(o.columnValues),
    changed_columns: JSON.stringify(o.changedColumns),
    new_hash: o.newHash,
    new_values: o.newValues ? JSON.stringify(o.newValues) : null,
    source_hash: o.sourceFingerprint ?? null,
    monday_item_id: o.mondayItemId,
    attempts: o.attempts ?? 0,
    last_error: o.lastError,
    stg_created_date: now,
    stg_updated_date: now,
  };
}

/**
 * Inserts staged order rows and returns `order_key → stg_id`: `RETURNING` on SQLite and PostgreSQL,
 * `OUTPUT inserted.…` on SQL Server; MySQL/MariaDB have neither, so the new ids are read back by batch,
 * customer and key from the first id the INSERT generated on.
 */
async function insertOrders(
  dialect: Db["dialect"],
  tx: Transactional,
  rows: ReturnType<typeof orderRow>[],
): Promise<Map<string, number>> {
  const insert = tx.insertInto(ORDERS).values(rows);
  let inserted: { stg_id: number; order_key: string }[];
  if (dialect === "mssql")
    inserted = await insert.output(["inserted.stg_id", "inserted.order_key"]).execute();
  else if (dialect !== "mysql") inserted = await insert.returning(["stg_id", "order_key"]).execute();
  else {
    const { insertId } = await insert.executeTakeFirstOrThrow();
    const first = rows[0]!;
    inserted = await tx
      .selectFrom(ORDERS)
      .select(["stg_id", "order_key"])
      .where("batch_id", "=", first.batch_id)
      .where("customer", "=", first.customer)
      .where("stg_id", ">=", Number(insertId ?? 0))
      .where(
        "order_key",
        "in",
        rows.map((r) => r.order_key),
      )
      .orderBy("stg_id")
      .execute();
  }
  return new Map(inserted.map((r) => [r.order_key, Number(r.stg_id)]));
}

/**
 * Writes one page of staged orders and their size lines in a single transaction, all PENDING. Each
 * INSERT stays under the engine's parameter limit (2,100 on SQL Server).
 */
export async function stageOrders(
  db: Db,
  entries: readonly { order: NewStagedOrder; subitems: readonly NewStagedSubitem[] }[],
): Promise<void> {
  if (entries.length === 0) return;
  const now = nowIso();
  const ordersPerInsert = rowsPerStatement(db.dialect, ORDER_COLUMNS, 200);
  const subitemsPerInsert = rowsPerStatement(db.dialect, SUBITEM_COLUMNS, 500);
  await db.kysely.transaction().execute(async (tx) => {
    for (let i = 0; i < entries.length; i += ordersPerInsert) {
      const chunk = entries.slice(i, i + ordersPerInsert);
      const idByKey = await insertOrders(
        db.dialect,
        tx,
        chunk.map(({ order }) => orderRow(order, now)),
      );
      const subRows = chunk.flatMap(({ order: o, subitems }) =>
        subitems.map((s) => ({
          stg_id: idByKey.get(o.orderKey) ?? 0,
          batch_id: o.batchId,
          customer: o.customer,
          order_key: o.orderKey,
          size: s.size,
          action: s.action,
          stg_status: initialStatus("PENDING"),
          item_name: s.itemName,
          column_values: JSON.stringify(s.columnValues),
          quantity: s.quantity,
          monday_subitem_id: s.mondaySubitemId,
          attempts: 0,
          last_error: null,
          stg_created_date: now,
          stg_updated_date: now,
        })),
      );
      for (let j = 0; j < subRows.length; j += subitemsPerInsert)
        await tx
          .insertInto(SUBITEMS)
          .values(subRows.slice(j, j + subitemsPerInsert))
          .execute();
    }
  });
}

type RawOrder = StagedOrderRow;

function parseOrder(r: RawOrder): StagedOrder {
  return {
    stgId: Number(r.stg_id),
    batchId: r.batch_id,
    customer: r.customer,
    orderKey: r.order_key,
    boardId: r.board_id,
    action: r.action,
    status: r.stg_status,
    itemName: r.item_name,
    groupTitle: r.group_title,
    columnValues: r.column_values ? (JSON.parse(r.column_values) as Record<string, unknown>) : {},
    changedColumns: r.changed_columns ? (JSON.parse(r.changed_columns) as string[]) : [],
    newHash: r.new_hash,
    newValues: r.new_values ? (JSON.parse(r.new_values) as OrderSnapshot) : null,
    sourceFingerprint: r.source_hash ?? null,
    mondayItemId: r.monday_item_id,
    attempts: Number(r.attempts),
    lastError: r.last_error,
  };
}

type RawSubitem = StagedSubitemRow;

function parseSubitem(r: RawSubitem): StagedSubitem {
  return {
    stgSubId: Number(r.stg_sub_id),
    stgId: Number(r.stg_id),
    batchId: r.batch_id,
    customer: r.customer,
    orderKey: r.order_key,
    size: r.size,
    action: r.action,
    status: r.stg_status,
    itemName: r.item_name,
    columnValues: r.column_values ? (JSON.parse(r.column_values) as Record<string, unknown>) : {},
    quantity: r.quantity,
    mondaySubitemId: r.monday_subitem_id,
    attempts: Number(r.attempts),
  };
}

/** Claims up to `limit` PENDING orders of a batch: they become IN_FLIGHT (a crash leaves them for reconciliation). */
export async function claimOrders(
  db: Db,
  customer: string,
  batchId: string,
  limit: number,
): Promise<StagedOrder[]> {
  const claim = transition("IN_FLIGHT");
  return db.kysely.transaction().execute(async (tx) => {
    const pending = tx
      .selectFrom(ORDERS)
      .selectAll()
      .where("customer", "=", customer)
      .where("batch_id", "=", batchId)
      .where("stg_status", "in", claim.from)
      .orderBy("stg_id");
    const rows = await limitRows(db.dialect, pending, limit).execute();
    if (rows.length === 0) return [];
    await tx
      .updateTable(ORDERS)
      .set({ stg_status: "IN_FLIGHT", stg_updated_date: nowIso() })
      .where("stg_status", "in", claim.from)
      .where(
        "stg_id",
        "in",
        rows.map((r) => Number(r.stg_id)),
      )
      .execute();
    return rows.map((r) => ({ ...parseOrder(r), status: "IN_FLIGHT" as const }));
  });
}

/**
 * Claims up to `limit` PENDING creates of the batch for the bulk import lane (issue 18), IN_FLIGHT like any
 * claim: a crash leaves them uncertain, and the next run's reconcile adopts what a job created by key.
 */
export async function claimNewOrders(
  db: Db,
  customer: string,
  batchId: string,
  limit: number,
): Promise<StagedOrder[]> {
  const claim = transition("IN_FLIGHT");
  return db.kysely.transaction().execute(async (tx) => {
    const pending = tx
      .selectFrom(ORDERS)
      .selectAll()
      .where("customer", "=", customer)
      .where("batch_id", "=", batchId)
      .where("action", "=", "CREATE")
      .where("stg_status", "=", "PENDING")
      .orderBy("stg_id");
    const rows = await limitRows(db.dialect, pending, limit).execute();
    if (rows.length === 0) return [];
    await tx
      .updateTable(ORDERS)
      .set({ stg_status: "IN_FLIGHT", stg_updated_date: nowIso() })
      .where("stg_status", "in", claim.from)
      .where(
        "stg_id",
        "in",
        rows.map((r) => Number(r.stg_id)),
      )
      .execute();
    return rows.map((r) => ({ ...parseOrder(r), status: "IN_FLIGHT" as const }));
  });
}

/** The PENDING size-line creates of the given staged orders (what a bulk job writes under each parent). */
export async function pendingSubitemsOf(db: Db, stgIds: readonly number[]): Promise<StagedSubitem[]> {
  const found: StagedSubitem[] = [];
  for (let i = 0; i < stgIds.length; i += 500) {
    const rows = await db.kysely
      .selectFrom(SUBITEMS)
      .selectAll()
      .where("stg_id", "in", stgIds.slice(i, i + 500))
      .where("action", "=", "CREATE")
      .where("stg_status", "=", "PENDING")
      .orderBy("stg_sub_id")
      .execute();
    found.push(...rows.map(parseSubitem));
  }
  return found;
}

/**
 * Claims up to `limit` PENDING size lines whose parent order is DONE (so its item id is known), with the
 * parent's item id.
 */
export async function claimSubitems(
  db: Db,
  customer: string,
  batchId: string,
  limit: number,
): Promise<(StagedSubitem & { parentItemId: string; parentValues: OrderSnapshot | null })[]> {
  const claim = transition("IN_FLIGHT");
  return db.kysely.transaction().execute(async (tx) => {
    const pending = tx
      .selectFrom(`${SUBITEMS} as s`)
      .innerJoin(`${ORDERS} as o`, "o.stg_id", "s.stg_id")
      .selectAll("s")
      .select(["o.monday_item_id as parent_item_id", "o.new_values as parent_new_values"])
      .where("s.customer", "=", customer)
      .where("s.batch_id", "=", batchId)
      .where("s.stg_status", "in", claim.from)
      .where("o.stg_status", "=", "DONE")
      .orderBy("s.stg_sub_id");
    const rows = (await limitRows(db.dialect, pending, limit).execute()) as (RawSubitem & {
      parent_item_id: string | null;
      parent_new_values: string | null;
    })[];
    if (rows.length === 0) return [];
    await tx
      .updateTable(SUBITEMS)
      .set({ stg_status: "IN_FLIGHT", stg_updated_date: nowIso() })
      .where("stg_status", "in", claim.from)
      .where(
        "stg_sub_id",
        "in",
        rows.map((r) => Number(r.stg_sub_id)),
      )
      .execute();
    // The size lines of one order share its parsed values (read-only), parsed once.
    const parsed = new Map<string, OrderSnapshot>();
    const valuesOf = (text: string) => {
      const known = parsed.get(text) ?? (JSON.parse(text) as OrderSnapshot);
      parsed.set(text, known);
      return known;
    };
    return rows.map((r) => ({
      ...parseSubitem(r),
      status: "IN_FLIGHT" as const,
      parentItemId: r.parent_item_id ?? "",
      parentValues: r.parent_new_values ? valuesOf(r.parent_new_values) : null,
    }));
  });
}

/** The states monday's answer moves a claimed row out of. */
const ANSWERED: readonly StageStatus[] = ["IN_FLIGHT"];

/** The PENDING size lines of a parent that went DEAD go DEAD with it: they can never be sent on their own. */
async function deadWithParent(db: Executor, stgId: number, error: string | undefined, now: string) {
  const move = transition("DEAD", ["PENDING"]);
  await db
    .updateTable(SUBITEMS)
    .set({ stg_status: "DEAD", stg_updated_date: now, last_error: `parent item: ${error ?? "DEAD"}` })
    .where("stg_id", "=", stgId)
    .where("stg_status", "in", move.from)
    .execute();
}

/** Orders one batched `UPDATE` of {@link markOrders} moves (a CASE pair and an IN entry each: 3 parameters). */
const MARKS_PER_UPDATE = 500;

/**
 * Moves claimed orders to monday's answer as the state table allows (from IN_FLIGHT; counting an attempt
 * where it says so), keeping the error for FAILED/DEAD; a DEAD order takes its PENDING size lines with it.
 * Rows without an error (the common DONE case) go a few hundred a statement, their item ids in a CASE.
 */
export async function markOrders(
  db: Executor,
  updates: readonly { stgId: number; status: StageStatus; error?: string; mondayItemId?: string }[],
): Promise<void> {
  const now = nowIso();
  const byStatus = new Map<StageStatus, { stgId: number; mondayItemId?: string }[]>();
  for (const u of updates) {
    if (u.error === undefined && u.status !== "DEAD") {
      const same = byStatus.get(u.status) ?? [];
      byStatus.set(u.status, same);
      same.push(u);
      continue;
    }
    const move = transition(u.status, ANSWERED);
    await db
      .updateTable(ORDERS)
      .set((eb) => ({
        stg_status: u.status,
        stg_updated_date: now,
        last_error: u.error ?? null,
        ...(u.mondayItemId ? { monday_item_id: u.mondayItemId } : {}),
        ...(move.countsAttempt ? { attempts: eb("attempts", "+", 1) } : {}),
      }))
      .where("stg_id", "=", u.stgId)
      .where("stg_status", "in", move.from)
      .execute();
    if (u.status === "DEAD") await deadWithParent(db, u.stgId, u.error, now);
  }
  for (const [status, rows] of byStatus) {
    const move = transition(status, ANSWERED);
    for (let i = 0; i < rows.length; i += MARKS_PER_UPDATE) {
      const chunk = rows.slice(i, i + MARKS_PER_UPDATE);
      const withId = chunk.filter((r) => r.mondayItemId);
      const ids = withId.length
        ? sql<string>`case stg_id ${sql.join(
            withId.map((r) => sql`when ${r.stgId} then ${r.mondayItemId}`),
            sql` `,
          )} else monday_item_id end`
        : undefined;
      await db
        .updateTable(ORDERS)
        .set((eb) => ({
          stg_status: status,
          stg_updated_date: now,
          last_error: null,
          ...(ids ? { monday_item_id: ids } : {}),
          ...(move.countsAttempt ? { attempts: eb("attempts", "+", 1) } : {}),
        }))
        .where(
          "stg_id",
          "in",
          chunk.map((r) => r.stgId),
        )
        .where("stg_status", "in", move.from)
        .execute();
    }
  }
}

/**
 * Moves staged size lines to a new state (as {@link markOrders}); rows without an error or id of their
 * own (the common DONE case) go in one statement.
 */
export async function markSubitems(
  db: Executor,
  updates: readonly { stgSubId: number; status: StageStatus; error?: string; mondaySubitemId?: string }[],
): Promise<void> {
  const now = nowIso();
  const byStatus = new Map<StageStatus, number[]>();
  for (const u of updates) {
    if (u.error === undefined && u.mondaySubitemId === undefined) {
      const same = byStatus.get(u.status) ?? [];
      byStatus.set(u.status, same);
      same.push(u.stgSubId);
      continue;
    }
    const move = transition(u.status, ANSWERED);
    await db
      .updateTable(SUBITEMS)
      .set((eb) => ({
        stg_status: u.status,
        stg_updated_date: now,
        last_error: u.error ?? null,
        ...(move.countsAttempt ? { attempts: eb("attempts", "+", 1) } : {}),
        ...(u.mondaySubitemId ? { monday_subitem_id: u.mondaySubitemId } : {}),
      }))
      .where("stg_sub_id", "=", u.stgSubId)
      .where("stg_status", "in", move.from)
      .execute();
  }
  for (const [status, ids] of byStatus) {
    const move = transition(status, ANSWERED);
    await db
      .updateTable(SUBITEMS)
      .set((eb) => ({
        stg_status: status,
        stg_updated_date: now,
        last_error: null,
        ...(move.countsAttempt ? { attempts: eb("attempts", "+", 1) } : {}),
      }))
      .where("stg_sub_id", "in", ids)
      .where("stg_status", "in", move.from)
      .execute();
  }
}

/**
 * The clear step: deletes DONE size lines, then DONE orders that have no size line left.
 * Returns how many rows were cleared.
 */
export async function clearDone(db: Db, customer: string): Promise<number> {
  return db.kysely.transaction().execute(async (tx) => {
    const subs = await tx
      .deleteFrom(SUBITEMS)
      .where("customer", "=", customer)
      .where("stg_status", "=", "DONE")
      .executeTakeFirst();
    const orders = await tx
      .deleteFrom(ORDERS)
      .where("customer", "=", customer)
      .where("stg_status", "=", "DONE")
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom(`${SUBITEMS} as s`)
              .select("s.stg_sub_id")
              .whereRef("s.stg_id", "=", `${ORDERS}.stg_id`),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(subs.numDeletedRows) + Number(orders.numDeletedRows);
  });
}

/** Staged rows of a customer left by earlier runs (any state but DONE), for reconciliation. */
export async function leftoverRows(
  db: Db,
  customer: string,
): Promise<{ orders: StagedOrder[]; subitems: StagedSubitem[] }> {
  const orders = (
    await db.kysely
      .selectFrom(ORDERS)
      .selectAll()
      .where("customer", "=", customer)
      .orderBy("stg_id")
      .execute()
  ).map(parseOrder);
  const subitems = (
    await db.kysely
      .selectFrom(SUBITEMS)
      .selectAll()
      .where("customer", "=", customer)
      .orderBy("stg_sub_id")
      .execute()
  ).map(parseSubitem);
  return { orders, subitems };
}

/** Deletes a customer's staged rows except those in `keep` (e.g. DEAD rows that wait for an operator). */
export async function deleteStaged(db: Db, customer: string, keepStgIds: readonly number[]): Promise<void> {
  await db.kysely.transaction().execute(async (tx) => {
    let subs = tx.deleteFrom(SUBITEMS).where("customer", "=", customer);
    let orders = tx.deleteFrom(ORDERS).where("customer", "=", customer);
    if (keepStgIds.length) {
      subs = subs.where("stg_id", "not in", keepStgIds);
      orders = orders.where("stg_id", "not in", keepStgIds);
    }
    await subs.execute();
    await orders.execute();
  });
}

/** Deletes what one run staged for a customer (a run halted before its push). */
export async function deleteBatch(db: Db, customer: string, batchId: string): Promise<void> {
  await db.kysely.transaction().execute(async (tx) => {
    await tx.deleteFrom(SUBITEMS).where("customer", "=", customer).where("batch_id", "=", batchId).execute();
    await tx.deleteFrom(ORDERS).where("customer", "=", customer).where("batch_id", "=", batchId).execute();
  });
}

/** Staged row counts by table and state (for `status`). */
export async function stagingCounts(db: Db): Promise<{ table: string; status: string; count: number }[]> {
  const out: { table: string; status: string; count: number }[] = [];
  for (const table of [ORDERS, SUBITEMS] as const) {
    const rows = await db.kysely
      .selectFrom(table)
      .select(["stg_status", db.kysely.fn.countAll<string | number>().as("n")])
      .groupBy("stg_status")
      .execute();
    for (const r of rows) out.push({ table, status: r.stg_status, count: Number(r.n) });
  }
  return out;
}

/** Per staging table: PENDING rows created before `cutoffIso`, and the oldest PENDING row's creation time. */
export async function pendingAge(
  db: Db,
  cutoffIso: string,
): Promise<{ table: string; olderThanCutoff: number; oldest: string | null }[]> {
  const out: { table: string; olderThanCutoff: number; oldest: string | null }[] = [];
  for (const table of [ORDERS, SUBITEMS] as const) {
    const row = await db.kysely
      .selectFrom(table)
      .select((eb) => [
        eb.fn.min("stg_created_date").as("oldest"),
        eb.fn
          .sum<string | number | null>(
            eb.case().when("stg_created_date", "<", cutoffIso).then(1).else(0).end(),
          )
          .as("old"),
      ])
      .where("stg_status", "=", "PENDING")
      .executeTakeFirst();
    out.push({ table, olderThanCutoff: Number(row?.old ?? 0), oldest: row?.oldest ?? null });
  }
  return out;
}

/**
 * A staged create whose item is already on the board (found by key before the push): it becomes an UPDATE
 * of that item that writes nothing, and the size lines found under the item are dropped; the other size
 * lines stay, to be created under it.
 */
export async function adoptStagedCreate(
  db: Executor,
  stgId: number,
  itemId: string,
  adoptedStgSubIds: readonly number[],
): Promise<void> {
  await db
    .updateTable(ORDERS)
    .set({
      action: "UPDATE",
      column_values: "{}",
      changed_columns: "[]",
      group_title: null,
      monday_item_id: itemId,
      stg_updated_date: nowIso(),
    })
    .where("stg_id", "=", stgId)
    .where("action", "=", "CREATE")
    .where("stg_status", "=", "PENDING")
    .execute();
  if (adoptedStgSubIds.length > 0)
    await db
      .deleteFrom(SUBITEMS)
      .where("stg_sub_id", "in", [...adoptedStgSubIds])
      .execute();
}

/** Deletes staged orders and their size lines (an update whose item is gone, staged again as a create). */
export async function deleteStagedOrders(db: Executor, stgIds: readonly number[]): Promise<void> {
  if (stgIds.length === 0) return;
  await db
    .deleteFrom(SUBITEMS)
    .where("stg_id", "in", [...stgIds])
    .execute();
  await db
    .deleteFrom(ORDERS)
    .where("stg_id", "in", [...stgIds])
    .execute();
}
