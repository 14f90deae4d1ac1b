import type { OrderSnapshot } from "../../detect/index.js";
import { deleteStaged, leftoverRows, type StagedOrder, type StagedSubitem } from "../../stage/index.js";
import { loadStateByKeys, saveState, type SyncStateRow } from "../../state/index.js";
import type { CustomerRunContext } from "../customer-context.js";
import type { FoundItem } from "../port.js";

/**
 * What earlier runs left staged: DEAD rows' hashes (not resent while the order is unchanged), and the
 * attempts and last error of FAILED rows, carried into the rows this run stages for the same orders.
 */
export interface Leftovers {
  dead: Map<string, string | null>;
  failed: Map<string, { attempts: number; lastError: string | null }>;
}

/** Nothing left over: what `plan` starts from. */
export const noLeftovers = (): Leftovers => ({ dead: new Map(), failed: new Map() });

/** The reconcile step's result: the leftovers for the stage step, and how many items were adopted. */
export interface ReconcileResult {
  leftovers: Leftovers;
  counts: { adopted: number };
}

type SizeLine = { size: string; quantity: string | null };

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

/** The size lines staged as creates, by order key and subitem name (how monday shows them). */
function sizeLinesByName(subitems: readonly StagedSubitem[]): Map<string, Map<string, SizeLine>> {
  const byOrder = new Map<string, Map<string, SizeLine>>();
  for (const s of subitems)
    if (s.action === "CREATE" && s.itemName) {
      const byName = byOrder.get(s.orderKey) ?? new Map<string, SizeLine>();
      byName.set(s.itemName, { size: s.size, quantity: s.quantity });
      byOrder.set(s.orderKey, byName);
    }
  return byOrder;
}

/**
 * What monday holds for a found item: the state's record of it or, for an item the state does not know
 * yet, the values of the staged create that made it (monday applies a create whole or not at all), with
 * the size lines found under it.
 */
function adoptedValues(
  item: FoundItem,
  same: SyncStateRow | undefined,
  create: StagedOrder | undefined,
  lines: Map<string, SizeLine> | undefined,
): { values: OrderSnapshot | null; subitemIds: Record<string, string> } {
  const base = same ? same.lastValues : (create?.newValues ?? null);
  const subitemIds: Record<string, string> = { ...(same?.subitemIds ?? {}) };
  const quantities: Record<string, string | null> = { ...(same?.lastValues?.subitems ?? {}) };
  for (const sub of item.subitems) {
    const line = lines?.get(sub.name);
    if (!line || subitemIds[line.size]) continue;
    subitemIds[line.size] = sub.id;
    quantities[line.size] = line.quantity;
  }
  const values: OrderSnapshot | null = base
    ? {
        ...base,
        subitems: Object.fromEntries(Object.keys(subitemIds).map((size) => [size, quantities[size] ?? null])),
        ...(base.subitemColumns && {
          subitemColumns: Object.fromEntries(
            Object.keys(subitemIds)
              .filter((size) => base.subitemColumns?.[size])
              .map((size) => [size, base.subitemColumns![size]!]),
          ),
        }),
      }
    : null;
  return { values, subitemIds };
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
 * dropped: this run's detection stages afresh what is still needed.
 */
export async function reconcileLeftovers(ctx: CustomerRunContext): Promise<ReconcileResult> {
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
  return {
    leftovers: { dead: new Map(dead.map((o) => [o.orderKey, o.newHash])), failed },
    counts: { adopted },
  };
}
