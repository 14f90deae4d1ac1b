import type { MappingError, ResolvedBoard, LiveBoard } from "../mapping/index.js";
import type { BuiltInRuleId, QualityConfig } from "../config/index.js";
import type { OrderAction, Severity } from "./severity.js";

/** One data-quality finding about one order (or, with `orderKey` null, about the customer's board). */
export interface Issue {
  /** The order number; null for customer-level issues (no board, broken mapping). */
  orderKey: string | null;
  customer: string;
  /** A built-in rule id (e.g. `total-qty-sum`) or a user rule's name. */
  rule: BuiltInRuleId | (string & {});
  severity: Severity;
  /** The source column the issue is about, or null. */
  column: string | null;
  /** The offending raw value, as the source returned it. */
  value: unknown;
  message: string;
}

/** Why detect could not map a row (a value or template column it cannot write): the column and the reason. */
export interface Unmappable {
  column: string | null;
  message: string;
  value?: unknown;
}

/** Why a customer's run stops before anything is staged. */
export interface Halt {
  reason: string;
  /** The rule that halted, or `error-share` when too many orders have ERRORs. */
  rule: string;
}

/** Everything {@link validateOrders} needs besides the rows. */
export interface ValidationContext {
  /** The customer's name (the value of the source's customer column). */
  customer: string;
  /**
   * The customer's board: resolved, or the `MappingError` resolving it threw (a CRITICAL
   * `column-mapping` issue), or undefined when no board is configured (CRITICAL `board-configured`).
   */
  board: ResolvedBoard | MappingError | undefined;
  config: QualityConfig;
  /** The source's key column, e.g. `AAG ORDER NUMBER`. */
  keyColumn: string;
  /** The source's customer column, e.g. `CUSTOMER` (always required when given). */
  customerColumn?: string;
  /** The customer's group title template, e.g. `{SEASON}` (checked like the item name). */
  groupTemplate?: string;
  /** The live board now; when given, the resolved mapping is checked against it again (drift). */
  liveBoard?: LiveBoard;
  /**
   * Orders already quarantined before this run: left out of the ERROR share, so a backlog of known bad
   * orders re-validated every run does not halt the customer by itself.
   */
  previouslyQuarantined?: ReadonlySet<string>;
}

/** Issues a result counted but does not list (see `ValidationTally`): per rule and severity. */
export interface UnlistedIssues {
  rule: string;
  severity: Severity;
  count: number;
}

/** The outcome of validating one customer's rows. */
export interface ValidationResult {
  customer: string;
  /** Rows validated. */
  rows: number;
  /** Orders validated (distinct order numbers). */
  orders: number;
  /**
   * Every issue, in row order (customer-level issues first); in a customer's result merged by
   * `ValidationTally`, those of quarantined orders and the first `LISTED_ISSUES` others.
   */
  issues: Issue[];
  /** Issues counted but not in `issues` (a `ValidationTally`'s beyond its listing limit); absent when none. */
  unlisted?: UnlistedIssues[];
  /** Issues per order number (orders without issues are absent). */
  byOrder: Map<string, Issue[]>;
  /**
   * Order numbers validated, in row order, without repeats; in a customer's result merged by
   * `ValidationTally`, only those the quarantine store needs (quarantined now, or before the run).
   */
  orderKeys: string[];
  /** What to do with an order: its worst issue's action; SYNC for clean or unknown orders. */
  action(orderKey: string): OrderAction;
  /** Orders per action. */
  counts: Record<OrderAction, number>;
  /** Set when the customer must not be staged at all (CRITICAL, or too many ERROR orders). */
  halt: Halt | null;
}
