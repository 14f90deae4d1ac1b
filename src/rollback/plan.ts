import type { ColumnType } from "../config/index.js";
import type { OrderSnapshot } from "../detect/index.js";
import type { Canonical, ResolvedBoard } from "../mapping/index.js";
import type { ChangeRecord } from "../runlog/index.js";
import type { SyncStateRow } from "../state/index.js";
import { subitemName, type FoundItem } from "../sync/index.js";
import { boardCanonical } from "./board-values.js";

/** What a rollback does with one item: archive or delete what the batch created, restore, re-create. */
export type UndoAction = "ARCHIVE" | "DELETE" | "RESTORE" | "RECREATE";

/** One column (or `name`, `group`) put back: from what the board holds now to the before-image. */
export interface ColumnUndo {
  column: string;
  from: Canonical;
  to: Canonical;
}

/** One size line put back. */
export interface SubitemUndo {
  size: string;
  action: "CREATE" | "UPDATE" | "ARCHIVE";
  subitemId: string | null;
  from: Canonical;
  to: Canonical;
}

/** Everything a rollback does to one order's item, as `--dry-run` lists it and the run then stages it. */
export interface OrderUndo {
  customer: string;
  orderKey: string;
  action: UndoAction;
  itemId: string | null;
  columns: ColumnUndo[];
  subitems: SubitemUndo[];
}

/**
 * A column (or the item, a size line) the board no longer shows as the batch left it: changed on the board
 * since (a planner), or by a later batch. Left alone unless `--force`.
 */
export interface Conflict {
  customer: string;
  orderKey: string;
  column: string;
  /** What the batch wrote. */
  batch: Canonical;
  /** What the board holds now (`"<unreadable>"` when the cell cannot be read back). */
  board: Canonical;
  /** The before-image the rollback would restore. */
  before: Canonical;
  /** `board` (an edit on monday.com) or the later batches that changed the order. */
  changedBy: string;
  forced: boolean;
}

/** A customer's part of a rollback. */
export interface CustomerUndo {
  undo: OrderUndo[];
  conflicts: Conflict[];
  /** Orders the board already shows as before the batch (e.g. a rollback run again after a crash). */
  alreadyUndone: string[];
}

/** What planning reads: the batch's changes of one order, the board now, the sync state now. */
export interface OrderFacts {
  item: ChangeRecord;
  subitems: ChangeRecord[];
  found: FoundItem | undefined;
  state: SyncStateRow | undefined;
  laterBatches: string[];
}

export interface PlanOptions {
  force: boolean;
  delete: boolean;
}

const UNREADABLE = "<unreadable>";

/** One comparison of a value the batch wrote with what the board holds now. */
type Verdict = "undo" | "already" | "conflict";

function verdict(board: Canonical | undefined, before: Canonical, after: Canonical): Verdict {
  if (board === after) return "undo";
  if (board === before) return "already";
  return "conflict";
}

/** Collects one order's undo and conflicts. */
class OrderPlanner {
  readonly columns: ColumnUndo[] = [];
  readonly subitems: SubitemUndo[] = [];
  readonly conflicts: Conflict[] = [];
  already = 0;

  constructor(
    private readonly facts: OrderFacts,
    private readonly options: PlanOptions,
  ) {}

  /** Compares one value; returns whether it is to be put back (an undo, or a forced conflict). */
  check(column: string, board: Canonical | undefined, before: Canonical, after: Canonical): boolean {
    const v = verdict(board, before, after);
    if (v === "already") this.already++;
    if (v !== "conflict") return v === "undo";
    const { item, laterBatches } = this.facts;
    this.conflicts.push({
      customer: item.customer,
      orderKey: item.orderKey,
      column,
      batch: after,
      board: board === undefined ? UNREADABLE : board,
      before,
      changedBy: laterBatches.length ? `later batch ${laterBatches.join(", ")}` : "board",
      forced: this.options.force,
    });
    return this.options.force;
  }

  column(column: string, board: Canonical | undefined, before: Canonical, after: Canonical): void {
    if (this.check(column, board, before, after))
      this.columns.push({ column, from: board === undefined ? UNREADABLE : board, to: before });
  }
}

const typeMap = (board: ResolvedBoard): Map<string, ColumnType> =>
  new Map([...board.columns, board.keyColumn].map((c) => [c.id, c.type] as const));

/** The item-level comparison: name, group and every mapped column the batch changed. */
function compareItem(
  p: OrderPlanner,
  board: ResolvedBoard,
  found: FoundItem,
  before: OrderSnapshot | null,
  after: OrderSnapshot,
): void {
  const types = typeMap(board);
  if (before?.name !== after.name) p.column("name", found.name ?? null, before?.name ?? null, after.name);
  if (before?.group !== after.group)
    p.column("group", found.groupTitle ?? null, before?.group ?? null, after.group);
  const ids = new Set([...Object.keys(after.columns), ...Object.keys(before?.columns ?? {})]);
  for (const id of ids) {
    const was = before?.columns[id] ?? null;
    const wrote = after.columns[id] ?? null;
    if (before && was === wrote) continue;
    p.column(id, boardCanonical(types.get(id) ?? "text", found.cells?.[id]), was, wrote);
  }
}

type SizeImage = { size: string; quantity: Canonical };

/** The size lines the batch changed, against the subitems the board holds now. */
function compareSubitems(p: OrderPlanner, board: ResolvedBoard, facts: OrderFacts): void {
  const qty = board.subitems?.quantityColumn;
  if (!qty) return;
  for (const change of facts.subitems) {
    const before = change.before as SizeImage | null;
    const after = change.after as SizeImage | null;
    const size = before?.size ?? after?.size ?? "";
    // An archived subitem is still listed under its item, with its state.
    const sub = facts.found?.subitems.find(
      (s) => s.id === change.mondayItemId && (s.state ?? "active") === "active",
    );
    const now = sub ? boardCanonical(qty.type, sub.cells?.[qty.id]) : null;
    const label = `size ${size}`;
    if (change.action === "SUBITEM_UPDATE") {
      if (sub && p.check(label, now, before?.quantity ?? null, after?.quantity ?? null))
        p.subitems.push({
          size,
          action: "UPDATE",
          subitemId: sub.id,
          from: now ?? null,
          to: before?.quantity ?? null,
        });
      else if (!sub) p.check(label, null, before?.quantity ?? null, after?.quantity ?? null);
    } else if (change.action === "SUBITEM_CREATE") {
      if (sub && p.check(label, now, null, after?.quantity ?? null))
        p.subitems.push({ size, action: "ARCHIVE", subitemId: sub.id, from: now ?? null, to: null });
      else if (!sub) p.already++;
    } else if (change.action === "SUBITEM_ARCHIVE") {
      // Back already when the board shows a live subitem of that size (re-created by an earlier rollback run).
      const name = subitemName(board, size, facts.item.orderKey, facts.item.before as OrderSnapshot);
      const live = facts.found?.subitems.some((s) => (s.state ?? "active") === "active" && s.name === name);
      if (live) p.already++;
      else
        p.subitems.push({
          size,
          action: "CREATE",
          subitemId: null,
          from: null,
          to: before?.quantity ?? null,
        });
    }
  }
}

/**
 * The order's item on the board now: the one the change log names or, when that one was re-created since
 * (a rollback of an archive), the item holding the order's key.
 */
const itemOf = (facts: OrderFacts): FoundItem | undefined => facts.found;

function undoOf(facts: OrderFacts, action: UndoAction, p?: OrderPlanner): OrderUndo {
  return {
    customer: facts.item.customer,
    orderKey: facts.item.orderKey,
    action,
    itemId: action === "RECREATE" ? null : (facts.found?.id ?? facts.item.mondayItemId),
    columns: p?.columns ?? [],
    subitems: p?.subitems ?? [],
  };
}

type OrderPlan = { undo?: OrderUndo; conflicts: Conflict[]; already: boolean };

/** Undoing a create: the item goes (archived, or deleted with `--delete`) unless the board changed it since. */
function planCreate(board: ResolvedBoard, facts: OrderFacts, options: PlanOptions): OrderPlan {
  const found = itemOf(facts);
  if (!found) return { conflicts: [], already: true };
  const p = new OrderPlanner(facts, options);
  compareItem(p, board, found, null, facts.item.after as OrderSnapshot);
  if (p.conflicts.length && !options.force) return { conflicts: p.conflicts, already: false };
  return {
    undo: undoOf(facts, options.delete ? "DELETE" : "ARCHIVE"),
    conflicts: p.conflicts,
    already: false,
  };
}

/** Undoing an update: each column and size line the batch changed, where the board still shows the batch's value. */
function planUpdate(board: ResolvedBoard, facts: OrderFacts, options: PlanOptions): OrderPlan {
  const found = itemOf(facts);
  const p = new OrderPlanner(facts, options);
  if (!found) {
    p.check("item", null, "active", "active");
    return { conflicts: p.conflicts, already: false };
  }
  compareItem(p, board, found, facts.item.before as OrderSnapshot, facts.item.after as OrderSnapshot);
  compareSubitems(p, board, { ...facts, found });
  const changes = p.columns.length + p.subitems.length;
  return {
    ...(changes ? { undo: undoOf(facts, "RESTORE", p) } : {}),
    conflicts: p.conflicts,
    already: changes === 0 && p.conflicts.length === 0,
  };
}

/**
 * Undoing an archive: the public API has no un-archive, so the item is re-created from its before-image
 * (a new item id, recorded in the sync state and the change log); an item with the order's key already on
 * the board (restored by hand, or by a rollback run before) is left as it is.
 */
function planArchive(board: ResolvedBoard, facts: OrderFacts): OrderPlan {
  const before = facts.item.before as OrderSnapshot | null;
  if (facts.found) return planRecreated(board, facts, facts.found, before);
  const undo = undoOf(facts, "RECREATE");
  if (before) {
    undo.columns = [
      { column: "name", from: null, to: before.name },
      { column: "group", from: null, to: before.group },
      ...Object.entries(before.columns)
        .filter(([, v]) => v !== null)
        .map(([column, to]) => ({ column, from: null, to })),
    ];
    undo.subitems = Object.entries(before.subitems).map(([size, to]) => ({
      size,
      action: "CREATE" as const,
      subitemId: null,
      from: null,
      to,
    }));
  }
  return { undo, conflicts: [], already: false };
}

/**
 * An archived order whose item is back on the board (re-created by a rollback that was interrupted before its
 * size lines, or restored by hand): the sizes of the before-image it lacks are created under it.
 */
function planRecreated(
  board: ResolvedBoard,
  facts: OrderFacts,
  found: FoundItem,
  before: OrderSnapshot | null,
): OrderPlan {
  const live = new Set(found.subitems.filter((s) => (s.state ?? "active") === "active").map((s) => s.name));
  const missing = Object.entries(before?.subitems ?? {}).filter(
    ([size]) => !live.has(subitemName(board, size, facts.item.orderKey, before!)),
  );
  if (missing.length === 0) return { conflicts: [], already: true };
  const undo: OrderUndo = {
    ...undoOf(facts, "RESTORE"),
    itemId: found.id,
    subitems: missing.map(([size, to]) => ({ size, action: "CREATE", subitemId: null, from: null, to })),
  };
  return { undo, conflicts: [], already: false };
}

/**
 * Plans the rollback of one order from the batch's change-log entries and what the board and the sync state
 * hold now: only what still holds the batch's value is put back; anything changed since is a conflict.
 */
export function planOrder(board: ResolvedBoard, facts: OrderFacts, options: PlanOptions): OrderPlan {
  switch (facts.item.action) {
    case "CREATE":
      return planCreate(board, facts, options);
    case "ARCHIVE":
    case "DELETE":
      return planArchive(board, facts);
    default:
      return planUpdate(board, facts, options);
  }
}
