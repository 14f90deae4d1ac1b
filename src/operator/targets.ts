import type { Db } from "../db/index.js";

/** Which orders an action is about: keys (of any customer, or of `customers`), or every DEAD order. */
export interface OrderSelector {
  keys: readonly string[];
  customers?: readonly string[];
  /** Every DEAD order (of `customers`, when given) besides `keys`. */
  allDead?: boolean;
}

/** The state an order an operator can act on is in. */
export type TargetState = "FAILED" | "DEAD" | "QUARANTINED" | "DISCARDED";

/** One order found for an action, with what is recorded about it. */
export interface OrderTarget {
  customer: string;
  orderKey: string;
  state: TargetState;
  /** The staged rows (FAILED, DEAD). */
  stgIds: number[];
  action: string | null;
  batchId: string | null;
  hash: string | null;
  lastError: string | null;
}

/**
 * Keys no action can find, one line: `order-sync retry AAG-9` naming an order that is not FAILED, DEAD,
 * QUARANTINED or discarded. Exit 2, nothing done.
 */
export class UnknownOrderError extends Error {
  override name = "UnknownOrderError";
  readonly outcome = "config";
  constructor(
    readonly keys: readonly string[],
    what: string,
  ) {
    super(
      `${keys.length === 1 ? "order" : "orders"} ${keys.map((k) => JSON.stringify(k)).join(", ")}: ${what} (see order-sync failures)`,
    );
  }
}

/** An action that does not apply to an order's state (`discard` of a FAILED order): exit 2, nothing done. */
export class RefusedActionError extends Error {
  override name = "RefusedActionError";
  readonly outcome = "config";
}

const chunks = <T>(list: readonly T[], size = 400): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, i * size + size));

/** FAILED and DEAD staged orders among the selection. */
async function stagedTargets(db: Db, sel: OrderSelector): Promise<OrderTarget[]> {
  const base = () => {
    let q = db.kysely
      .selectFrom("STG_MON_CustMasterSchedule")
      .select([
        "stg_id",
        "customer",
        "order_key",
        "stg_status",
        "action",
        "batch_id",
        "new_hash",
        "last_error",
      ])
      .where("stg_status", "in", ["FAILED", "DEAD"]);
    if (sel.customers?.length) q = q.where("customer", "in", [...sel.customers]);
    return q;
  };
  const rows = [];
  for (const keys of chunks(sel.keys)) rows.push(...(await base().where("order_key", "in", keys).execute()));
  if (sel.allDead) rows.push(...(await base().where("stg_status", "=", "DEAD").execute()));
  const out = new Map<string, OrderTarget>();
  for (const r of rows) {
    const id = `${r.customer}\u0000${r.order_key}\u0000${r.stg_status}`;
    const t = out.get(id) ?? {
      customer: r.customer,
      orderKey: r.order_key,
      state: r.stg_status as "FAILED" | "DEAD",
      stgIds: [],
      action: r.action,
      batchId: r.batch_id,
      hash: r.new_hash,
      lastError: r.last_error,
    };
    if (!t.stgIds.includes(Number(r.stg_id))) t.stgIds.push(Number(r.stg_id));
    out.set(id, t);
  }
  return [...out.values()];
}

/** Quarantined (`MON_Quarantine`) and discarded (`MON_Discards`) orders among the keys. */
async function recordedTargets(db: Db, sel: OrderSelector, discarded: boolean): Promise<OrderTarget[]> {
  const out: OrderTarget[] = [];
  const none = { stgIds: [], action: null, batchId: null, hash: null, lastError: null };
  for (const keys of chunks(sel.keys)) {
    let q = db.kysely
      .selectFrom("MON_Quarantine")
      .select(["customer", "order_key"])
      .distinct()
      .where("order_key", "in", keys);
    if (sel.customers?.length) q = q.where("customer", "in", [...sel.customers]);
    for (const r of await q.execute())
      out.push({ customer: r.customer, orderKey: r.order_key, state: "QUARANTINED", ...none });
    if (!discarded) continue;
    let d = db.kysely.selectFrom("MON_Discards").selectAll().where("order_key", "in", keys);
    if (sel.customers?.length) d = d.where("customer", "in", [...sel.customers]);
    for (const r of await d.execute())
      out.push({
        ...none,
        customer: r.customer,
        orderKey: r.order_key,
        state: "DISCARDED",
        action: r.staged_action,
        batchId: r.batch_id,
        hash: r.discarded_hash,
        lastError: r.last_error,
      });
  }
  return out;
}

/**
 * The orders an action is about, in customer and key order; keys that match nothing throw
 * {@link UnknownOrderError} (`what` says what they are not) before anything is done.
 */
export async function findTargets(
  db: Db,
  sel: OrderSelector,
  opts: { discarded: boolean; what: string },
): Promise<OrderTarget[]> {
  const found = [...(await stagedTargets(db, sel)), ...(await recordedTargets(db, sel, opts.discarded))];
  const unknown = sel.keys.filter((k) => !found.some((t) => t.orderKey === k));
  if (unknown.length) throw new UnknownOrderError([...new Set(unknown)], opts.what);
  return found.sort(
    (a, b) =>
      a.customer.localeCompare(b.customer) ||
      (a.orderKey < b.orderKey ? -1 : a.orderKey > b.orderKey ? 1 : 0),
  );
}
