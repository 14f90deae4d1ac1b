import type { StrayRows } from "../source/index.js";
import type { Issue, ValidationContext, ValidationResult } from "./types.js";
import { issuesResult, severityOf } from "./validate.js";
import { quote } from "./values.js";

/**
 * The `MON_Quarantine.order_key` of a customer's orders with a NULL key: one record for all of them (they
 * have no key to be told apart by), with their count and a few of their values in the message.
 */
export const NULL_KEY_ORDER = "(NULL)";

/** The rules of {@link strayResult}: their quarantine rows are replaced as a set on every run. */
export const STRAY_RULES = ["order-key-null", "customer-name"] as const;

/** `PO NUMBER "PO-1", STYLE "Tee"`: a row's non-empty values besides the key and customer. */
function describeRow(row: Readonly<Record<string, unknown>>, skip: readonly string[]): string {
  const parts = Object.entries(row)
    .filter(([k, v]) => !skip.includes(k) && v !== null && v !== undefined && v !== "")
    .slice(0, 4)
    .map(([k, v]) => `${k} ${quote(v, 40)}`);
  return parts.join(", ") || "no other values";
}

function nullKeyIssue(stray: StrayRows, ctx: ValidationContext): Issue | undefined {
  const { count, samples } = stray.nullKey;
  if (count === 0) return undefined;
  const skip = [ctx.keyColumn, ctx.customerColumn ?? ""];
  const seen = samples.map((r) => `(${describeRow(r, skip)})`).join("; ");
  return {
    orderKey: NULL_KEY_ORDER,
    customer: ctx.customer,
    rule: "order-key-null",
    severity: severityOf(ctx.config, "order-key-null"),
    column: ctx.keyColumn,
    value: null,
    message: `${count} open order${count === 1 ? "" : "s"} of customer ${quote(ctx.customer)} ha${count === 1 ? "s" : "ve"} a NULL [${ctx.keyColumn}] and cannot be synced: ${seen}${count > samples.length ? "; …" : ""}`,
  };
}

function spacedIssues(stray: StrayRows, ctx: ValidationContext): Issue[] {
  const column = ctx.customerColumn ?? "";
  return stray.spaced.rows.map((row, i) => ({
    orderKey: stray.spaced.keys[i]!,
    customer: ctx.customer,
    rule: "customer-name",
    severity: severityOf(ctx.config, "customer-name"),
    column,
    value: row[column],
    message: `[${column}] is ${quote(row[column])}, with spaces around the customer's name ${quote(ctx.customer)}: no customer is named that, so the order is not synced until the spaces are removed`,
  }));
}

/**
 * The issues of a customer's stray rows (issue 12: rows the read skips, once without a word): one
 * `order-key-null` ERROR for its orders with a NULL key, and a `customer-name` ERROR per order whose
 * customer column has spaces around the customer's name. Quarantined like any ERROR order.
 */
export function strayResult(stray: StrayRows, ctx: ValidationContext): ValidationResult {
  const issues = [nullKeyIssue(stray, ctx), ...spacedIssues(stray, ctx)].filter(
    (i): i is Issue => i !== undefined,
  );
  return issuesResult(
    ctx.customer,
    issues,
    issues.map((i) => i.orderKey!),
    ctx,
  );
}
