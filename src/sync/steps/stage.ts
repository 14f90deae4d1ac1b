import type { OrderSnapshot } from "../../detect/index.js";
import { mondayWriteValue, renderTemplate, type ResolvedBoard } from "../../mapping/index.js";
import {
  applyValidation,
  releaseFixed,
  releaseStale,
  STRAY_RULES,
  type ValidationResult,
} from "../../quality/index.js";
import {
  deleteBatch,
  deleteStaged,
  leftoverRows,
  stageOrders,
  type NewStagedOrder,
  type NewStagedSubitem,
} from "../../stage/index.js";
import { dropDiscards, releaseHolds, saveSourceHashes, type SourceHashRefresh } from "../../state/index.js";
import type { CustomerRunContext } from "../customer-context.js";
import { HaltError } from "../errors.js";
import type { PendingChange } from "./detect.js";
import type { Leftovers } from "./reconcile.js";
import type { QuarantinedOrder } from "./validate.js";

/** Staging rows (parent + size lines) for one change. */
export interface StageEntry {
  order: NewStagedOrder;
  subitems: NewStagedSubitem[];
}

/** What a sink did with one page. */
export interface StageResult {
  /** Staging rows written. */
  staged: number;
  counts: { dead: number; discarded?: number };
}

/**
 * Where the detect → validate steps deliver: the staging tables for `sync`, a list of planned changes for
 * `plan`. The composer runs the same steps into either.
 */
export interface ChangeSink {
  /** One page's changes that passed validation, and the orders validation held back. */
  stage(changes: readonly PendingChange[], quarantined: readonly QuarantinedOrder[]): Promise<StageResult>;
  /** The rules halted the customer: undo what this run staged and throw {@link HaltError}. */
  halt(result: ValidationResult): Promise<never>;
  /**
   * After the last page: record the customer's validation, release orders that are fine again and the
   * rollback holds of orders whose source changed since (`released`).
   */
  finish(validation: ValidationResult, fixed: readonly string[], released?: readonly string[]): Promise<void>;
  /** Orders read and found unchanged: keep their source fingerprints in the state (issue 16; `sync` only). */
  refresh?(refresh: readonly SourceHashRefresh[]): Promise<void>;
}

type SubitemAction = "CREATE" | "UPDATE" | "ARCHIVE";
type Base = Pick<
  NewStagedOrder,
  "batchId" | "customer" | "orderKey" | "boardId" | "status" | "attempts" | "lastError"
>;

/** monday `column_values` for the given column ids of a snapshot (`name` is not a column value). */
export function writeValues(
  board: ResolvedBoard,
  s: OrderSnapshot,
  ids: readonly string[],
): Record<string, unknown> {
  const typeOf = new Map(board.columns.map((c) => [c.id, c.type] as const));
  typeOf.set(board.keyColumn.id, board.keyColumn.type);
  return Object.fromEntries(
    ids
      .filter((id) => id !== "name")
      .map((id) => [id, mondayWriteValue(typeOf.get(id) ?? "text", s.columns[id] ?? null)]),
  );
}

/** A size line's subitem name, from the board's subitem name template. */
export function subitemName(board: ResolvedBoard, size: string, orderKey: string, s: OrderSnapshot): string {
  const name = renderTemplate(board.subitems?.name ?? "{size}", (n) =>
    n === "size" ? size : n === "key" ? orderKey : s.name,
  );
  return name || size;
}

/** Subitem `column_values`: the quantity and other columns, all (non-empty) on a create, changed ones on an update. */
function subitemValues(
  board: ResolvedBoard,
  change: PendingChange & { snapshot: OrderSnapshot },
  size: string,
  action: SubitemAction,
): Record<string, unknown> {
  const s = change.snapshot;
  const columnValues: Record<string, unknown> = {};
  if (action === "ARCHIVE") return columnValues;
  const qty = s.subitems[size] ?? null;
  const qtyCol = board.subitems!.quantityColumn;
  const before = change.kind === "CHANGED" ? change.known.lastValues : null;
  if (action === "CREATE" || before?.subitems[size] !== qty)
    columnValues[qtyCol.id] = mondayWriteValue(qtyCol.type, qty);
  for (const column of board.subitems?.columns ?? []) {
    const value = s.subitemColumns?.[size]?.[column.id] ?? null;
    const had = before?.subitemColumns?.[size];
    if (action === "CREATE" ? value !== null : !had || had[column.id] !== value)
      columnValues[column.id] = mondayWriteValue(column.type, value);
  }
  return columnValues;
}

function subitemRow(
  board: ResolvedBoard,
  change: PendingChange & { snapshot: OrderSnapshot },
  size: string,
  action: SubitemAction,
  id: string | null,
): NewStagedSubitem {
  const s = change.snapshot;
  return {
    size,
    action,
    itemName: action === "CREATE" ? subitemName(board, size, change.orderKey, s) : null,
    columnValues: subitemValues(board, change, size, action),
    quantity: s.subitems[size] ?? null,
    mondaySubitemId: id,
  };
}

/** The staging row that takes an item off the board: ARCHIVE (a GONE order), or DELETE (`rollback --delete`). */
export function removalEntry(base: Base, action: "ARCHIVE" | "DELETE", itemId: string | null): StageEntry {
  return {
    order: {
      ...base,
      action,
      itemName: null,
      groupTitle: null,
      columnValues: {},
      changedColumns: [],
      newHash: null,
      newValues: null,
      mondayItemId: itemId,
    },
    subitems: [],
  };
}

function createEntry(board: ResolvedBoard, base: Base, change: PendingChange & { kind: "NEW" }): StageEntry {
  const s = change.snapshot;
  return {
    order: {
      ...base,
      action: "CREATE",
      itemName: s.name,
      groupTitle: s.group,
      columnValues: writeValues(
        board,
        s,
        Object.keys(s.columns).filter((id) => s.columns[id] !== null),
      ),
      changedColumns: Object.keys(s.columns),
      newHash: change.hash,
      newValues: s,
      sourceFingerprint: change.sourceFingerprint ?? null,
      mondayItemId: null,
    },
    subitems: Object.keys(s.subitems).map((size) => subitemRow(board, change, size, "CREATE", null)),
  };
}

function updateEntry(
  board: ResolvedBoard,
  base: Base,
  change: PendingChange & { kind: "CHANGED" },
): StageEntry {
  const s = change.snapshot;
  const columnValues = writeValues(board, s, change.changedColumns);
  // monday renames an item through the `name` key of change_multiple_column_values.
  if (change.changedColumns.includes("name")) columnValues.name = s.name;
  const ids = change.known.subitemIds;
  const row = (size: string, action: SubitemAction, id: string | null) =>
    subitemRow(board, change, size, action, id);
  return {
    order: {
      ...base,
      action: "UPDATE",
      itemName: s.name,
      groupTitle: change.groupChanged ? s.group : null,
      columnValues,
      changedColumns: change.changedColumns,
      newHash: change.hash,
      newValues: s,
      sourceFingerprint: change.sourceFingerprint ?? null,
      mondayItemId: change.known.mondayItemId,
    },
    subitems: [
      ...change.subitems.create.map((size) => row(size, "CREATE", null)),
      ...change.subitems.update.map((size) => row(size, "UPDATE", ids[size] ?? null)),
      ...change.subitems.archive.map((size) => row(size, "ARCHIVE", ids[size] ?? null)),
    ],
  };
}

/** Staging rows (parent + size lines) for one detected change, PENDING. */
export function stageEntry(
  ctx: Pick<CustomerRunContext, "board" | "batchId" | "customer">,
  change: PendingChange,
): StageEntry {
  const { board, batchId, customer } = ctx;
  const base: Base = {
    batchId,
    customer: customer.name,
    orderKey: change.orderKey,
    boardId: board.id,
    status: "PENDING",
    attempts: 0,
    lastError: null,
  };
  if (change.kind === "GONE") return removalEntry(base, "ARCHIVE", change.known.mondayItemId);
  if (change.kind === "NEW") return createEntry(board, base, change);
  return updateEntry(board, base, change);
}

/** A change an operator's discard still covers: the same hash (an archive: the order still gone). */
function isDiscarded(discarded: ReadonlyMap<string, string | null>, c: PendingChange): boolean {
  if (!discarded.has(c.orderKey)) return false;
  return discarded.get(c.orderKey) === (c.kind === "GONE" ? null : c.hash);
}

/**
 * Step 5, stage, into the staging tables: one PENDING row per change (and one per size line). Orders
 * validation held back get no staging row: their one record is `MON_Quarantine`, written by
 * {@link StagingSink.finish} from the customer's validation. A DEAD row of an earlier run waits for an operator while its order
 * is unchanged, and is replaced once the order changes; a FAILED row's attempts carry over.
 */
export class StagingSink implements ChangeSink {
  constructor(
    private readonly ctx: CustomerRunContext,
    private readonly leftovers: Leftovers,
  ) {}

  async stage(changes: readonly PendingChange[]): Promise<StageResult> {
    const { dead, discarded } = this.leftovers;
    const waiting = new Set(changes.filter((c) => c.kind !== "GONE" && dead.get(c.orderKey) === c.hash));
    const left = new Set(changes.filter((c) => isDiscarded(discarded, c)));
    const entries = changes.filter((c) => !waiting.has(c) && !left.has(c)).map((c) => this.entry(c));
    // Only orders whose source changed since their row went DEAD replace it; unchanged ones keep waiting.
    const superseded = changes.filter((c) => !waiting.has(c) && dead.has(c.orderKey)).map((c) => c.orderKey);
    if (superseded.length) await this.dropDead(superseded);
    // The same for an operator's discard: it lasts while the source makes the same change.
    const undiscarded = changes
      .filter((c) => !left.has(c) && discarded.has(c.orderKey))
      .map((c) => c.orderKey);
    if (undiscarded.length) await this.dropDiscarded(undiscarded);
    await stageOrders(this.ctx.db, entries);
    return { staged: entries.length, counts: { dead: waiting.size, discarded: left.size } };
  }

  async refresh(refresh: readonly SourceHashRefresh[]): Promise<void> {
    await saveSourceHashes(this.ctx.db, this.ctx.customer.name, refresh);
  }

  async halt(result: ValidationResult): Promise<never> {
    const h = result.halt!;
    // "Before anything is staged": nothing of this run reaches monday, so its staged rows are dropped.
    await deleteBatch(this.ctx.db, this.ctx.customer.name, this.ctx.batchId);
    throw new HaltError(this.ctx.customer.name, h.rule, h.reason, result);
  }

  async finish(
    validation: ValidationResult,
    fixed: readonly string[],
    released: readonly string[] = [],
  ): Promise<void> {
    await applyValidation(this.ctx.db, this.ctx.batchId, validation);
    // Stray rows are found afresh each run: a row fixed (or deleted) since leaves the quarantine.
    const stray = validation.issues.filter((i) => (STRAY_RULES as readonly string[]).includes(i.rule));
    await releaseStale(
      this.ctx.db,
      this.ctx.customer.name,
      STRAY_RULES,
      stray.map((i) => i.orderKey ?? ""),
    );
    if (fixed.length) await releaseFixed(this.ctx.db, this.ctx.customer.name, fixed);
    if (released.length)
      await releaseHolds(this.ctx.db.kysely, { customers: [this.ctx.customer.name], orders: released });
  }

  private entry(change: PendingChange): StageEntry {
    const entry = stageEntry(this.ctx, change);
    const before = this.leftovers.failed.get(change.orderKey);
    if (before) entry.order = { ...entry.order, attempts: before.attempts, lastError: before.lastError };
    return entry;
  }

  /** Forgets the discards of orders whose source changed since (this run stages them afresh). */
  private async dropDiscarded(keys: readonly string[]): Promise<void> {
    await dropDiscards(this.ctx.db.kysely, this.ctx.customer.name, keys);
    for (const k of keys) this.leftovers.discarded.delete(k);
  }

  /** Drops the DEAD rows of orders that changed since (this run stages them afresh). */
  private async dropDead(keys: readonly string[]): Promise<void> {
    const { db, customer } = this.ctx;
    const { orders } = await leftoverRows(db, customer.name);
    const keep = orders
      .filter((o) => !(o.status === "DEAD" && keys.includes(o.orderKey)))
      .map((o) => o.stgId);
    await deleteStaged(db, customer.name, keep);
    for (const k of keys) this.leftovers.dead.delete(k);
  }
}
