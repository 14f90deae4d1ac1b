import type { Db } from "../db/index.js";
import { deleteStagedOrders } from "../stage/index.js";
import { releaseFixed } from "../quality/index.js";
import { dropDiscards, saveDiscard } from "../state/index.js";
import { recordActions, type ActionRecord, type ActionResult } from "./audit.js";
import { findTargets, RefusedActionError, type OrderSelector, type OrderTarget } from "./targets.js";

/** What an action did to one order: the audit row's content, and the state the order was in. */
export interface OrderOutcome {
  customer: string;
  orderKey: string;
  state: OrderTarget["state"];
  result: ActionResult;
  detail: string;
}

/** What a retry does to an order in each state (the audit's `detail`). */
const RETRY_DETAIL = {
  DEAD: "DEAD row dropped: the next sync sends the order again",
  FAILED: "FAILED: already retried by the next sync (its attempts and error carry over)",
  QUARANTINED: "quarantine record cleared: the next sync validates the order again",
  DISCARDED: "discard undone: the next sync sends the order again",
} as const;

async function retryOne(db: Db, t: OrderTarget): Promise<ActionResult> {
  if (t.state === "FAILED") return "nothing";
  if (t.state === "DEAD") await deleteStagedOrders(db.kysely, t.stgIds);
  else if (t.state === "QUARANTINED") await releaseFixed(db, t.customer, [t.orderKey]);
  else await dropDiscards(db.kysely, t.customer, [t.orderKey]);
  return "done";
}

/** The audit rows of some outcomes. */
const auditRows = (action: "retry" | "discard", actor: string, outcomes: OrderOutcome[]): ActionRecord[] =>
  outcomes.map((o) => ({
    action,
    actor,
    customer: o.customer,
    orderKey: o.orderKey,
    batchId: null,
    result: o.result,
    detail: `${o.state}: ${o.detail}`,
  }));

/**
 * Retry (issue 13 item 6): makes FAILED, DEAD, QUARANTINED and discarded orders eligible again, so the next
 * sync sends them (a DEAD row is dropped, a quarantine record cleared, a discard undone; a FAILED row is
 * retried by every run already). Unknown keys throw before anything is done; every order is audited in
 * `MON_OperatorActions` under `actor`.
 */
export async function retryOrders(db: Db, sel: OrderSelector, actor: string): Promise<OrderOutcome[]> {
  const targets = await findTargets(db, sel, {
    discarded: true,
    what: "nothing to retry, not FAILED, DEAD, QUARANTINED or discarded",
  });
  const outcomes: OrderOutcome[] = [];
  for (const t of targets) {
    const result = await retryOne(db, t);
    outcomes.push({
      customer: t.customer,
      orderKey: t.orderKey,
      state: t.state,
      result,
      detail: RETRY_DETAIL[t.state],
    });
  }
  await recordActions(db.kysely, auditRows("retry", actor, outcomes));
  return outcomes;
}

/**
 * Discard (issue 13 item 6): a DEAD order is dropped from staging and recorded in `MON_Discards`, so the sync
 * leaves it alone until its source changes; nothing on the board changes. Keys that are not DEAD throw
 * before anything is done (a FAILED order is retried by the next run, a quarantined one waits for its data).
 */
export async function discardOrders(db: Db, sel: OrderSelector, actor: string): Promise<OrderOutcome[]> {
  const targets = await findTargets(
    db,
    { ...sel, allDead: false },
    { discarded: false, what: "nothing to discard, not DEAD" },
  );
  const dead = targets.filter((t) => t.state === "DEAD");
  const other = sel.keys.filter((k) => !dead.some((t) => t.orderKey === k));
  if (other.length) {
    const states = targets
      .filter((t) => other.includes(t.orderKey))
      .map((t) => `${JSON.stringify(t.orderKey)} is ${t.state}`);
    throw new RefusedActionError(
      `only DEAD orders can be discarded: ${[...new Set(states)].join(", ")} (FAILED orders are retried by the next sync; fix a QUARANTINED order's data)`,
    );
  }
  const now = new Date().toISOString();
  const outcomes: OrderOutcome[] = [];
  for (const t of dead) {
    await saveDiscard(db.kysely, {
      customer: t.customer,
      orderKey: t.orderKey,
      batchId: t.batchId ?? "",
      hash: t.hash,
      action: t.action ?? "UPDATE",
      lastError: t.lastError,
      discardedAt: now,
    });
    await deleteStagedOrders(db.kysely, t.stgIds);
    outcomes.push({
      customer: t.customer,
      orderKey: t.orderKey,
      state: "DEAD",
      result: "done",
      detail: "discarded: the sync leaves it alone until its source changes; the board is unchanged",
    });
  }
  await recordActions(db.kysely, auditRows("discard", actor, outcomes));
  return outcomes;
}
