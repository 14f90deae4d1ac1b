import type { CustomerConfig, Settings } from "../config/index.js";
import type { Db } from "../db/index.js";
import { buildSnapshot, detectChange, RowError, type Change, type OrderSnapshot } from "../detect/index.js";
import {
  mappingSourceColumns,
  mondayWriteValue,
  renderTemplate,
  templateColumns,
  type ResolvedBoard,
} from "../mapping/index.js";
import { readOrderPages } from "../source/index.js";
import {
  deleteBatch,
  deleteStaged,
  leftoverRows,
  stageOrders,
  type NewStagedOrder,
  type NewStagedSubitem,
} from "../stage/index.js";
import { loadStateByKeys, loadStateRange, saveState, type SyncStateRow } from "../state/index.js";
import {
  applyValidation,
  mergeResults,
  qualityColumns,
  quarantinedKeys,
  releaseFixed,
  validateOrders,
  type ValidationContext,
  type ValidationResult,
} from "../quality/index.js";
import type { SyncEvents } from "./events.js";
import type { SyncMonday } from "./port.js";

/** Counts for one customer's run (also summed for the whole run). */
export interface SyncCounts {
  created: number;
  updated: number;
  archived: number;
  unchanged: number;
  failed: number;
  dead: number;
  quarantined: number;
  subitemsCreated: number;
  subitemsUpdated: number;
  subitemsArchived: number;
  adopted: number;
}

export const emptyCounts = (): SyncCounts => ({
  created: 0,
  updated: 0,
  archived: 0,
  unchanged: 0,
  failed: 0,
  dead: 0,
  quarantined: 0,
  subitemsCreated: 0,
  subitemsUpdated: 0,
  subitemsArchived: 0,
  adopted: 0,
});

/** One planned change, as `plan` prints it. */
export interface PlannedChange {
  customer: string;
  orderKey: string;
  action: "CREATE" | "UPDATE" | "ARCHIVE" | "QUARANTINE";
  columns: string[];
  subitems?: { create: string[]; update: string[]; archive: string[] };
  reason?: string;
}

/**
 * What earlier runs left staged: DEAD rows' hashes (not resent while the order is unchanged), and the
 * attempts and last error of FAILED rows, carried into the rows this run stages for the same orders.
 */
export interface Leftovers {
  dead: Map<string, string | null>;
  failed: Map<string, { attempts: number; lastError: string | null }>;
}

/** Everything one customer's run needs. */
export interface CustomerRunContext {
  settings: Settings;
  db: Db;
  monday: SyncMonday;
  events: SyncEvents;
  batchId: string;
  customer: CustomerConfig;
  board: ResolvedBoard;
  /** Aborted on shutdown (SIGTERM) or a lost lease: the push stops after the request in flight is recorded. */
  signal?: AbortSignal;
}

/** Source columns a board mapping reads. */
export function sourceColumns(settings: Settings, board: ResolvedBoard, customer: CustomerConfig): string[] {
  const src = settings.config.source;
  const cols = new Set<string>([src.keyColumn, src.customerColumn]);
  for (const c of board.config.columns) for (const source of mappingSourceColumns(c)) cols.add(source);
  for (const t of [board.config.itemName, customer.group, board.subitems?.name ?? ""]) {
    for (const c of templateColumns(t)) if (c !== "size") cols.add(c);
  }
  for (const s of board.subitems?.sizes ?? []) cols.add(s.source);
  for (const c of qualityColumns(settings.config.quality)) cols.add(c);
  return [...cols];
}

/**
 * Step 0 of a customer's run: rows left staged by an earlier run. Creates whose outcome is unknown
 * (IN_FLIGHT after a crash, or FAILED/attempted) are looked up on the board by the key column and the
 * items found are adopted into the sync state, so they are never created twice. Then every leftover row
 * but DEAD ones is dropped: this run's detection stages afresh what is still needed.
 */
export async function reconcileLeftovers(ctx: CustomerRunContext, counts: SyncCounts): Promise<Leftovers> {
  const { db, monday, board, customer } = ctx;
  const { orders, subitems } = await leftoverRows(db, customer.name);
  const uncertain = (s: { status: string; attempts: number; action: string }) =>
    s.action === "CREATE" &&
    (s.status === "IN_FLIGHT" || ((s.status === "FAILED" || s.status === "PENDING") && s.attempts > 0));
  const keys = new Set<string>();
  for (const o of orders) if (uncertain(o)) keys.add(o.orderKey);
  for (const s of subitems) if (uncertain(s)) keys.add(s.orderKey);
  if (keys.size > 0) {
    const creates = new Map(orders.filter((o) => o.action === "CREATE").map((o) => [o.orderKey, o]));
    const sizeByName = new Map<string, Map<string, { size: string; quantity: string | null }>>();
    for (const s of subitems)
      if (s.action === "CREATE" && s.itemName) {
        const byName =
          sizeByName.get(s.orderKey) ?? new Map<string, { size: string; quantity: string | null }>();
        byName.set(s.itemName, { size: s.size, quantity: s.quantity });
        sizeByName.set(s.orderKey, byName);
      }
    const found = await monday.findItemsByKey(board.id, board.keyColumn.id, [...keys]);
    const states = await loadStateByKeys(db.kysely, customer.name, [...keys]);
    for (const item of found) {
      const known = states.get(item.key);
      const same = known?.mondayItemId === item.id ? known : undefined;
      // What monday holds: the state's record of this item or, for an item the state does not know yet,
      // the values of the staged create that made it (monday applies a create whole or not at all).
      const base = same ? same.lastValues : (creates.get(item.key)?.newValues ?? null);
      const subitemIds: Record<string, string> = { ...(same?.subitemIds ?? {}) };
      const quantities: Record<string, string | null> = { ...(same?.lastValues?.subitems ?? {}) };
      for (const sub of item.subitems) {
        const line = sizeByName.get(item.key)?.get(sub.name);
        if (!line || subitemIds[line.size]) continue;
        subitemIds[line.size] = sub.id;
        quantities[line.size] = line.quantity;
      }
      const values: OrderSnapshot | null = base
        ? {
            ...base,
            subitems: Object.fromEntries(
              Object.keys(subitemIds).map((size) => [size, quantities[size] ?? null]),
            ),
            ...(base.subitemColumns && {
              subitemColumns: Object.fromEntries(
                Object.keys(subitemIds)
                  .filter((size) => base.subitemColumns?.[size])
                  .map((size) => [size, base.subitemColumns![size]!]),
              ),
            }),
          }
        : null;
      await saveState(
        db.kysely,
        {
          customer: customer.name,
          orderKey: item.key,
          boardId: board.id,
          groupId: same?.groupId ?? null,
          mondayItemId: item.id,
          values,
          subitemIds,
          archived: false,
        },
        new Date().toISOString(),
      );
      counts.adopted++;
      ctx.events.emit("adopted", { customer: customer.name, orderKey: item.key, itemId: item.id });
    }
  }
  const dead = orders.filter((o) => o.status === "DEAD");
  await deleteStaged(
    db,
    customer.name,
    dead.map((o) => o.stgId),
  );
  const failed = new Map<string, { attempts: number; lastError: string | null }>();
  for (const o of orders)
    if (o.status === "FAILED") failed.set(o.orderKey, { attempts: o.attempts, lastError: o.lastError });
  return { dead: new Map(dead.map((o) => [o.orderKey, o.newHash])), failed };
}

/** Staging rows (parent + size lines) for one detected change. */
function stageEntry(
  ctx: CustomerRunContext,
  change: Exclude<Change, { kind: "UNCHANGED" }>,
): { order: NewStagedOrder; subitems: NewStagedSubitem[] } {
  const { board, batchId, customer } = ctx;
  const base = {
    batchId,
    customer: customer.name,
    orderKey: change.orderKey,
    boardId: board.id,
    status: "PENDING" as const,
    attempts: 0,
    lastError: null,
  };
  if (change.kind === "GONE")
    return {
      order: {
        ...base,
        action: "ARCHIVE",
        itemName: null,
        groupTitle: null,
        columnValues: {},
        changedColumns: [],
        newHash: null,
        newValues: null,
        mondayItemId: change.known.mondayItemId,
      },
      subitems: [],
    };
  const s = change.snapshot;
  const typeOf = new Map(board.columns.map((c) => [c.id, c.type] as const));
  typeOf.set(board.keyColumn.id, board.keyColumn.type);
  const write = (ids: readonly string[]) =>
    Object.fromEntries(
      ids
        .filter((id) => id !== "name")
        .map((id) => [id, mondayWriteValue(typeOf.get(id) ?? "text", s.columns[id] ?? null)]),
    );
  const subitemRow = (
    size: string,
    action: "CREATE" | "UPDATE" | "ARCHIVE",
    id: string | null,
  ): NewStagedSubitem => {
    const qty = s.subitems[size] ?? null;
    const qtyCol = board.subitems!.quantityColumn;
    const columnValues: Record<string, unknown> = {};
    if (action !== "ARCHIVE") {
      const before = change.kind === "CHANGED" ? change.known.lastValues : null;
      if (action === "CREATE" || before?.subitems[size] !== qty)
        columnValues[qtyCol.id] = mondayWriteValue(qtyCol.type, qty);
      // Other subitem columns: all (non-empty) on a create, only the changed ones on an update.
      for (const column of board.subitems?.columns ?? []) {
        const value = s.subitemColumns?.[size]?.[column.id] ?? null;
        const had = before?.subitemColumns?.[size];
        if (action === "CREATE" ? value !== null : !had || had[column.id] !== value)
          columnValues[column.id] = mondayWriteValue(column.type, value);
      }
    }
    return {
      size,
      action,
      itemName: action === "CREATE" ? subitemName(board, size, change.orderKey, s) : null,
      columnValues,
      quantity: qty,
      mondaySubitemId: id,
    };
  };
  if (change.kind === "NEW")
    return {
      order: {
        ...base,
        action: "CREATE",
        itemName: s.name,
        groupTitle: s.group,
        columnValues: write(Object.keys(s.columns).filter((id) => s.columns[id] !== null)),
        changedColumns: Object.keys(s.columns),
        newHash: change.hash,
        newValues: s,
        mondayItemId: null,
      },
      subitems: Object.keys(s.subitems).map((size) => subitemRow(size, "CREATE", null)),
    };
  const columnValues = write(change.changedColumns);
  // monday renames an item through the `name` key of change_multiple_column_values.
  if (change.changedColumns.includes("name")) columnValues.name = s.name;
  const ids = change.known.subitemIds;
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
      mondayItemId: change.known.mondayItemId,
    },
    subitems: [
      ...change.subitems.create.map((size) => subitemRow(size, "CREATE", null)),
      ...change.subitems.update.map((size) => subitemRow(size, "UPDATE", ids[size] ?? null)),
      ...change.subitems.archive.map((size) => subitemRow(size, "ARCHIVE", ids[size] ?? null)),
    ],
  };
}

function subitemName(board: ResolvedBoard, size: string, orderKey: string, s: OrderSnapshot): string {
  const name = renderTemplate(board.subitems?.name ?? "{size}", (n) =>
    n === "size" ? size : n === "key" ? orderKey : s.name,
  );
  return name || size;
}

/**
 * A customer's run stopped between two requests: the process is shutting down (SIGTERM) or its lease was
 * lost. Everything sent so far is recorded; rows not yet claimed stay PENDING for the next run.
 */
export class StoppedError extends Error {
  override name = "StoppedError";
  constructor(reason?: unknown) {
    super(
      `stopped: ${reason instanceof Error ? reason.message : typeof reason === "string" ? reason : "shutting down"}`,
    );
  }
}

/** A customer's run stopped by the data-quality framework before anything was staged (exit code 3). */
export class HaltError extends Error {
  override name = "HaltError";
  constructor(
    readonly customer: string,
    readonly rule: string,
    reason: string,
    readonly validation: ValidationResult,
  ) {
    super(`halted by data quality (${rule}): ${reason}`);
  }
}

/**
 * Steps read → detect → validate → stage for one customer: pages through the source in key order, lines
 * each page up with the same key range of the sync state, validates the orders that changed, and stages
 * what differs; orders with ERRORs are quarantined instead (with their reasons), never sent. Unchanged
 * orders cost nothing. A CRITICAL issue or too many ERRORs halts the customer: whatever this run staged
 * for it is removed and {@link HaltError} thrown. With `plan` given, nothing is written.
 */
export async function detectAndStage(
  ctx: CustomerRunContext,
  counts: SyncCounts,
  leftovers: Leftovers,
  plan?: PlannedChange[],
): Promise<{ staged: number; validation: ValidationResult }> {
  const { settings, db, board, customer } = ctx;
  const src = settings.config.source;
  let staged = 0;
  let previousLast: string | null = null;
  const deadHashes = leftovers.dead;
  const previouslyQuarantined = await quarantinedKeys(db, customer.name);
  const quality: ValidationContext = {
    customer: customer.name,
    board,
    config: settings.config.quality,
    keyColumn: src.keyColumn,
    customerColumn: src.customerColumn,
    groupTemplate: customer.group,
    previouslyQuarantined,
  };
  const results: ValidationResult[] = [validateOrders([], quality)];
  const fixed: string[] = [];
  const halt = async (result: ValidationResult): Promise<never> => {
    const h = result.halt!;
    // "Before anything is staged": nothing of this run reaches monday, so its staged rows are dropped.
    if (!plan) await deleteBatch(db, customer.name, ctx.batchId);
    throw new HaltError(customer.name, h.rule, h.reason, result);
  };
  if (results[0]!.halt) await halt(results[0]!);

  const stageChanges = async (
    changes: Exclude<Change, { kind: "UNCHANGED" }>[],
    quarantined: NewStagedOrder[],
  ) => {
    if (plan) {
      for (const c of changes) plan.push(planned(customer.name, c));
      for (const q of quarantined)
        plan.push({
          customer: customer.name,
          orderKey: q.orderKey,
          action: "QUARANTINE",
          columns: q.changedColumns,
          reason: q.lastError ?? "",
        });
      return;
    }
    const entries = [
      ...changes
        .filter((c) => {
          const dead = deadHashes.get(c.orderKey);
          if (dead === undefined) return true;
          // A DEAD row waits for an operator unless the order changed since.
          if (c.kind !== "GONE" && dead === c.hash) {
            counts.dead++;
            return false;
          }
          return true;
        })
        .map((c) => {
          const entry = stageEntry(ctx, c);
          const before = leftovers.failed.get(c.orderKey);
          if (before)
            entry.order = { ...entry.order, attempts: before.attempts, lastError: before.lastError };
          return entry;
        }),
      ...quarantined.map((order) => ({ order, subitems: [] })),
    ];
    const superseded = changes.filter((c) => deadHashes.has(c.orderKey)).map((c) => c.orderKey);
    if (superseded.length) await dropDead(ctx, superseded, deadHashes);
    await stageOrders(db, entries);
    staged += entries.length;
  };

  for await (const page of readOrderPages(db, {
    table: src.table,
    keyColumn: src.keyColumn,
    customerColumn: src.customerColumn,
    customer: customer.name,
    cancelled: src.cancelled,
    columns: sourceColumns(settings, board, customer),
    pageSize: settings.config.sync.pageSize,
  })) {
    const known = await loadStateRange(db, customer.name, previousLast, page.lastKey);
    const detected: {
      row: Record<string, unknown>;
      orderKey: string;
      change: Change | RowError;
      state?: SyncStateRow;
    }[] = [];
    for (const row of page.rows) {
      const orderKey = String(row[src.keyColumn]);
      const state = known.get(orderKey);
      known.delete(orderKey);
      let change: Change | RowError;
      try {
        change = detectChange(orderKey, buildSnapshot(row, orderKey, board, customer), state);
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        change = e;
      }
      if (!(change instanceof RowError) && change.kind === "UNCHANGED") {
        counts.unchanged++;
        // The source went back to what monday holds: an order quarantined since is fine again.
        if (previouslyQuarantined.has(orderKey)) fixed.push(orderKey);
        continue;
      }
      detected.push({ row, orderKey, change, ...(state ? { state } : {}) });
    }
    // Step 3, validate: only the orders that would be staged.
    const result = validateOrders(
      detected.map((d) => d.row),
      quality,
    );
    results.push(result);
    if (result.halt) await halt(result);
    const changes: Exclude<Change, { kind: "UNCHANGED" }>[] = [];
    const quarantined: NewStagedOrder[] = [];
    for (const d of detected) {
      const issues = (result.byOrder.get(d.orderKey) ?? []).filter(
        (i) => result.action(d.orderKey) === "QUARANTINE" && isError(i.severity),
      );
      if (issues.length > 0 || d.change instanceof RowError) {
        counts.quarantined++;
        const reasons = issues.length
          ? issues
          : [{ column: (d.change as RowError).column, message: (d.change as RowError).message }];
        quarantined.push(quarantineRow(ctx, d.orderKey, reasons, d.state));
        continue;
      }
      changes.push(d.change as Exclude<Change, { kind: "UNCHANGED" }>);
    }
    // Keys in this range that the source no longer has (deleted, or cancelled): archive them.
    for (const state of known.values())
      if (!state.archived && state.mondayItemId)
        changes.push({ kind: "GONE", orderKey: state.orderKey, known: state });
    await stageChanges(changes, quarantined);
    previousLast = page.lastKey;
    ctx.events.emit("progress", {
      customer: customer.name,
      phase: "detect",
      done: counts.unchanged + staged,
    });
  }
  const merged = mergeResults(results, quality);
  if (merged.halt) await halt(merged);
  const tail = await loadStateRange(db, customer.name, previousLast, null);
  const gone = [...tail.values()]
    .filter((s) => !s.archived && s.mondayItemId)
    .map((s): Change & { kind: "GONE" } => ({ kind: "GONE", orderKey: s.orderKey, known: s }));
  await stageChanges(gone, []);
  if (!plan) {
    await applyValidation(db, ctx.batchId, merged);
    if (fixed.length) await releaseFixed(db, customer.name, fixed);
  }
  return { staged, validation: merged };
}

const isError = (severity: string) => severity === "ERROR" || severity === "CRITICAL";

async function dropDead(
  ctx: CustomerRunContext,
  keys: string[],
  deadHashes: Map<string, string | null>,
): Promise<void> {
  const { orders } = await leftoverRows(ctx.db, ctx.customer.name);
  const keep = orders.filter((o) => !(o.status === "DEAD" && keys.includes(o.orderKey))).map((o) => o.stgId);
  await deleteStaged(ctx.db, ctx.customer.name, keep);
  for (const k of keys) deadHashes.delete(k);
}

function quarantineRow(
  ctx: CustomerRunContext,
  orderKey: string,
  reasons: readonly { column: string | null; message: string }[],
  state: SyncStateRow | undefined,
): NewStagedOrder {
  return {
    batchId: ctx.batchId,
    customer: ctx.customer.name,
    orderKey,
    boardId: ctx.board.id,
    action: state && !state.archived ? "UPDATE" : "CREATE",
    status: "QUARANTINED",
    itemName: null,
    groupTitle: null,
    columnValues: {},
    changedColumns: [...new Set(reasons.map((r) => r.column ?? ""))].filter(Boolean),
    newHash: null,
    newValues: null,
    mondayItemId: state?.mondayItemId ?? null,
    lastError: reasons.map((r) => r.message).join("; "),
  };
}

function planned(customer: string, c: Exclude<Change, { kind: "UNCHANGED" }>): PlannedChange {
  if (c.kind === "GONE") return { customer, orderKey: c.orderKey, action: "ARCHIVE", columns: [] };
  if (c.kind === "NEW")
    return {
      customer,
      orderKey: c.orderKey,
      action: "CREATE",
      columns: Object.keys(c.snapshot.columns),
      subitems: { create: Object.keys(c.snapshot.subitems), update: [], archive: [] },
    };
  return {
    customer,
    orderKey: c.orderKey,
    action: "UPDATE",
    columns: [...c.changedColumns, ...(c.groupChanged ? ["group"] : [])],
    subitems: c.subitems,
  };
}
