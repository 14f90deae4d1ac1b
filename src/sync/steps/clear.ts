import { clearDone as clearDoneRows } from "../../stage/index.js";
import type { CustomerRunContext } from "../customer-context.js";

/**
 * Step 8, clear: the customer's DONE staging rows are deleted (monday and the sync state both hold their
 * result now). FAILED rows stay for the next run, DEAD ones until an operator acts.
 */
export async function clearDone(
  ctx: Pick<CustomerRunContext, "db" | "customer">,
): Promise<{ cleared: number }> {
  return { cleared: await clearDoneRows(ctx.db, ctx.customer.name) };
}
