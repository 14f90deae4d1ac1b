import type { ColumnType } from "../config/index.js";
import type { OrderSnapshot } from "../detect/index.js";
import { MappingError, type ResolvedBoard } from "../mapping/index.js";
import { dropState, loadStateRange, saveState, type SyncStateRow } from "../state/index.js";
import { runSync, type SyncSummary } from "./engine.js";
import { prepare, type SyncDeps } from "./prepare.js";
import type { BoardItem } from "./port.js";

/** An item on a board that no order's sync state knows. */
export interface UnknownItem {
  boardId: string;
  itemId: string;
  key: string;
  name: string;
}

/** An order whose sync state names an item the board no longer has (deleted, or archived by hand). */
export interface MissingItem {
  customer: string;
  orderKey: string;
  boardId: string;
  itemId: string;
}

/** A field whose value on the board is not what the sync state says monday holds. */
export interface DifferentValue {
  customer: string;
  orderKey: string;
  itemId: string;
  /** `name`, `group`, a column id, or `size <S>` (a size line's quantity). */
  field: string;
  database: string | null;
  board: string | null;
}

/** What `order-sync reconcile` found, and (without `--dry-run`) what it did about it. */
export interface ReconcileReport {
  dryRun: boolean;
  boards: { boardId: string; itemsOnBoard: number; itemsInState: number }[];
  onBoardOnly: UnknownItem[];
  inDatabaseOnly: MissingItem[];
  valuesDiffer: DifferentValue[];
  duplicateKeys: { boardId: string; key: string; itemIds: string[] }[];
  errors: { customer: string; error: string }[];
  /** monday.com requests the comparison made (reads only). */
  requests: number;
  /** Without `--dry-run`: state rows dropped and values marked for rewriting, then the sync that repaired the boards. */
  repair?: { dropped: number; marked: number; sync: SyncSummary };
}

/** Column types whose display text is the canonical value, so a difference in it is a real one. */
const COMPARABLE: ReadonlySet<ColumnType> = new Set([
  "text",
  "long_text",
  "numbers",
  "status",
  "date",
  "dropdown",
]);

/** What a repaired field is recorded as, so the next detection sees it changed and writes it again. */
const DIFFERS = "\u0000differs on the board";

function same(type: ColumnType | "numbers" | "text", db: string | null, board: string | null): boolean {
  if ((db ?? "") === (board ?? "")) return true;
  if (type === "numbers" && db !== null && board !== null) return Number(db) === Number(board);
  return false;
}

/** The fields of one order whose board value differs from its recorded one. */
function differences(board: ResolvedBoard, s: SyncStateRow, item: BoardItem): DifferentValue[] {
  const v = s.lastValues;
  if (!v) return [];
  const out: DifferentValue[] = [];
  const note = (field: string, database: string | null, onBoard: string | null) =>
    out.push({
      customer: s.customer,
      orderKey: s.orderKey,
      itemId: item.id,
      field,
      database,
      board: onBoard,
    });
  if (v.name !== item.name) note("name", v.name, item.name);
  if (v.group !== item.group) note("group", v.group, item.group);
  for (const column of [board.keyColumn, ...board.columns]) {
    if (!COMPARABLE.has(column.type) || !(column.id in v.columns)) continue;
    const onBoard = item.texts[column.id] ?? null;
    if (!same(column.type, v.columns[column.id] ?? null, onBoard))
      note(column.id, v.columns[column.id] ?? null, onBoard);
  }
  const qty = board.subitems?.quantityColumn.id;
  for (const [size, id] of Object.entries(s.subitemIds)) {
    const sub = item.subitems.find((x) => x.id === id);
    const want = v.subitems[size] ?? null;
    const got = sub ? (qty ? (sub.texts[qty] ?? null) : want) : null;
    if (!sub || !same("numbers", want, got)) note(`size ${size}`, want, sub ? got : null);
  }
  return out;
}

/** One board compared with the sync state of every customer on it (only `selected` customers' rows are judged). */
async function compareBoard(
  deps: SyncDeps,
  board: ResolvedBoard,
  selected: ReadonlySet<string>,
): Promise<Omit<ReconcileReport, "dryRun" | "errors" | "requests">> {
  const items = (await deps.monday.listItems?.(board.id, board.keyColumn.id)) ?? [];
  const byId = new Map(items.map((i) => [i.id, i]));
  const states: SyncStateRow[] = [];
  for (const c of deps.settings.config.customers.filter((c) => c.board === board.id))
    for (const s of (await loadStateRange(deps.db, c.name, null, null)).values())
      if (!s.archived && s.mondayItemId) states.push(s);
  const known = new Set(states.map((s) => s.mondayItemId));
  const report: Omit<ReconcileReport, "dryRun" | "errors" | "requests"> = {
    boards: [{ boardId: board.id, itemsOnBoard: items.length, itemsInState: states.length }],
    onBoardOnly: items
      .filter((i) => !known.has(i.id))
      .map((i) => ({ boardId: board.id, itemId: i.id, key: i.key, name: i.name })),
    inDatabaseOnly: [],
    valuesDiffer: [],
    duplicateKeys: [],
  };
  for (const s of states.filter((s) => selected.has(s.customer))) {
    const item = byId.get(s.mondayItemId!);
    if (!item)
      report.inDatabaseOnly.push({
        customer: s.customer,
        orderKey: s.orderKey,
        boardId: board.id,
        itemId: s.mondayItemId!,
      });
    else report.valuesDiffer.push(...differences(board, s, item));
  }
  const byKey = new Map<string, string[]>();
  for (const i of items) byKey.set(i.key, [...(byKey.get(i.key) ?? []), i.id]);
  for (const [key, itemIds] of byKey)
    if (itemIds.length > 1) report.duplicateKeys.push({ boardId: board.id, key, itemIds });
  return report;
}

/** The recorded values with every differing field marked, so the next detection writes it again. */
function marked(
  s: SyncStateRow,
  fields: readonly DifferentValue[],
): { values: OrderSnapshot; subitemIds: Record<string, string> } {
  const values: OrderSnapshot = structuredClone(s.lastValues!);
  const subitemIds = { ...s.subitemIds };
  for (const f of fields) {
    if (f.field === "name") values.name = DIFFERS;
    else if (f.field === "group") values.group = DIFFERS;
    else if (f.field.startsWith("size ")) {
      const size = f.field.slice(5);
      if (f.board === null) {
        delete subitemIds[size];
        delete values.subitems[size];
      } else values.subitems[size] = DIFFERS;
    } else values.columns[f.field] = DIFFERS;
  }
  return { values, subitemIds };
}

/** Drops the state of orders whose item is gone and marks the differing values: the next sync repairs both. */
async function repairState(
  deps: SyncDeps,
  report: ReconcileReport,
): Promise<{ dropped: number; marked: number }> {
  const byCustomer = new Map<string, string[]>();
  for (const m of report.inDatabaseOnly)
    byCustomer.set(m.customer, [...(byCustomer.get(m.customer) ?? []), m.orderKey]);
  for (const [customer, keys] of byCustomer) await dropState(deps.db.kysely, customer, keys);
  const byOrder = new Map<string, DifferentValue[]>();
  for (const d of report.valuesDiffer) {
    const id = JSON.stringify([d.customer, d.orderKey]);
    byOrder.set(id, [...(byOrder.get(id) ?? []), d]);
  }
  const now = new Date().toISOString();
  for (const fields of byOrder.values()) {
    const { customer, orderKey } = fields[0]!;
    const s = (await loadStateRange(deps.db, customer, null, null)).get(orderKey);
    if (!s?.lastValues || !s.mondayItemId) continue;
    await saveState(
      deps.db.kysely,
      {
        customer,
        orderKey,
        boardId: s.boardId,
        groupId: s.groupId,
        mondayItemId: s.mondayItemId,
        archived: false,
        ...marked(s, fields),
      },
      now,
    );
  }
  return { dropped: report.inDatabaseOnly.length, marked: byOrder.size };
}

/**
 * `order-sync reconcile`: every selected customer's board read whole and compared with the sync state:
 * items on the board that no order's state knows, orders whose item is gone, values that differ, keys on
 * more than one item. With `dryRun` it only reports. Otherwise it drops the state of orders whose item is
 * gone and marks the differing values, then runs a sync of those customers, which adopts the unknown items
 * of known orders (by key), creates the missing ones and writes the differing values again.
 */
export async function reconcileBoards(
  deps: SyncDeps,
  options: { customers?: readonly string[]; dryRun?: boolean } = {},
): Promise<ReconcileReport> {
  const p = await prepare(deps, options.customers);
  const before = deps.monday.requests;
  const report: ReconcileReport = {
    dryRun: options.dryRun ?? false,
    boards: [],
    onBoardOnly: [],
    inDatabaseOnly: [],
    valuesDiffer: [],
    duplicateKeys: [],
    errors: [],
    requests: 0,
  };
  const selected = new Set(p.customers.map((c) => c.name));
  for (const boardId of new Set(p.customers.map((c) => c.board))) {
    const board = p.boards.get(boardId);
    if (!board || board instanceof MappingError) {
      for (const c of p.customers.filter((c) => c.board === boardId))
        report.errors.push({ customer: c.name, error: board?.message ?? "board not configured" });
      continue;
    }
    const part = await compareBoard(deps, board, selected);
    for (const key of ["boards", "onBoardOnly", "inDatabaseOnly", "valuesDiffer", "duplicateKeys"] as const)
      (report[key] as unknown[]).push(...part[key]);
  }
  report.requests = deps.monday.requests - before;
  for (const c of p.customers) {
    const board = report.boards.find((b) => b.boardId === c.board);
    if (!board) continue;
    deps.events?.emit("boardChecked", {
      customer: c.name,
      boardId: c.board,
      itemsOnBoard: board.itemsOnBoard,
      itemsInState: board.itemsInState,
      scanned: true,
      unknown: report.onBoardOnly.filter((u) => u.boardId === c.board).length,
      // A repair leaves no missing item and no differing value (the sync that follows reports its own check).
      missing: report.dryRun ? report.inDatabaseOnly.filter((m) => m.customer === c.name).length : 0,
      differ: report.dryRun ? report.valuesDiffer.filter((d) => d.customer === c.name).length : 0,
    });
  }
  if (report.dryRun) return report;
  const fixed = await repairState(deps, report);
  const sync = await runSync(deps, { customers: p.customers.map((c) => c.name) });
  return { ...report, repair: { ...fixed, sync } };
}
