import { hostname, userInfo } from "node:os";
import type { Kysely, Transaction } from "kysely";
import {
  limitRows,
  type Database,
  type Db,
  type OperatorActionName,
  type OperatorActionRow,
} from "../db/index.js";

type Executor = Kysely<Database> | Transaction<Database>;

/** How an action ended: done, nothing to do, not allowed for that row, or failed. */
export type ActionResult = "done" | "nothing" | "refused" | "failed";

/** One row of `MON_OperatorActions`, as the operator module writes it. */
export interface ActionRecord {
  action: OperatorActionName;
  actor: string;
  customer: string | null;
  orderKey: string | null;
  batchId: string | null;
  result: ActionResult;
  detail: string;
}

/** The CLI's actor: `cli:<os user>@<host>`. */
export function cliActor(): string {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? "unknown";
  }
  return `cli:${user}@${hostname()}`;
}

const CHUNK = 200; // 200 rows × 8 values stay under SQL Server's 2,100 parameters

/** Appends actions to the audit (`MON_OperatorActions`), stamped now. */
export async function recordActions(db: Executor, records: readonly ActionRecord[]): Promise<void> {
  const at = new Date().toISOString();
  for (let i = 0; i < records.length; i += CHUNK)
    await db
      .insertInto("MON_OperatorActions")
      .values(
        records.slice(i, i + CHUNK).map((r) => ({
          action: r.action,
          actor: r.actor.slice(0, 255),
          customer: r.customer,
          order_key: r.orderKey,
          batch_id: r.batchId,
          result: r.result,
          detail: r.detail,
          acted_at: at,
        })),
      )
      .execute();
}

/** The newest audited actions (of one order, when given), newest first. */
export async function recentActions(
  db: Db,
  opts: { limit: number; customer?: string; orderKey?: string },
): Promise<OperatorActionRow[]> {
  let q = db.kysely.selectFrom("MON_OperatorActions").selectAll();
  if (opts.customer !== undefined) q = q.where("customer", "=", opts.customer);
  if (opts.orderKey !== undefined) q = q.where("order_key", "=", opts.orderKey);
  return limitRows(db.dialect, q.orderBy("action_id", "desc"), opts.limit).execute();
}
