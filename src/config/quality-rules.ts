/** How bad a data-quality issue is, lowest first (INFO and WARNING rows sync, ERROR rows are quarantined, CRITICAL halts). */
export const SEVERITIES = ["INFO", "WARNING", "ERROR", "CRITICAL"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Whether `a` is at least as bad as `b`. */
export function atLeast(a: Severity, b: Severity): boolean {
  return SEVERITIES.indexOf(a) >= SEVERITIES.indexOf(b);
}

/**
 * The built-in rules as data: id, default severity, and the lowest severity the config may give them.
 * Rules whose failure means the value cannot be written to monday.com (or stored) at all have a floor of
 * ERROR: synced anyway, such a row would fail in the mapper or be rejected by monday, so it must stay
 * quarantined. Customer-level rules (no board, broken mapping) always halt.
 */
export const BUILT_IN_RULES = {
  required: {
    severity: "ERROR",
    floor: "INFO",
    description: "a required source column is empty",
  },
  "order-key": {
    severity: "ERROR",
    floor: "ERROR",
    description: "the order number is empty, longer than 255 characters, or holds control characters",
  },
  "order-key-null": {
    severity: "ERROR",
    floor: "ERROR",
    description: "open orders of the customer have a NULL order number: they cannot be synced or matched",
  },
  "customer-name": {
    severity: "ERROR",
    floor: "ERROR",
    description:
      "the customer column has leading or trailing spaces, so the order belongs to no customer as it is",
  },
  "value-type": {
    severity: "ERROR",
    floor: "ERROR",
    description: "the value cannot be written to its column's type",
  },
  "number-invalid": {
    severity: "ERROR",
    floor: "ERROR",
    description: "a numbers column holds something that is not a finite number, or an integer beyond 2^53",
  },
  "number-negative": {
    severity: "ERROR",
    floor: "INFO",
    description: "a number is negative",
  },
  "quantity-integer": {
    severity: "ERROR",
    floor: "INFO",
    description: "a quantity is not a whole number",
  },
  "date-invalid": {
    severity: "ERROR",
    floor: "ERROR",
    description: "a date is not a real calendar date (YYYY-MM-DD)",
  },
  "date-range": {
    severity: "ERROR",
    floor: "ERROR",
    description: "a date's year is outside the configured range",
  },
  "item-name": {
    severity: "ERROR",
    floor: "ERROR",
    description: "the item name template renders empty, over 255 characters, or names a missing column",
  },
  "group-name": {
    severity: "ERROR",
    floor: "ERROR",
    description: "the group title template cannot be rendered",
  },
  "long-text-length": {
    severity: "ERROR",
    floor: "ERROR",
    description: "a long text is over monday's 2,000 characters",
  },
  "text-length": {
    severity: "ERROR",
    floor: "ERROR",
    description:
      "a text column's value is longer than quality.maxTextLength (order-sync's guard; monday documents no limit)",
  },
  "text-encoding": {
    severity: "ERROR",
    floor: "ERROR",
    description:
      "text holds NUL, unpaired surrogates or U+FFFD (invalid UTF-8 in the source), which cannot be stored or sent as they are",
  },
  "text-control-chars": {
    severity: "WARNING",
    floor: "INFO",
    description: "text holds control characters other than newline and tab",
  },
  "total-qty-sum": {
    severity: "ERROR",
    floor: "INFO",
    description: "TOTAL QTY is not the sum of the SIZE_* columns",
  },
  "order-qty-total": {
    severity: "WARNING",
    floor: "INFO",
    description: "ORDER QTY differs from TOTAL QTY",
  },
  "delivery-before-ex-factory": {
    severity: "ERROR",
    floor: "INFO",
    description: "DELIVERY DATE is before EX FACTORY DATE",
  },
  "unknown-label": {
    severity: "ERROR",
    floor: "ERROR",
    description: "a status or dropdown value is not a label of the board column (and labels are not created)",
  },
  "duplicate-order": {
    severity: "ERROR",
    floor: "ERROR",
    description: "the same order number appears more than once in the batch",
  },
  "board-configured": {
    severity: "CRITICAL",
    floor: "CRITICAL",
    description: "the customer has no board configured",
  },
  "column-mapping": {
    severity: "CRITICAL",
    floor: "CRITICAL",
    description: "a mapped column is missing from the board or has another type",
  },
} as const satisfies Record<string, { severity: Severity; floor: Severity; description: string }>;

/** Ids of the built-in rules, e.g. `total-qty-sum`. */
export type BuiltInRuleId = keyof typeof BUILT_IN_RULES;
export const BUILT_IN_RULE_IDS = Object.keys(BUILT_IN_RULES) as BuiltInRuleId[];

/** Whether a name is a built-in rule id. */
export function isBuiltInRule(id: string): id is BuiltInRuleId {
  return Object.hasOwn(BUILT_IN_RULES, id);
}
