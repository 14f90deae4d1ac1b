import { createHash } from "node:crypto";
import type { NewChangeLogEntry } from "../db/index.js";
import type { OrderSnapshot } from "../detect/index.js";
import {
  claimOrders,
  claimSubitems,
  markOrders,
  markSubitems,
  nowIso,
  type StagedOrder,
  type StagedSubitem,
} from "../stage/index.js";
import { loadStateByKeys, saveState } from "../state/index.js";
import { StoppedError, type CustomerRunContext, type SyncCounts } from "./customer-run.js";
import type { BoardLocks } from "./board-locks.js";
import { MondayUnavailableError, type WriteOp, type WriteOutcome } from "./port.js";

/** Keeps the ids of a board's groups by title; creates missing groups (under the board's write lock). */
export class GroupDirectory {
  private readonly byBoard = new Map<string, Map<string, string>>();

  constructor(
    private readonly ctx: Pick<CustomerRunContext, "monday">,
    private readonly locks: BoardLocks,
  ) {}

  /** Seeds a board's known groups from its live schema. */
  seed(boardId: string, groups: readonly { id: string; title: string }[]): void {
    const map = this.byBoard.get(boardId) ?? new Map<string, string>();
    for (const g of groups) if (!map.has(g.title)) map.set(g.title, g.id);
    this.byBoard.set(boardId, map);
  }

  /** The id of the group titled `title`, created when missing. */
  async groupId(boardId: string, title: string): Promise<string> {
    const map = this.byBoard.get(boardId) ?? new Map<string, string>();
    this.byBoard.set(boardId, map);
    const known = map.get(title);
    if (known) return known;
    return this.locks.run(boardId, async () => {
      const again = map.get(title);
      if (again) return again;
      const group = await this.ctx.monday.createGroup(boardId, title);
      map.set(title, group.id);
      return group.id;
    });
  }

  /** The title of a group id, if known. */
  titleOf(boardId: string, groupId: string): string | undefined {
    for (const [title, id] of this.byBoard.get(boardId) ?? []) if (id === groupId) return title;
    return undefined;
  }
}

/** Ops for one staged order, and how to read its outcomes. */
async function opsForOrder(
  ctx: CustomerRunContext,
  groups: GroupDirectory,
  row: StagedOrder,
): Promise<WriteOp[]> {
  const createLabels = ctx.board.config.createLabelsIfMissing;
  switch (row.action) {
    case "CREATE":
      return [
        {
          kind: "create_item",
          boardId: row.boardId,
          groupId: await groups.groupId(row.boardId, row.groupTitle ?? "Orders"),
          itemName: row.itemName ?? row.orderKey,
          columnValues: row.columnValues,
          createLabels,
        },
      ];
    case "UPDATE": {
      const ops: WriteOp[] = [];
      if (Object.keys(row.columnValues).length > 0)
        ops.push({
          kind: "change_columns",
          boardId: row.boardId,
          itemId: row.mondayItemId ?? "",
          columnValues: row.columnValues,
          createLabels,
        });
      if (row.groupTitle !== null)
        ops.push({
          kind: "move_item",
          itemId: row.mondayItemId ?? "",
          groupId: await groups.groupId(row.boardId, row.groupTitle),
        });
      return ops;
    }
    case "ARCHIVE":
      return [{ kind: "archive_item", itemId: row.mondayItemId ?? "" }];
  }
}

/** The Idempotency-Key of one request: its run and staged rows, so only a retry of the same request matches. */
function idempotencyKey(batchId: string, rowIds: readonly string[]): string {
  return `os-${createHash("sha256")
    .update(`${batchId}|${rowIds.join(",")}`)
    .digest("hex")
    .slice(0, 40)}`;
}

/** Folds the outcomes of one row's ops into one: ok only when every op succeeded. */
function combine(outcomes: readonly WriteOutcome[]): WriteOutcome {
  const failed = outcomes.find((o) => !o.ok);
  if (failed) return failed;
  const first = outcomes[0];
  return first ?? { ok: true, id: "" };
}

/**
 * Sends a list of per-row op groups in aliased requests of at most `batchSize` ops, under the board's
 * write lock (monday: no concurrent mutations to one board). Returns one outcome per row.
 * A whole-request failure is returned as a failed outcome for each of its rows.
 */
async function sendRows(
  ctx: CustomerRunContext,
  locks: BoardLocks,
  boardId: string,
  rows: readonly WriteOp[][],
  rowIds: readonly string[],
): Promise<WriteOutcome[]> {
  const batchSize = ctx.monday.maxOpsPerRequest ?? ctx.settings.config.sync.batchSize;
  const results: WriteOutcome[] = [];
  let start = 0;
  while (start < rows.length) {
    // Fill a request with whole rows, never splitting one row's ops across two requests.
    let end = start;
    let size = 0;
    while (end < rows.length && (end === start || size + (rows[end]?.length ?? 0) <= batchSize))
      size += rows[end++]?.length ?? 0;
    const slice = rows.slice(start, end);
    const flat = slice.flat();
    let outcomes: WriteOutcome[];
    try {
      // One key per request, derived from its staged rows: a retry of it is replayed, never executed twice.
      const key = idempotencyKey(ctx.batchId, rowIds.slice(start, end));
      outcomes = flat.length === 0 ? [] : await locks.run(boardId, () => ctx.monday.write(flat, key));
    } catch (e) {
      if (e instanceof MondayUnavailableError) throw e;
      // The whole request failed (e.g. a 5xx or a timeout): every row in it stays for the next attempt.
      const message = e instanceof Error ? e.message : String(e);
      outcomes = flat.map(() => ({ ok: false, permanent: false, message }));
    }
    let at = 0;
    for (const ops of slice) {
      results.push(combine(outcomes.slice(at, at + ops.length)));
      at += ops.length;
    }
    start = end;
  }
  return results;
}

/** The push + record steps for a customer's staged orders (items first, then their size lines). */
export async function pushStaged(
  ctx: CustomerRunContext,
  counts: SyncCounts,
  groups: GroupDirectory,
  locks: BoardLocks,
): Promise<void> {
  // One request's worth of rows per claim, recorded as soon as it is answered: a crash loses at most one request.
  const claimSize = ctx.monday.maxOpsPerRequest ?? ctx.settings.config.sync.batchSize;
  for (;;) {
    if (ctx.signal?.aborted) throw new StoppedError(ctx.signal.reason);
    const rows = await claimOrders(ctx.db, ctx.customer.name, ctx.batchId, claimSize);
    if (rows.length === 0) break;
    const outcomes = await guard(ctx, rows, async () => {
      const ops = await Promise.all(rows.map((r) => opsForOrder(ctx, groups, r)));
      return sendRows(
        ctx,
        locks,
        ctx.board.id,
        ops,
        rows.map((r) => `o${r.stgId}`),
      );
    });
    await recordOrders(ctx, counts, groups, rows, outcomes);
    ctx.events.emit("progress", {
      customer: ctx.customer.name,
      phase: "push",
      done: counts.created + counts.updated + counts.archived,
    });
  }
  for (;;) {
    if (ctx.signal?.aborted) throw new StoppedError(ctx.signal.reason);
    const rows = await claimSubitems(ctx.db, ctx.customer.name, ctx.batchId, claimSize);
    if (rows.length === 0) break;
    // Subitems are written under the parent board's lock: they change the parent items too.
    const outcomes = await guard(ctx, rows, () =>
      sendRows(
        ctx,
        locks,
        ctx.board.id,
        rows.map((r) => opsForSubitem(ctx, r)),
        rows.map((r) => `s${r.stgSubId}`),
      ),
    );
    await recordSubitems(ctx, counts, rows, outcomes);
    ctx.events.emit("progress", {
      customer: ctx.customer.name,
      phase: "subitems",
      done: counts.subitemsCreated + counts.subitemsUpdated,
    });
  }
}

/**
 * Runs one push round; when it fails as a whole the claimed rows are marked FAILED before the error
 * ends the customer's run.
 */
async function guard<T extends StagedOrder | StagedSubitem>(
  ctx: CustomerRunContext,
  rows: readonly T[],
  send: () => Promise<WriteOutcome[]>,
): Promise<WriteOutcome[]> {
  try {
    return await send();
  } catch (e) {
    // Whatever ended the round (monday unavailable, a group that could not be made), its rows leave
    // IN_FLIGHT: FAILED with the reason; creates among them are reconciled by key on the next run.
    const error = e instanceof Error ? e.message : String(e);
    const orders = rows.filter((r): r is T & StagedOrder => !("stgSubId" in r));
    const subs = rows.filter((r): r is T & StagedSubitem => "stgSubId" in r);
    await ctx.db.kysely.transaction().execute(async (tx) => {
      await markOrders(
        tx,
        orders.map((r) => ({ stgId: r.stgId, status: "FAILED" as const, error })),
      );
      await markSubitems(
        tx,
        subs.map((r) => ({ stgSubId: r.stgSubId, status: "FAILED" as const, error })),
      );
    });
    throw e;
  }
}

function opsForSubitem(ctx: CustomerRunContext, row: StagedSubitem & { parentItemId: string }): WriteOp[] {
  const createLabels = ctx.board.config.createLabelsIfMissing;
  const subBoard = ctx.board.subitems?.boardId ?? "";
  switch (row.action) {
    case "CREATE":
      return [
        {
          kind: "create_subitem",
          parentItemId: row.parentItemId,
          itemName: row.itemName ?? row.size,
          columnValues: row.columnValues,
          createLabels,
        },
      ];
    case "UPDATE":
      return [
        {
          kind: "change_columns",
          boardId: subBoard,
          itemId: row.mondaySubitemId ?? "",
          columnValues: row.columnValues,
          createLabels,
        },
      ];
    case "ARCHIVE":
      return [{ kind: "archive_item", itemId: row.mondaySubitemId ?? "" }];
  }
}

/**
 * Counts and reports a failed row. Permanent failures (monday rejected the data) make it DEAD; others
 * leave it FAILED, and the next run reconciles and retries it.
 */
function noteFailure(
  ctx: CustomerRunContext,
  counts: SyncCounts,
  orderKey: string,
  action: string,
  outcome: Extract<WriteOutcome, { ok: false }>,
): { status: "DEAD" | "FAILED"; error: string } {
  const status = outcome.permanent ? ("DEAD" as const) : ("FAILED" as const);
  if (status === "DEAD") counts.dead++;
  else counts.failed++;
  ctx.events.emit("rowFailed", {
    customer: ctx.customer.name,
    orderKey,
    action,
    error: outcome.message,
    status,
  });
  return { status, error: outcome.message };
}

/** The record step for items: sync state, change log with before-images, and the staged row's new state. */
async function recordOrders(
  ctx: CustomerRunContext,
  counts: SyncCounts,
  groups: GroupDirectory,
  rows: readonly StagedOrder[],
  outcomes: readonly WriteOutcome[],
): Promise<void> {
  const now = nowIso();
  const { customer, board, batchId } = ctx;
  await ctx.db.kysely.transaction().execute(async (tx) => {
    const states = await loadStateByKeys(
      tx,
      customer.name,
      rows.map((r) => r.orderKey),
    );
    const log: NewChangeLogEntry[] = [];
    for (const [i, row] of rows.entries()) {
      const outcome = outcomes[i] ?? { ok: false, permanent: false, message: "no outcome" };
      if (!outcome.ok) {
        const f = noteFailure(ctx, counts, row.orderKey, row.action, outcome);
        await markOrders(tx, [{ stgId: row.stgId, status: f.status, error: f.error }]);
        continue;
      }
      const known = states.get(row.orderKey);
      const itemId = row.action === "CREATE" ? outcome.id : (row.mondayItemId ?? "");
      const before: OrderSnapshot | null =
        known && !known.archived && known.mondayItemId === itemId ? known.lastValues : null;
      let values: OrderSnapshot | null;
      let archived = false;
      if (row.action === "ARCHIVE") {
        values = known?.lastValues ?? null;
        archived = true;
        counts.archived++;
      } else {
        // What monday holds now: the new item values, and the sizes as they were until the size lines land.
        values = {
          ...(row.newValues as OrderSnapshot),
          subitems: row.action === "CREATE" ? {} : (before?.subitems ?? {}),
        };
        // Subitem columns, like quantities, are recorded as each size line lands.
        if (values.subitemColumns)
          values.subitemColumns = row.action === "CREATE" ? {} : (before?.subitemColumns ?? {});
        if (row.action === "CREATE") counts.created++;
        // An UPDATE that only changes sizes sends nothing for the item itself.
        else if (Object.keys(row.columnValues).length > 0 || row.groupTitle !== null) counts.updated++;
      }
      await saveState(
        tx,
        {
          customer: customer.name,
          orderKey: row.orderKey,
          boardId: board.id,
          groupId:
            row.groupTitle !== null
              ? await groups.groupId(board.id, row.groupTitle)
              : (known?.groupId ?? null),
          mondayItemId: itemId,
          values,
          subitemIds: row.action === "CREATE" ? {} : (known?.subitemIds ?? {}),
          archived,
        },
        now,
      );
      await markOrders(tx, [{ stgId: row.stgId, status: "DONE", mondayItemId: itemId }]);
      log.push({
        batch_id: batchId,
        customer: customer.name,
        order_key: row.orderKey,
        board_id: board.id,
        monday_item_id: itemId,
        action: row.action,
        before_image: before ? JSON.stringify(before) : null,
        after_image: archived ? null : JSON.stringify(values),
        changed_at: now,
      });
    }
    if (log.length) await tx.insertInto("MON_ChangeLog").values(log).execute();
  });
}

/** The record step for size lines: subitem ids and quantities in the order's sync state, and the change log. */
async function recordSubitems(
  ctx: CustomerRunContext,
  counts: SyncCounts,
  rows: readonly (StagedSubitem & { parentItemId: string; parentValues: OrderSnapshot | null })[],
  outcomes: readonly WriteOutcome[],
): Promise<void> {
  const now = nowIso();
  const { customer, board, batchId } = ctx;
  await ctx.db.kysely.transaction().execute(async (tx) => {
    const states = await loadStateByKeys(tx, customer.name, [...new Set(rows.map((r) => r.orderKey))]);
    const touched = new Set<string>();
    const done: number[] = [];
    const log: NewChangeLogEntry[] = [];
    for (const [i, row] of rows.entries()) {
      const outcome = outcomes[i] ?? { ok: false, permanent: false, message: "no outcome" };
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
      if (row.action === "ARCHIVE") {
        delete state.subitemIds[row.size];
        delete state.lastValues.subitems[row.size];
        if (state.lastValues.subitemColumns) delete state.lastValues.subitemColumns[row.size];
        counts.subitemsArchived++;
      } else {
        state.subitemIds[row.size] = subitemId;
        state.lastValues.subitems[row.size] = row.quantity;
        const written = row.parentValues?.subitemColumns?.[row.size];
        if (written)
          state.lastValues.subitemColumns = { ...state.lastValues.subitemColumns, [row.size]: written };
        if (row.action === "CREATE") counts.subitemsCreated++;
        else counts.subitemsUpdated++;
      }
      touched.add(row.orderKey);
      done.push(row.stgSubId);
      log.push({
        batch_id: batchId,
        customer: customer.name,
        order_key: row.orderKey,
        board_id: board.subitems?.boardId ?? board.id,
        monday_item_id: subitemId,
        action: `SUBITEM_${row.action}`,
        before_image:
          row.action === "CREATE" ? null : JSON.stringify({ size: row.size, quantity: beforeQty }),
        after_image:
          row.action === "ARCHIVE" ? null : JSON.stringify({ size: row.size, quantity: row.quantity }),
        changed_at: now,
      });
    }
    // The subitem ids live in the sync state; the DONE rows are cleared at the end of the run.
    await markSubitems(
      tx,
      done.map((stgSubId) => ({ stgSubId, status: "DONE" as const })),
    );
    if (log.length) await tx.insertInto("MON_ChangeLog").values(log).execute();
    for (const key of touched) {
      const s = states.get(key);
      if (!s?.mondayItemId) continue;
      await saveState(
        tx,
        {
          customer: customer.name,
          orderKey: key,
          boardId: s.boardId,
          groupId: s.groupId,
          mondayItemId: s.mondayItemId,
          values: s.lastValues,
          subitemIds: s.subitemIds,
          archived: s.archived,
        },
        now,
      );
    }
  });
}
