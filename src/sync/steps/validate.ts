import { RowError } from "../../detect/index.js";
import {
  quarantinedKeys,
  validateMapped,
  validateOrders,
  type Unmappable,
  type ValidationContext,
  type ValidationResult,
} from "../../quality/index.js";
import type { CustomerRunContext } from "../customer-context.js";
import type { DetectedOrder, PendingChange } from "./detect.js";

/** An order held back by validation: its key, the columns at fault, and the reasons. */
export interface QuarantinedOrder {
  orderKey: string;
  columns: string[];
  reason: string;
}

/** The validate step's result for one page. */
export interface ValidateResult {
  /** The rules' findings for the page's changed orders. */
  result: ValidationResult;
  /** Changes that passed, for the stage step. */
  changes: PendingChange[];
  /** Orders with ERRORs (or unmappable): held back; their reasons go to `MON_Quarantine` at the sink's finish. */
  quarantined: QuarantinedOrder[];
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

/** Why detect could not map an order, as validation reports it. */
export const unmappableOf = (change: unknown): Unmappable | undefined =>
  change instanceof RowError
    ? { column: change.column, message: change.message, value: change.value }
    : undefined;

/**
 * Step 4, validate: the data-quality rules over the orders detect found changed (only those would be
 * staged), reading the values detect mapped. Orders with ERRORs, or that could not be mapped, are held
 * back (quarantined) with their reasons; the rest pass. A halt is in `result.halt`: the caller's sink decides what it means.
 */
export function validateChanges(
  quality: ValidationContext,
  detected: readonly DetectedOrder[],
): ValidateResult {
  const result = validateMapped(
    detected.map((d) => d.mapped),
    quality,
    detected.map((d) => unmappableOf(d.change)),
  );
  const out: ValidateResult = { result, changes: [], quarantined: [], counts: { quarantined: 0 } };
  for (const d of detected) {
    if (result.action(d.orderKey) === "QUARANTINE") {
      const issues = (result.byOrder.get(d.orderKey) ?? []).filter((i) => isError(i.severity));
      out.counts.quarantined++;
      out.quarantined.push({
        orderKey: d.orderKey,
        columns: [...new Set(issues.map((i) => i.column ?? ""))].filter(Boolean),
        reason: issues.map((i) => i.message).join("; "),
      });
      continue;
    }
    // validateMapped gives every unmappable row an ERROR, so only changes are left here.
    out.changes.push(d.change as PendingChange);
  }
  return out;
}
