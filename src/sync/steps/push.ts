import { createHash } from "node:crypto";
import type { OrderSnapshot } from "../../detect/index.js";
import {
  claimOrders,
  claimSubitems,
  markOrders,
  markSubitems,
  type StagedOrder,
  type StagedSubitem,
} from "../../stage/index.js";
import type { BoardLocks } from "../board-locks.js";
import type { GroupDirectory } from "../group-directory.js";
import type { CustomerRunContext, SharedBoards } from "../customer-context.js";
import { errorMessage, MondayUnavailableError, StoppedError } from "../errors.js";
import type { WriteOp, WriteOutcome } from "../port.js";

/** A claimed size line with its parent's item id and the values staged for the parent. */
export type ClaimedSubitem = StagedSubitem & { parentItemId: string; parentValues: OrderSnapshot | null };

/** One answered request's rows and their outcomes, in order: what the record step records. */
export type SentRound =
  | { kind: "orders"; rows: StagedOrder[]; outcomes: WriteOutcome[] }
  | { kind: "subitems"; rows: ClaimedSubitem[]; outcomes: WriteOutcome[] };

/** Ops for one staged order. */
export async function opsForOrder(
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
    case "DELETE":
      return [{ kind: "delete_item", itemId: row.mondayItemId ?? "" }];
  }
}

/** Ops for one claimed size line. */
export function opsForSubitem(ctx: CustomerRunContext, row: ClaimedSubitem): WriteOp[] {
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
    case "DELETE":
      return [{ kind: "delete_item", itemId: row.mondaySubitemId ?? "" }];
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

/** Where the next request ends: whole rows only, at most `batchSize` ops (one row may exceed it alone). */
function requestEnd(rows: readonly WriteOp[][], start: number, batchSize: number): number {
  let end = start;
  let size = 0;
  while (end < rows.length && (end === start || size + (rows[end]?.length ?? 0) <= batchSize))
    size += rows[end++]?.length ?? 0;
  return end;
}

/**
 * Sends a list of per-row op groups in aliased requests of at most `batchSize` ops, under the board's
 * write lock (monday: no concurrent mutations to one board). Returns one outcome per row.
 * A whole-request failure is returned as a failed outcome for each of its rows.
 */
export async function sendRows(
  ctx: CustomerRunContext,
  locks: BoardLocks,
  rows: readonly WriteOp[][],
  rowIds: readonly string[],
): Promise<WriteOutcome[]> {
  const batchSize = ctx.monday.maxOpsPerRequest ?? ctx.settings.config.sync.batchSize;
  const results: WriteOutcome[] = [];
  for (let start = 0, end = 0; start < rows.length; start = end) {
    end = requestEnd(rows, start, batchSize);
    const slice = rows.slice(start, end);
    const flat = slice.flat();
    let outcomes: WriteOutcome[];
    try {
      // One key per request, derived from its staged rows: a retry of it is replayed, never executed twice.
      const key = idempotencyKey(ctx.batchId, rowIds.slice(start, end));
      outcomes = flat.length === 0 ? [] : await locks.run(ctx.board.id, () => ctx.monday.write(flat, key));
    } catch (e) {
      if (e instanceof MondayUnavailableError) throw e;
      // The whole request failed (e.g. a 5xx or a timeout): every row in it stays for the next attempt.
      const message = errorMessage(e);
      outcomes = flat.map(() => ({ ok: false, permanent: false, message }));
    }
    let at = 0;
    for (const ops of slice) {
      results.push(combine(outcomes.slice(at, at + ops.length)));
      at += ops.length;
    }
  }
  return results;
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
    const error = errorMessage(e);
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

const stopIfAborted = (ctx: CustomerRunContext): void => {
  if (ctx.signal?.aborted) throw new StoppedError(ctx.signal.reason);
};

/**
 * Step 6, push: the customer's staged orders, then their size lines (subitems after their parents), one
 * request's worth of rows per claim. Each answered round is yielded to be recorded before the next claim,
 * so a crash loses at most one request. Stops between rounds when the run is aborted.
 */
export async function* pushStaged(ctx: CustomerRunContext, shared: SharedBoards): AsyncGenerator<SentRound> {
  const claimSize = ctx.monday.maxOpsPerRequest ?? ctx.settings.config.sync.batchSize;
  const { groups, locks } = shared;
  for (;;) {
    stopIfAborted(ctx);
    const rows = await claimOrders(ctx.db, ctx.customer.name, ctx.batchId, claimSize);
    if (rows.length === 0) break;
    const outcomes = await guard(ctx, rows, async () => {
      const ops = await Promise.all(rows.map((r) => opsForOrder(ctx, groups, r)));
      return sendRows(
        ctx,
        locks,
        ops,
        rows.map((r) => `o${r.stgId}`),
      );
    });
    yield { kind: "orders", rows, outcomes };
  }
  for (;;) {
    stopIfAborted(ctx);
    const rows = await claimSubitems(ctx.db, ctx.customer.name, ctx.batchId, claimSize);
    if (rows.length === 0) break;
    // Subitems are written under the parent board's lock: they change the parent items too.
    const outcomes = await guard(ctx, rows, () =>
      sendRows(
        ctx,
        locks,
        rows.map((r) => opsForSubitem(ctx, r)),
        rows.map((r) => `s${r.stgSubId}`),
      ),
    );
    yield { kind: "subitems", rows, outcomes };
  }
}
