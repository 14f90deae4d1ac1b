import { BUILT_IN_RULES, type BuiltInRuleId, type QualityConfig } from "../config/index.js";
import { MappedRow } from "../mapping/index.js";
import { compileUserRules } from "./conditions.js";
import { BATCH_RULES, BOARD_RULES, planBatch, ROW_RULES, RowView } from "./rules.js";
import { atLeast, SEVERITY_EFFECTS, worst, type OrderAction, type Severity } from "./severity.js";
import type { Halt, Issue, Unmappable, ValidationContext, ValidationResult } from "./types.js";

type Row = Readonly<Record<string, unknown>>;

/** The order number of a row, the way the sync derives it (`String(row[keyColumn])`). */
export function orderKeyOf(row: Row, keyColumn: string): string {
  return String(row[keyColumn]);
}

/** The severity a built-in rule has under a config. */
export function severityOf(config: QualityConfig, rule: BuiltInRuleId): Severity {
  return config.severities[rule] ?? BUILT_IN_RULES[rule].severity;
}

/**
 * Source columns the validators read besides the board mapping's: select them too, or `required`
 * reports them missing. (Size columns found by prefix are not listed: boards with subitems list theirs.)
 */
export function qualityColumns(config: QualityConfig): string[] {
  const cols = new Set<string>(config.required);
  const c = config.columns;
  for (const name of [c.orderQty, c.totalQty, c.exFactoryDate, c.deliveryDate]) cols.add(name);
  for (const r of config.rules)
    for (const cond of [r.check, r.when]) {
      if (!cond) continue;
      cols.add(cond.column);
      if (cond.otherColumn) cols.add(cond.otherColumn);
    }
  return [...cols];
}

/** The rules' severities under a config, each looked up once (the rules report on every row). */
function severityLookup(config: QualityConfig): (id: BuiltInRuleId) => Severity {
  const severities = new Map<string, Severity>();
  return (id) => {
    let s = severities.get(id);
    if (s === undefined) severities.set(id, (s = severityOf(config, id)));
    return s;
  };
}

/**
 * Validates one customer's changed rows before they are staged: required fields, types and ranges,
 * business rules, referential integrity and the config's user rules. Pure (no I/O) and fast.
 *
 * @example
 * const result = validateOrders(rows, { customer: "BLUE HARBOR", board, config: settings.config.quality,
 *   keyColumn: "AAG ORDER NUMBER", customerColumn: "CUSTOMER", groupTemplate: "{SEASON}" });
 * if (result.halt) return; // exit 3 for this customer, nothing staged
 * for (const row of rows) if (result.action(orderKeyOf(row, "AAG ORDER NUMBER")) !== "QUARANTINE") stage(row);
 */
export function validateOrders(rows: readonly Row[], ctx: ValidationContext): ValidationResult {
  return validateMapped(
    rows.map((row) => new MappedRow(row)),
    ctx,
  );
}

/**
 * {@link validateOrders} over rows already mapped (by detect, which built their snapshots from the same
 * {@link MappedRow}s): the rules read those values instead of mapping the rows again. `unmappable[i]`,
 * when set, is why detect could not map `rows[i]`: the order gets an ERROR (`value-type`) unless a rule
 * already gave it one, so it is quarantined like any other ERROR order, in the one quarantine record.
 */
export function validateMapped(
  rows: readonly MappedRow[],
  ctx: ValidationContext,
  unmappable: readonly (Unmappable | undefined)[] = [],
): ValidationResult {
  const plan = planBatch(ctx);
  const { config, customer } = ctx;
  const sev = severityLookup(config);

  const boardIssues: Issue[] = [];
  for (const rule of BOARD_RULES)
    rule.check(plan, (column, value, message) =>
      boardIssues.push({
        orderKey: null,
        customer,
        rule: rule.id,
        severity: sev(rule.id),
        column,
        value,
        message,
      }),
    );

  const views = rows.map((mapped) => new RowView(mapped, orderKeyOf(mapped.row, ctx.keyColumn)));
  const check: RowCheck = { plan, sev, customer, userRules: compileUserRules(config.rules) };
  const perRow = views.map((r, i) => rowIssues(r, check, unmappable[i]));
  for (const rule of BATCH_RULES)
    rule.check(views, plan, (index, column, value, message) =>
      perRow[index]?.push({
        orderKey: views[index]!.orderKey,
        customer,
        rule: rule.id,
        severity: sev(rule.id),
        column,
        value,
        message,
      }),
    );

  return assemble(
    customer,
    rows.length,
    [...boardIssues, ...perRow.flat()],
    views.map((v) => v.orderKey),
    ctx,
  );
}

/** What the row rules need besides the row, worked out once per call. */
interface RowCheck {
  plan: ReturnType<typeof planBatch>;
  sev: (rule: BuiltInRuleId) => Severity;
  customer: string;
  userRules: ReturnType<typeof compileUserRules>;
}

/** One row's issues: the built-in row rules, the user's rules, and why detect could not map it (`cannot`). */
function rowIssues(r: RowView, { plan, sev, customer, userRules }: RowCheck, cannot?: Unmappable): Issue[] {
  const out: Issue[] = [];
  // One reporter per row, told which rule is running.
  let running: BuiltInRuleId = "required";
  const report = (column: string | null, value: unknown, message: string) =>
    out.push({
      orderKey: r.orderKey,
      customer,
      rule: running,
      severity: sev(running),
      column,
      value,
      message,
    });
  for (const rule of ROW_RULES) {
    running = rule.id;
    rule.check(r, plan, report);
  }
  for (const user of userRules)
    if (user.fails(r.row))
      out.push({
        orderKey: r.orderKey,
        customer,
        rule: user.name,
        severity: user.severity,
        column: user.column,
        value: r.row[user.column],
        message: user.message,
      });
  // Detect could not map the row: it must not be sent, whatever the rules above found.
  if (cannot && !out.some((issue) => atLeast(issue.severity, "ERROR"))) {
    running = "value-type";
    report(cannot.column, cannot.value, cannot.message);
  }
  return out;
}

/** Each order's issues, and the action its worst issue calls for (`SYNC` for an order with none). */
export function issuesByOrder(issues: readonly Issue[]): {
  byOrder: Map<string, Issue[]>;
  action: (key: string) => OrderAction;
} {
  const byOrder = new Map<string, Issue[]>();
  const worstOf = new Map<string, Severity>();
  for (const issue of issues) {
    if (issue.orderKey === null) continue;
    const list = byOrder.get(issue.orderKey);
    if (list) list.push(issue);
    else byOrder.set(issue.orderKey, [issue]);
    const w = worstOf.get(issue.orderKey);
    worstOf.set(issue.orderKey, w === undefined ? issue.severity : worst(w, issue.severity));
  }
  const action = (key: string): OrderAction => {
    const w = worstOf.get(key);
    return w === undefined ? "SYNC" : SEVERITY_EFFECTS[w].action;
  };
  return { byOrder, action };
}

/** Builds a result from issues: per-order lookup, actions, counts and the halt decision. */
function assemble(
  customer: string,
  rowCount: number,
  issues: Issue[],
  keys: readonly string[],
  limits: Pick<ValidationContext, "config" | "previouslyQuarantined">,
): ValidationResult {
  const { byOrder, action } = issuesByOrder(issues);
  const orderKeys = [...new Set(keys)];
  const counts: Record<OrderAction, number> = { SYNC: 0, SYNC_WITH_WARNING: 0, QUARANTINE: 0 };
  for (const k of orderKeys) counts[action(k)]++;
  const considered = limits.previouslyQuarantined
    ? orderKeys.filter((k) => !limits.previouslyQuarantined!.has(k))
    : orderKeys;
  const bad = considered.filter((k) => action(k) === "QUARANTINE").length;
  return {
    customer,
    rows: rowCount,
    orders: orderKeys.length,
    issues,
    byOrder,
    orderKeys,
    action,
    counts,
    halt: decideHalt(issues, { considered: considered.length, bad }, limits.config),
  };
}

/**
 * A result from issues found outside the row rules (e.g. {@link strayResult}'s), for {@link mergeResults}:
 * `keys` are the orders it validated.
 */
export function issuesResult(
  customer: string,
  issues: Issue[],
  keys: readonly string[],
  limits: Pick<ValidationContext, "config" | "previouslyQuarantined">,
): ValidationResult {
  return assemble(customer, keys.length, issues, keys, limits);
}

/**
 * CRITICAL halts; so do more ERROR orders (`bad`) than `maxErrorShare` of the `considered` orders (those not
 * quarantined before the run).
 */
export function decideHalt(
  issues: readonly Issue[],
  { considered, bad }: { considered: number; bad: number },
  config: QualityConfig,
): Halt | null {
  const critical = issues.find((i) => SEVERITY_EFFECTS[i.severity].halts);
  if (critical)
    return {
      rule: critical.rule,
      reason: `${critical.severity} ${critical.rule}${critical.orderKey === null ? "" : ` (order ${critical.orderKey})`}: ${critical.message}`,
    };
  if (considered < config.minOrdersForErrorShare) return null;
  if (bad / considered <= config.maxErrorShare) return null;
  return {
    rule: "error-share",
    reason: `${bad} of ${considered} orders (${Math.round((100 * bad) / considered)}%) have ERROR issues, more than maxErrorShare ${config.maxErrorShare}`,
  };
}

/**
 * One result from several results of the same customer (e.g. one per source page), for the report and
 * the quarantine store. The halt decision is taken again over all the orders.
 */
export function mergeResults(
  results: readonly ValidationResult[],
  limits: Pick<ValidationContext, "config" | "previouslyQuarantined">,
): ValidationResult {
  const first = results[0];
  if (!first) throw new Error("mergeResults needs at least one result");
  if (results.some((r) => r.customer !== first.customer))
    throw new Error("mergeResults merges one customer's results");
  const seenBoardIssue = new Set<string>();
  const issues = results.flatMap((r) =>
    r.issues.filter((i) => {
      if (i.orderKey !== null) return true;
      // Customer-level issues repeat on every page: keep one of each.
      const id = `${i.rule}\u0000${i.message}`;
      if (seenBoardIssue.has(id)) return false;
      seenBoardIssue.add(id);
      return true;
    }),
  );
  const merged = assemble(
    first.customer,
    results.reduce((n, r) => n + r.rows, 0),
    issues,
    results.flatMap((r) => r.orderKeys),
    limits,
  );
  return { ...merged, halt: results.find((r) => r.halt)?.halt ?? merged.halt };
}

/** A result for a customer that could not be validated at all (e.g. its board could not be read). */
export function haltedResult(customer: string, rule: string, message: string): ValidationResult {
  const issue: Issue = {
    orderKey: null,
    customer,
    rule,
    severity: "CRITICAL",
    column: null,
    value: null,
    message,
  };
  return {
    customer,
    rows: 0,
    orders: 0,
    issues: [issue],
    byOrder: new Map(),
    orderKeys: [],
    action: () => "QUARANTINE",
    counts: { SYNC: 0, SYNC_WITH_WARNING: 0, QUARANTINE: 0 },
    halt: { rule, reason: `CRITICAL ${rule}: ${message}` },
  };
}

/** Issues of the orders the result quarantines (all their issues, warnings too, for context). */
export function quarantineIssues(result: ValidationResult): Issue[] {
  return result.issues.filter((i) => i.orderKey !== null && result.action(i.orderKey) === "QUARANTINE");
}
