import type { Transaction } from "kysely";
import type { Database, NewChangeLogEntry } from "../../db/index.js";
import type { OrderSnapshot } from "../../detect/index.js";
import { logChanges } from "../../runlog/index.js";
import {
  deleteStagedOrders,
  markOrders,
  markSubitems,
  nowIso,
  stageOrders,
  type StagedOrder,
} from "../../stage/index.js";
import {
  dropState,
  insertStatesIn,
  loadStateByKeys,
  saveState,
  saveSubitemStates,
  sourceHashOf,
  type StateToSave,
  type SyncStateRow,
} from "../../state/index.js";
import type { StepCounts } from "../counts.js";
import type { CustomerRunContext } from "../customer-context.js";
import type { WriteOutcome } from "../port.js";
import type { GroupDirectory } from "../group-directory.js";
import type { ClaimedSubitem, SentRound } from "./push.js";
import { stageEntry } from "./stage.js";

type Failed = Extract<WriteOutcome, { ok: false }>;
const NO_OUTCOME: WriteOutcome = { ok: false, permanent: false, message: "no outcome" };

/**
 * A failed row's new state, reported to the listeners. Permanent failures (monday rejected the data) make
 * it DEAD; others leave it FAILED, and the next run reconciles and retries it.
 */
function noteFailure(
  ctx: CustomerRunContext,
  counts: StepCounts,
  orderKey: string,
  action: string,
  outcome: Failed,
): { status: "DEAD" | "FAILED"; error: string } {
  const status = outcome.permanent ? ("DEAD" as const) : ("FAILED" as const);
  if (status === "DEAD") counts.dead = (counts.dead ?? 0) + 1;
  else counts.failed = (counts.failed ?? 0) + 1;
  ctx.events.emit("rowFailed", {
    customer: ctx.customer.name,
    orderKey,
    action,
    error: outcome.message,
    status,
  });
  return { status, error: outcome.message };
}

/** Actions after which the item is off the board (DELETE: `rollback --delete` only). */
const removes = (action: string): boolean => action === "ARCHIVE" || action === "DELETE";

const bump = (counts: StepCounts, key: keyof StepCounts): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/**
 * What monday holds for an item after its row succeeded: the archived item keeps its last values; a created
 * or updated one has the new item values, with the sizes (and subitem columns) as they were until the size
 * lines land.
 */
function itemValues(
  row: StagedOrder,
  known: SyncStateRow | undefined,
  before: OrderSnapshot | null,
): OrderSnapshot | null {
  if (removes(row.action)) return known?.lastValues ?? null;
  const values: OrderSnapshot = {
    ...(row.newValues as OrderSnapshot),
    subitems: row.action === "CREATE" ? {} : (before?.subitems ?? {}),
  };
  if (values.subitemColumns)
    values.subitemColumns = row.action === "CREATE" ? {} : (before?.subitemColumns ?? {});
  return values;
}

/** Which count a successful item row adds to (an UPDATE that only changes sizes sends nothing for the item). */
function itemCount(row: StagedOrder): keyof StepCounts | undefined {
  if (removes(row.action)) return "archived";
  if (row.action === "CREATE") return "created";
  return Object.keys(row.columnValues).length > 0 || row.groupTitle !== null ? "updated" : undefined;
}

/** One successful item row: the sync state to save and its change-log entry (written by the caller). */
async function itemRecord(
  ctx: CustomerRunContext,
  groups: GroupDirectory,
  row: StagedOrder,
  known: SyncStateRow | undefined,
  createdId: string,
  now: string,
): Promise<{ state: StateToSave; entry: NewChangeLogEntry }> {
  const { customer, board, batchId } = ctx;
  const itemId = row.action === "CREATE" ? createdId : (row.mondayItemId ?? "");
  const before = known && !known.archived && known.mondayItemId === itemId ? known.lastValues : null;
  const values = itemValues(row, known, before);
  const archived = removes(row.action);
  const groupId =
    row.groupTitle !== null ? await groups.groupId(board.id, row.groupTitle) : (known?.groupId ?? null);
  const subitemIds = row.action === "CREATE" ? {} : (known?.subitemIds ?? {});
  const state: StateToSave = {
    customer: customer.name,
    orderKey: row.orderKey,
    boardId: board.id,
    groupId,
    mondayItemId: itemId,
    values,
    subitemIds,
    archived,
    // The fingerprint vouches for the state once it holds the whole snapshot (sizes land later).
    ...(archived ? {} : { sourceHash: sourceHashOf(row.sourceFingerprint, row.newHash) }),
  };
  const entry = {
    batch_id: batchId,
    customer: customer.name,
    order_key: row.orderKey,
    board_id: board.id,
    monday_item_id: itemId,
    action: row.action,
    before_image: before ? JSON.stringify(before) : null,
    after_image: archived ? null : JSON.stringify(values),
    changed_at: now,
  };
  return { state, entry };
}

/** An archive whose item is gone from the board already did what it asked for. */
const goneAlready = (row: { action: string }, outcome: WriteOutcome): boolean =>
  !outcome.ok && outcome.notFound === true && row.action === "ARCHIVE";

/** An update whose item is gone from the board (deleted by hand): its order is created again. */
const itemGone = (row: StagedOrder, outcome: WriteOutcome): boolean =>
  !outcome.ok && outcome.notFound === true && row.action === "UPDATE" && row.newValues !== null;

/**
 * Orders whose item monday answered "not found" for an update: their state and staged rows are dropped in
 * `tx`; the returned creates are staged after it commits, so this run's push creates them again.
 */
async function forgetGone(
  ctx: CustomerRunContext,
  tx: Transaction<Database>,
  rows: readonly StagedOrder[],
): Promise<Parameters<typeof stageOrders>[1]> {
  if (rows.length === 0) return [];
  await dropState(
    tx,
    ctx.customer.name,
    rows.map((r) => r.orderKey),
  );
  await deleteStagedOrders(
    tx,
    rows.map((r) => r.stgId),
  );
  return rows.map((r) =>
    stageEntry(ctx, { kind: "NEW", orderKey: r.orderKey, snapshot: r.newValues!, hash: r.newHash ?? "" }),
  );
}

/** The record step for items: sync state, change log with before-images, and the staged row's new state. */
async function recordOrders(
  ctx: CustomerRunContext,
  groups: GroupDirectory,
  rows: readonly StagedOrder[],
  outcomes: readonly WriteOutcome[],
): Promise<StepCounts> {
  const now = nowIso();
  const counts: StepCounts = {};
  const gone = rows.filter((row, i) => itemGone(row, outcomes[i] ?? NO_OUTCOME));
  const recreate = await ctx.db.kysely.transaction().execute(async (tx) => {
    const states = await loadStateByKeys(
      tx,
      ctx.customer.name,
      rows.map((r) => r.orderKey),
    );
    const log: NewChangeLogEntry[] = [];
    // States the sync state does not hold yet go in multi-row INSERTs, the DONE rows in batched UPDATEs.
    const inserts: StateToSave[] = [];
    const inserting = new Set<string>();
    const flush = async () => {
      await insertStatesIn(tx, ctx.db.dialect, inserts.splice(0), now);
      inserting.clear();
    };
    const done: { stgId: number; status: "DONE"; mondayItemId: string }[] = [];
    for (const [i, row] of rows.entries()) {
      const outcome = goneAlready(row, outcomes[i] ?? NO_OUTCOME)
        ? { ok: true as const, id: "" }
        : (outcomes[i] ?? NO_OUTCOME);
      if (gone.includes(row)) continue;
      if (!outcome.ok) {
        const f = noteFailure(ctx, counts, row.orderKey, row.action, outcome);
        await markOrders(tx, [{ stgId: row.stgId, status: f.status, error: f.error }]);
        continue;
      }
      const key = itemCount(row);
      if (key) bump(counts, key);
      const known = states.get(row.orderKey);
      const { state, entry } = await itemRecord(ctx, groups, row, known, outcome.id, now);
      if (!known && !state.archived && !inserting.has(row.orderKey)) {
        inserts.push(state);
        inserting.add(row.orderKey);
      } else {
        await flush();
        await saveState(tx, state, now);
      }
      done.push({ stgId: row.stgId, status: "DONE", mondayItemId: state.mondayItemId });
      log.push(entry);
    }
    await flush();
    await markOrders(tx, done);
    await logChanges(tx, log);
    return forgetGone(ctx, tx, gone);
  });
  await stageOrders(ctx.db, recreate);
  return counts;
}

/** Applies one successful size line to its order's sync state (in memory); returns the count it adds to. */
function applySubitem(
  state: SyncStateRow & { lastValues: OrderSnapshot },
  row: ClaimedSubitem,
  subitemId: string,
): keyof StepCounts {
  if (removes(row.action)) {
    delete state.subitemIds[row.size];
    delete state.lastValues.subitems[row.size];
    if (state.lastValues.subitemColumns) delete state.lastValues.subitemColumns[row.size];
    return "subitemsArchived";
  }
  state.subitemIds[row.size] = subitemId;
  state.lastValues.subitems[row.size] = row.quantity;
  const written = row.parentValues?.subitemColumns?.[row.size];
  if (written) state.lastValues.subitemColumns = { ...state.lastValues.subitemColumns, [row.size]: written };
  return row.action === "CREATE" ? "subitemsCreated" : "subitemsUpdated";
}

function subitemLogEntry(
  ctx: CustomerRunContext,
  row: ClaimedSubitem,
  subitemId: string,
  beforeQty: string | null,
  now: string,
): NewChangeLogEntry {
  return {
    batch_id: ctx.batchId,
    customer: ctx.customer.name,
    order_key: row.orderKey,
    board_id: ctx.board.subitems?.boardId ?? ctx.board.id,
    monday_item_id: subitemId,
    action: `SUBITEM_${row.action}`,
    before_image: row.action === "CREATE" ? null : JSON.stringify({ size: row.size, quantity: beforeQty }),
    after_image: removes(row.action) ? null : JSON.stringify({ size: row.size, quantity: row.quantity }),
    changed_at: now,
  };
}

/** Saves the values and subitem ids of every order whose size lines changed. */
async function saveTouched(
  ctx: CustomerRunContext,
  tx: Transaction<Database>,
  states: Map<string, SyncStateRow>,
  touched: Set<string>,
  now: string,
): Promise<void> {
  const changed = [...touched]
    .map((key) => states.get(key))
    .filter((s): s is SyncStateRow => Boolean(s?.mondayItemId))
    .map((s) => ({ orderKey: s.orderKey, values: s.lastValues, subitemIds: s.subitemIds }));
  await saveSubitemStates(tx, ctx.db.dialect, ctx.customer.name, changed, now);
}

/** The record step for size lines: subitem ids and quantities in the order's sync state, and the change log. */
async function recordSubitems(
  ctx: CustomerRunContext,
  rows: readonly ClaimedSubitem[],
  outcomes: readonly WriteOutcome[],
): Promise<StepCounts> {
  const now = nowIso();
  const counts: StepCounts = {};
  await ctx.db.kysely.transaction().execute(async (tx) => {
    const states = await loadStateByKeys(tx, ctx.customer.name, [...new Set(rows.map((r) => r.orderKey))]);
    const touched = new Set<string>();
    const done: number[] = [];
    const log: NewChangeLogEntry[] = [];
    for (const [i, row] of rows.entries()) {
      const answer = outcomes[i] ?? NO_OUTCOME;
      let outcome = goneAlready(row, answer) ? { ok: true as const, id: "" } : answer;
      if (!outcome.ok && outcome.notFound && row.action === "UPDATE") {
        outcome = { ...outcome, permanent: false };
        // The size line's subitem is gone from the board: forgotten, so the next run creates it again.
        const state = states.get(row.orderKey);
        if (state?.lastValues) {
          delete state.subitemIds[row.size];
          delete state.lastValues.subitems[row.size];
          touched.add(row.orderKey);
        }
      }
      if (!outcome.ok) {
        const f = noteFailure(ctx, counts, row.orderKey, `SUBITEM_${row.action}`, outcome);
        await markSubitems(tx, [
          { stgSubId: row.stgSubId, status: f.status, error: `size ${row.size}: ${f.error}` },
        ]);
        continue;
      }
      const state = states.get(row.orderKey);
      if (!state?.lastValues) continue;
      const beforeQty = state.lastValues.subitems[row.size] ?? null;
      const subitemId = row.action === "CREATE" ? outcome.id : (row.mondaySubitemId ?? "");
      bump(counts, applySubitem(state as SyncStateRow & { lastValues: OrderSnapshot }, row, subitemId));
      touched.add(row.orderKey);
      done.push(row.stgSubId);
      log.push(subitemLogEntry(ctx, row, subitemId, beforeQty, now));
    }
    // The subitem ids live in the sync state; the DONE rows are cleared at the end of the run.
    await markSubitems(
      tx,
      done.map((stgSubId) => ({ stgSubId, status: "DONE" as const })),
    );
    await logChanges(tx, log);
    await saveTouched(ctx, tx, states, touched, now);
  });
  return counts;
}

/**
 * Step 7, record: what monday answered for one round, into `MON_SyncState` (item and subitem ids, hashes),
 * the change log (before- and after-images, for rollback) and the staged rows' states, in one transaction.
 * Returns the round's counts.
 */
export function recordResults(
  ctx: CustomerRunContext,
  groups: GroupDirectory,
  round: SentRound,
): Promise<StepCounts> {
  return round.kind === "orders"
    ? recordOrders(ctx, groups, round.rows, round.outcomes)
    : recordSubitems(ctx, round.rows, round.outcomes);
}
