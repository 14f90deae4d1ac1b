import { RowError } from "../../detect/index.js";
import {
  mergeResults,
  quarantinedKeys,
  validateMapped,
  validateOrders,
  type ValidationContext,
  type ValidationResult,
} from "../../quality/index.js";
import type { NewStagedOrder } from "../../stage/index.js";
import type { SyncStateRow } from "../../state/index.js";
import type { CustomerRunContext } from "../customer-context.js";
import type { DetectedOrder, PendingChange } from "./detect.js";

/** The validate step's result for one page. */
export interface ValidateResult {
  /** The rules' findings for the page's changed orders. */
  result: ValidationResult;
  /** Changes that passed, for the stage step. */
  changes: PendingChange[];
  /** Orders with ERRORs (or unmappable), as QUARANTINED staging rows with their reasons. */
  quarantined: NewStagedOrder[];
  counts: { quarantined: number };
}

const isError = (severity: string) => severity === "ERROR" || severity === "CRITICAL";

/**
 * The data-quality context of a customer's run, with the orders quarantined before it (left out of the
 * ERROR share), and the customer-level result (board configured, mapping resolved) it starts from.
 */
export async function startValidation(
  ctx: CustomerRunContext,
): Promise<{ quality: ValidationContext; first: ValidationResult }> {
  const { settings, db, board, customer } = ctx;
  const src = settings.config.source;
  const quality: ValidationContext = {
    customer: customer.name,
    board,
    config: settings.config.quality,
    keyColumn: src.keyColumn,
    customerColumn: src.customerColumn,
    groupTemplate: customer.group,
    previouslyQuarantined: await quarantinedKeys(db, customer.name),
  };
  return { quality, first: validateOrders([], quality) };
}

/** A staging row that records why an order is quarantined; it is never sent. */
function quarantineRow(
  ctx: CustomerRunContext,
  orderKey: string,
  reasons: readonly { column: string | null; message: string }[],
  state: SyncStateRow | undefined,
): NewStagedOrder {
  return {
    batchId: ctx.batchId,
    customer: ctx.customer.name,
    orderKey,
    boardId: ctx.board.id,
    action: state && !state.archived ? "UPDATE" : "CREATE",
    status: "QUARANTINED",
    itemName: null,
    groupTitle: null,
    columnValues: {},
    changedColumns: [...new Set(reasons.map((r) => r.column ?? ""))].filter(Boolean),
    newHash: null,
    newValues: null,
    mondayItemId: state?.mondayItemId ?? null,
    lastError: reasons.map((r) => r.message).join("; "),
  };
}

/**
 * Step 4, validate: the data-quality rules over the orders detect found changed (only those would be
 * staged), reading the values detect mapped. Orders with ERRORs, or that could not be mapped, are quarantined with their reasons; the rest
 * pass. A halt is in `result.halt`: the caller's sink decides what it means.
 */
export function validateChanges(
  ctx: CustomerRunContext,
  quality: ValidationContext,
  detected: readonly DetectedOrder[],
): ValidateResult {
  const result = validateMapped(
    detected.map((d) => d.mapped),
    quality,
  );
  const out: ValidateResult = { result, changes: [], quarantined: [], counts: { quarantined: 0 } };
  for (const d of detected) {
    const issues = (result.byOrder.get(d.orderKey) ?? []).filter(
      (i) => result.action(d.orderKey) === "QUARANTINE" && isError(i.severity),
    );
    if (issues.length > 0 || d.change instanceof RowError) {
      out.counts.quarantined++;
      const reasons = issues.length
        ? issues
        : [{ column: (d.change as RowError).column, message: (d.change as RowError).message }];
      out.quarantined.push(quarantineRow(ctx, d.orderKey, reasons, d.state));
      continue;
    }
    out.changes.push(d.change as PendingChange);
  }
  return out;
}

/** The customer's whole validation: the pages' results merged (the share of ERRORs is judged on it). */
export function finishValidation(
  results: readonly ValidationResult[],
  quality: ValidationContext,
): ValidationResult {
  return mergeResults(results, quality);
}
