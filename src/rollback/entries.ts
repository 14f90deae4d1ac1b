import { hashSnapshot, type OrderSnapshot } from "../detect/index.js";
import { mondayWriteValue, type ResolvedBoard } from "../mapping/index.js";
import type { NewStagedOrder, NewStagedSubitem } from "../stage/index.js";
import { removalEntry, subitemName, writeValues } from "../sync/index.js";
import type { Conflict, OrderUndo, SubitemUndo } from "./plan.js";

/** The staging rows of one order's undo: the item row and its size lines. */
export interface UndoEntry {
  order: NewStagedOrder;
  subitems: NewStagedSubitem[];
}

/** A change-log entry without the image a rollback needs (a bug, or a hand-edited log). */
export class MissingImageError extends Error {
  override name = "MissingImageError";
  constructor(
    readonly customer: string,
    readonly orderKey: string,
  ) {
    super(`order ${orderKey} of ${customer}: the change log holds no image to restore it from`);
  }
}

/** Columns that are not board columns in an undo's list. */
const ITEM_FIELDS = new Set(["name", "group", "item"]);

/**
 * What the board holds once the undo has landed, as the sync state records it: the order's state with the
 * restored columns put back and, for conflicts left alone, the board's own value (the state follows the board).
 */
function restoredSnapshot(base: OrderSnapshot, undo: OrderUndo, kept: readonly Conflict[]): OrderSnapshot {
  const s: OrderSnapshot = { ...base, columns: { ...base.columns } };
  const set = (column: string, value: string | null) => {
    if (column === "name") s.name = value ?? s.name;
    else if (column === "group") s.group = value ?? s.group;
    else if (!column.startsWith("size ") && !ITEM_FIELDS.has(column)) s.columns[column] = value;
  };
  for (const c of kept) if (!c.forced && c.board !== "<unreadable>") set(c.column, c.board);
  for (const c of undo.columns) set(c.column, c.to);
  return s;
}

function subitemRow(
  board: ResolvedBoard,
  undo: OrderUndo,
  line: SubitemUndo,
  snapshot: OrderSnapshot,
  before: OrderSnapshot | null,
): NewStagedSubitem {
  const qty = board.subitems!.quantityColumn;
  const columnValues: Record<string, unknown> = {};
  if (line.action !== "ARCHIVE") columnValues[qty.id] = mondayWriteValue(qty.type, line.to);
  if (line.action === "CREATE")
    for (const column of board.subitems?.columns ?? []) {
      const value = before?.subitemColumns?.[line.size]?.[column.id] ?? null;
      if (value !== null) columnValues[column.id] = mondayWriteValue(column.type, value);
    }
  return {
    size: line.size,
    action: line.action,
    itemName: line.action === "CREATE" ? subitemName(board, line.size, undo.orderKey, snapshot) : null,
    columnValues,
    quantity: line.action === "ARCHIVE" ? null : line.to,
    mondaySubitemId: line.subitemId,
  };
}

/**
 * The PENDING staging rows of one order's undo, under the rollback's own batch id: the push and record steps
 * then treat them as any sync's rows (RESTORE is an UPDATE, RECREATE a CREATE from the before-image).
 */
export function undoEntry(
  board: ResolvedBoard,
  batchId: string,
  undo: OrderUndo,
  images: { state: OrderSnapshot | null; before: OrderSnapshot | null; after: OrderSnapshot | null },
  conflicts: readonly Conflict[],
): UndoEntry {
  const base = {
    batchId,
    customer: undo.customer,
    orderKey: undo.orderKey,
    boardId: board.id,
    status: "PENDING" as const,
    attempts: 0,
    lastError: null,
    mondayItemId: undo.itemId,
  };
  if (undo.action === "ARCHIVE" || undo.action === "DELETE")
    return removalEntry(base, undo.action, undo.itemId);
  const recreate = undo.action === "RECREATE";
  const from = (recreate ? images.before : (images.state ?? images.after)) ?? images.before ?? images.after;
  if (!from) throw new MissingImageError(undo.customer, undo.orderKey);
  const snapshot = recreate ? from : restoredSnapshot(from, undo, conflicts);
  const columns = undo.columns.map((c) => c.column).filter((c) => !ITEM_FIELDS.has(c));
  const columnValues = writeValues(board, snapshot, columns);
  if (!recreate && undo.columns.some((c) => c.column === "name")) columnValues.name = snapshot.name;
  const groupUndone = undo.columns.some((c) => c.column === "group");
  return {
    order: {
      ...base,
      action: recreate ? "CREATE" : "UPDATE",
      itemName: snapshot.name,
      groupTitle: recreate || groupUndone ? snapshot.group : null,
      columnValues,
      changedColumns: undo.columns.map((c) => c.column),
      newHash: hashSnapshot(snapshot),
      newValues: snapshot,
    },
    subitems: undo.subitems.map((line) => subitemRow(board, undo, line, snapshot, images.before)),
  };
}
