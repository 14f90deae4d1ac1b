import { deleteStaged, leftoverRows, type StagedOrder, type StagedSubitem } from "../../stage/index.js";
import { loadDiscards, loadStateByKeys, saveState } from "../../state/index.js";
import type { CustomerRunContext, SharedBoards } from "../customer-context.js";
import { adoptedValues, sizeLinesByName } from "./adopt.js";
import { checkBoard, type BoardCheck } from "./board-match.js";

/**
 * What earlier runs left staged: DEAD rows' hashes (not resent while the order is unchanged), and the
 * attempts and last error of FAILED rows, carried into the rows this run stages for the same orders.
 */
export interface Leftovers {
  dead: Map<string, string | null>;
  /** Orders an operator discarded (`MON_Discards`): the hash of the change that went DEAD (null: an archive). */
  discarded: Map<string, string | null>;
  failed: Map<string, { attempts: number; lastError: string | null }>;
}

/** Nothing left over: what `plan` starts from. */
export const noLeftovers = (): Leftovers => ({ dead: new Map(), discarded: new Map(), failed: new Map() });

/**
 * The reconcile step's result: the leftovers for the stage step, how many items were adopted, and the
 * board compared with the sync state (for matching NEW orders by key before the push).
 */
export interface ReconcileResult {
  leftovers: Leftovers;
  counts: { adopted: number };
  board: BoardCheck;
}

/** A create whose outcome is unknown: in flight at a crash, or attempted and not known to have failed. */
const uncertain = (s: { status: string; attempts: number; action: string }): boolean =>
  s.action === "CREATE" &&
  (s.status === "IN_FLIGHT" || ((s.status === "FAILED" || s.status === "PENDING") && s.attempts > 0));

/** The keys of orders whose item or size line may exist on monday without the sync state knowing. */
function uncertainKeys(orders: readonly StagedOrder[], subitems: readonly StagedSubitem[]): Set<string> {
  const keys = new Set<string>();
  for (const o of orders) if (uncertain(o)) keys.add(o.orderKey);
  for (const s of subitems) if (uncertain(s)) keys.add(s.orderKey);
  return keys;
}

/** Looks the uncertain creates up on the board by key and adopts the items found; returns how many. */
async function adoptFound(
  ctx: CustomerRunContext,
  keys: Set<string>,
  orders: readonly StagedOrder[],
  subitems: readonly StagedSubitem[],
): Promise<number> {
  const { db, monday, board, customer } = ctx;
  const creates = new Map(orders.filter((o) => o.action === "CREATE").map((o) => [o.orderKey, o]));
  const lines = sizeLinesByName(subitems);
  const found = await monday.findItemsByKey(board.id, board.keyColumn.id, [...keys]);
  const states = await loadStateByKeys(db.kysely, customer.name, [...keys]);
  for (const item of found) {
    const known = states.get(item.key);
    const same = known?.mondayItemId === item.id ? known : undefined;
    const { values, subitemIds } = adoptedValues(item, same, creates.get(item.key), lines.get(item.key));
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
    ctx.events.emit("adopted", { customer: customer.name, orderKey: item.key, itemId: item.id });
  }
  return found.length;
}

/**
 * Step 1, reconcile: rows left staged by an earlier run. Creates whose outcome is unknown (IN_FLIGHT after
 * a crash, or FAILED/attempted) are looked up on the board by the key column and the items found are
 * adopted into the sync state, so they are never created twice. Then every leftover row but DEAD ones is
 * dropped: this run's detection stages afresh what is still needed. Last, the board is compared with the
 * sync state ({@link checkBoard}): orders whose item is gone from the board lose their state (and are
 * created again).
 */
export async function reconcileLeftovers(
  ctx: CustomerRunContext,
  shared?: Pick<SharedBoards, "itemCounts" | "locks">,
): Promise<ReconcileResult> {
  const { db, customer } = ctx;
  const { orders, subitems } = await leftoverRows(db, customer.name);
  const keys = uncertainKeys(orders, subitems);
  const adopted = keys.size > 0 ? await adoptFound(ctx, keys, orders, subitems) : 0;
  const dead = orders.filter((o) => o.status === "DEAD");
  await deleteStaged(
    db,
    customer.name,
    dead.map((o) => o.stgId),
  );
  const failed = new Map<string, { attempts: number; lastError: string | null }>();
  for (const o of orders)
    if (o.status === "FAILED") failed.set(o.orderKey, { attempts: o.attempts, lastError: o.lastError });
  const discarded = new Map(
    [...(await loadDiscards(db.kysely, customer.name)).values()].map((d) => [d.orderKey, d.hash]),
  );
  return {
    leftovers: { dead: new Map(dead.map((o) => [o.orderKey, o.newHash])), discarded, failed },
    counts: { adopted },
    board: await checkBoard(ctx, shared),
  };
}
