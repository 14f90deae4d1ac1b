import { sql, type Transaction } from "kysely";
import type { BoardConfig, Config } from "../config/index.js";
import { linkStatusChange, type Database, type DbDialect, type InboxStatus } from "../db/index.js";
import { insertOnce } from "./insert-once.js";
import type { Canonical } from "../mapping/index.js";
import {
  forgetItem,
  learnBoardValue,
  learnSubitemValue,
  sizeOfSubitem,
  stateOfItem,
  type SyncStateRow,
} from "../state/index.js";
import { boardOfEvent, columnOfEvent, type WatchedColumn } from "./columns.js";
import { canonicalOf, type BoardEvent } from "./event.js";

type Tx = Transaction<Database>;

/** What applying needs: the config, order-sync's own monday user (from `me`) and the source table. */
export interface ApplyContext {
  config: Config;
  /** Events by this user are order-sync's own writes coming back (echoes). */
  ownUserId: string | undefined;
  /** The database's engine (the worker sets it): how "insert unless already recorded" is written. */
  dialect?: DbDialect;
}

/** An event's fate: applied (recorded), an echo of order-sync's own write, or nothing order-sync tracks. */
export interface Applied {
  status: Extract<InboxStatus, "APPLIED" | "ECHO" | "IGNORED">;
  /** What was done, e.g. `written-back`, `restore-on-sync`, `duplicate`. */
  resolution: string;
}

const ITEM_EVENTS: Readonly<Record<string, string>> = {
  create_pulse: "ITEM_CREATED",
  delete_pulse: "ITEM_DELETED",
  archive_pulse: "ITEM_ARCHIVED",
  restore_pulse: "ITEM_RESTORED",
  update_name: "NAME",
};

const dialectOf = (ctx: ApplyContext): DbDialect => ctx.dialect ?? "sqlite";
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

/** One change into `MON_BoardChanges`; false when that change (board, item, column, time) is already there. */
async function recordChange(
  tx: Tx,
  dialect: DbDialect,
  event: BoardEvent,
  row: {
    state: SyncStateRow | undefined;
    columnId: string;
    columnType: string | null;
    kind: string;
    resolution: string;
    canonical: string | null;
    previous: string | null;
  },
): Promise<boolean> {
  const insert = tx.insertInto("MON_BoardChanges").values({
    event_id: event.eventId,
    customer: row.state?.customer ?? null,
    order_key: row.state?.orderKey ?? null,
    board_id: event.boardId,
    item_id: event.itemId,
    column_id: row.columnId,
    column_type: row.columnType,
    kind: row.kind,
    resolution: row.resolution,
    value: json(event.value),
    previous_value: json(event.previousValue),
    canonical_value: row.canonical,
    canonical_previous: row.previous,
    user_id: event.userId,
    changed_at: event.changedAt,
    recorded_at: new Date().toISOString(),
  });
  return insertOnce(dialect, insert, ["board_id", "item_id", "column_id", "changed_at"]);
}

/** A later change of the same item and column is already recorded: this one arrived out of order. */
async function superseded(tx: Tx, event: BoardEvent, columnId: string): Promise<boolean> {
  const row = await tx
    .selectFrom("MON_BoardChanges")
    .select("change_id")
    .where("board_id", "=", event.boardId)
    .where("item_id", "=", event.itemId)
    .where("column_id", "=", columnId)
    .where("changed_at", ">", event.changedAt)
    .where("kind", "!=", "STALE")
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Writes an edit to the board's write-back table, parameterised (identifiers quoted by Kysely): an UPDATE
 * of the order's row, or an INSERT when there is none, except in the source table (never a new order).
 */
async function writeBack(
  tx: Tx,
  board: BoardConfig,
  sourceTable: string,
  orderKey: string,
  target: string,
  value: string | null,
): Promise<void> {
  const wb = board.writeBack;
  if (!wb) return;
  const updated =
    await sql`UPDATE ${sql.table(wb.table)} SET ${sql.id(target)} = ${value} WHERE ${sql.id(wb.keyColumn)} = ${orderKey}`.execute(
      tx,
    );
  if (Number(updated.numAffectedRows ?? 0) > 0 || wb.table === sourceTable) return;
  await sql`INSERT INTO ${sql.table(wb.table)} (${sql.id(wb.keyColumn)}, ${sql.id(target)}) VALUES (${orderKey}, ${value})`.execute(
    tx,
  );
}

/** Status history (issue 14): every status change, a planner's or order-sync's own, once per event. */
async function recordStatus(
  tx: Tx,
  dialect: DbDialect,
  event: BoardEvent,
  column: WatchedColumn,
  state: SyncStateRow | undefined,
  side: "board" | "order-sync",
): Promise<void> {
  if (column.type !== "status") return;
  const insert = tx.insertInto("MON_StatusHistory").values({
    event_id: event.eventId,
    order_key: state?.orderKey ?? null,
    board_id: event.boardId,
    item_id: event.itemId,
    column_id: event.columnId ?? "",
    status: canonicalOf("status", event.value),
    previous_status: canonicalOf("status", event.previousValue),
    side,
    changed_at: event.changedAt,
  });
  if (!(await insertOnce(dialect, insert, ["event_id"]))) return;
  // The stay it ends and its own end (0015's next_at), so time in each status needs no window.
  const row = await tx
    .selectFrom("MON_StatusHistory")
    .select("history_id")
    .where("event_id", "=", event.eventId)
    .executeTakeFirst();
  if (row) await linkStatusChange(tx, dialect, row.history_id);
}

/**
 * How a board edit of a column is settled (issue 14): `from-board` and tracked columns are written back;
 * `to-board` ones are conflicts the next sync undoes (the sync state learns the board's value); `both`
 * follow their policy, `newest` comparing monday's `changedAt` with the sync's last write of the database.
 */
function settle(column: WatchedColumn, event: BoardEvent, state: SyncStateRow | undefined) {
  if (column.direction === "from-board") return { kind: "EDIT", winner: "board" as const };
  if (column.direction === "to-board") return { kind: "CONFLICT", winner: "db" as const };
  let policy = column.conflict;
  if (policy === "newest")
    policy = !state?.lastSyncDate || event.changedAt > state.lastSyncDate ? "board-wins" : "db-wins";
  return { kind: "CONFLICT", winner: policy === "board-wins" ? ("board" as const) : ("db" as const) };
}

/** What order-sync last wrote to an item's (or a size's subitem's) column, per the sync state. */
function lastWrittenOf(
  state: SyncStateRow,
  column: WatchedColumn,
  columnId: string,
  itemId: string,
): Canonical | undefined {
  if (!column.subitem) return state.lastValues?.columns[columnId];
  const size = sizeOfSubitem(state, itemId);
  if (size === undefined) return undefined;
  return column.quantity
    ? state.lastValues?.subitems[size]
    : state.lastValues?.subitemColumns?.[size]?.[columnId];
}

/**
 * The sync state learns the board's value of a database-owned column, so the next sync finds the order
 * (or that size's subitem) changed and restores the database's value. A subitem order-sync did not make
 * is only recorded.
 */
async function learn(
  tx: Tx,
  state: SyncStateRow,
  column: WatchedColumn,
  columnId: string,
  itemId: string,
  value: Canonical,
): Promise<void> {
  if (!column.subitem) return learnBoardValue(tx, state, columnId, value);
  const size = sizeOfSubitem(state, itemId);
  if (size === undefined) return;
  await learnSubitemValue(tx, state, size, column.quantity ? { quantity: true } : { columnId }, value);
}

async function applyColumnEvent(
  tx: Tx,
  ctx: ApplyContext,
  event: BoardEvent,
  board: BoardConfig,
  column: WatchedColumn,
): Promise<Applied> {
  const state = await stateOfItem(tx, board.id, event.parentItemId ?? event.itemId);
  const canonical = canonicalOf(column.type, event.value);
  const previous = canonicalOf(column.type, event.previousValue);
  const columnId = column.id ?? event.columnId ?? "";
  const own = ctx.ownUserId !== undefined && event.userId === ctx.ownUserId;
  // The value order-sync last wrote to that item and column, coming back: an echo, never a board edit.
  const lastWritten = state ? lastWrittenOf(state, column, columnId, event.itemId) : undefined;
  if (own || (column.direction !== "from-board" && lastWritten !== undefined && lastWritten === canonical)) {
    await recordStatus(tx, dialectOf(ctx), event, column, state, "order-sync");
    return { status: "ECHO", resolution: own ? "own-user" : "own-value" };
  }
  await recordStatus(tx, dialectOf(ctx), event, column, state, "board");
  const base = { state, columnId, columnType: column.type, canonical, previous };
  if (await superseded(tx, event, columnId)) {
    await recordChange(tx, dialectOf(ctx), event, { ...base, kind: "STALE", resolution: "superseded" });
    return { status: "APPLIED", resolution: "superseded" };
  }
  const { kind, winner } = settle(column, event, state);
  const resolution =
    winner === "db"
      ? "restore-on-sync"
      : column.target && state
        ? "written-back"
        : column.direction === "both"
          ? "board-wins"
          : "recorded";
  if (!(await recordChange(tx, dialectOf(ctx), event, { ...base, kind, resolution })))
    return { status: "IGNORED", resolution: "duplicate" };
  if (winner === "db" && state) await learn(tx, state, column, columnId, event.itemId, canonical);
  if (winner === "board" && column.target && state)
    await writeBack(tx, board, ctx.config.source.table, state.orderKey, column.target, canonical);
  return { status: "APPLIED", resolution };
}

/** Items created, deleted, archived, restored or renamed on the board: recorded, deletions by policy. */
async function applyItemEvent(
  tx: Tx,
  ctx: ApplyContext,
  event: BoardEvent,
  board: BoardConfig,
  kind: string,
): Promise<Applied> {
  const state = await stateOfItem(tx, board.id, event.parentItemId ?? event.itemId);
  const own = ctx.ownUserId !== undefined && event.userId === ctx.ownUserId;
  if (own) return { status: "ECHO", resolution: "own-user" };
  if (kind === "NAME" && state?.lastValues && state.lastValues.name === nameOf(event.value))
    return { status: "ECHO", resolution: "own-value" };
  const removed = kind === "ITEM_DELETED" || kind === "ITEM_ARCHIVED";
  const policy =
    removed && state && event.parentItemId === null ? (board.onItemRemoved ?? "report") : "report";
  const recorded = await recordChange(tx, dialectOf(ctx), event, {
    state,
    columnId: kind === "NAME" ? "name" : "item",
    columnType: null,
    kind: state || kind === "ITEM_CREATED" ? kind : "UNKNOWN_ITEM",
    resolution: kind === "NAME" ? "restore-on-sync" : policy,
    canonical: kind === "NAME" ? nameOf(event.value) : null,
    previous: kind === "NAME" ? nameOf(event.previousValue) : null,
  });
  if (!recorded) return { status: "IGNORED", resolution: "duplicate" };
  // The item name is the database's (boards[].itemName): the next sync restores it.
  if (kind === "NAME" && state && event.parentItemId === null)
    await learnBoardValue(tx, state, "name", nameOf(event.value));
  if (state && (policy === "recreate" || policy === "forget")) await forgetItem(tx, state, policy);
  return { status: "APPLIED", resolution: policy };
}

const nameOf = (v: unknown) =>
  typeof v === "object" && v !== null && typeof (v as { name?: unknown }).name === "string"
    ? (v as { name: string }).name
    : null;

/** Applies one inbox event inside `tx` (the caller marks the inbox row in the same transaction). */
export async function applyEvent(tx: Tx, ctx: ApplyContext, event: BoardEvent): Promise<Applied> {
  const found = boardOfEvent(ctx.config, event.boardId);
  if (!found) return { status: "IGNORED", resolution: "unknown-board" };
  const itemKind = ITEM_EVENTS[event.type];
  if (itemKind) return applyItemEvent(tx, ctx, event, found.board, itemKind);
  if (event.type !== "update_column_value" || event.columnId === null)
    return { status: "IGNORED", resolution: "event-not-tracked" };
  const column = columnOfEvent(found.board, found.subitem, event.columnId, event.columnTitle);
  if (!column) return { status: "IGNORED", resolution: "column-not-tracked" };
  return applyColumnEvent(tx, ctx, event, found.board, column);
}
