import type { Db } from "../db/index.js";
import { errorMessage } from "../errors/index.js";
import { runRollback, type RollbackOptions, type RollbackSummary } from "../rollback/index.js";
import { releaseHolds, type HoldFilter } from "../state/index.js";
import type { SyncDeps } from "../sync/index.js";
import { recordActions, type ActionRecord } from "./audit.js";

/** One order whose rollback hold ended. */
export interface ReleasedHold {
  customer: string;
  orderKey: string;
  batchId: string;
}

/**
 * Release (issue 15's holds, audited): ends the rollback holds the filter matches (every filter given must
 * match; none: every hold), one audit row per order; returns the orders released.
 */
export async function releaseHeld(db: Db, filter: HoldFilter, actor: string): Promise<ReleasedHold[]> {
  let q = db.kysely.selectFrom("MON_RollbackHolds").select(["customer", "order_key", "batch_id"]);
  if (filter.customers?.length) q = q.where("customer", "in", [...filter.customers]);
  if (filter.orders?.length) q = q.where("order_key", "in", [...filter.orders]);
  if (filter.batchId !== undefined) q = q.where("batch_id", "=", filter.batchId);
  if (filter.rollbackBatchId !== undefined) q = q.where("rollback_batch_id", "=", filter.rollbackBatchId);
  const held = await q.execute();
  await releaseHolds(db.kysely, filter);
  await recordActions(
    db.kysely,
    held.map((h) => ({
      action: "release",
      actor,
      customer: h.customer,
      orderKey: h.order_key,
      batchId: h.batch_id,
      result: "done",
      detail: `hold of the rollback of batch ${h.batch_id} ended: the next sync sends the order again`,
    })),
  );
  return held.map((h) => ({ customer: h.customer, orderKey: h.order_key, batchId: h.batch_id }));
}

/** The audit rows of a rollback: one per order put back, one per conflict kept, or one saying nothing changed. */
function rollbackRows(s: RollbackSummary, actor: string): ActionRecord[] {
  const base = { action: "rollback" as const, actor, batchId: s.target };
  const rows: ActionRecord[] = s.undo.map((u) => ({
    ...base,
    customer: u.customer,
    orderKey: u.orderKey,
    result: "done",
    detail: `${u.action} in rollback batch ${s.batchId ?? "-"}`,
  }));
  for (const c of s.conflicts)
    rows.push({
      ...base,
      customer: c.customer,
      orderKey: c.orderKey,
      result: c.forced ? "done" : "refused",
      detail: `conflict in ${c.column}: the board holds ${JSON.stringify(c.board)} (changed by ${c.changedBy}); ${c.forced ? "overridden" : "kept"}`,
    });
  if (rows.length === 0)
    rows.push({
      ...base,
      customer: null,
      orderKey: null,
      result: "nothing",
      detail: `nothing to put back (${s.alreadyUndone} orders already as before the batch)`,
    });
  return rows;
}

/** Records rollbacks run elsewhere (`rollback --to`) in the audit; dry runs are not recorded. Returns them. */
export async function recordRollback(
  db: Db,
  summaries: RollbackSummary[],
  actor: string,
): Promise<RollbackSummary[]> {
  for (const s of summaries) if (!s.dryRun) await recordActions(db.kysely, rollbackRows(s, actor));
  return summaries;
}

/**
 * Rollback (issue 15's engine, audited): a dry run is not recorded; a rollback is, order by order, and a
 * rollback that throws leaves one `failed` row with its message before the error goes on.
 */
export async function rollbackBatch(
  deps: SyncDeps,
  options: RollbackOptions,
  actor: string,
): Promise<RollbackSummary> {
  if (options.dryRun) return runRollback(deps, options);
  try {
    const summary = await runRollback(deps, options);
    await recordActions(deps.db.kysely, rollbackRows(summary, actor));
    return summary;
  } catch (e) {
    await recordActions(deps.db.kysely, [
      {
        action: "rollback",
        actor,
        customer: null,
        orderKey: null,
        batchId: options.batchId,
        result: "failed",
        detail: errorMessage(e).slice(0, 4000),
      },
    ]).catch(() => undefined);
    throw e;
  }
}
