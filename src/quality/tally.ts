import { storedOrderKey } from "./store.js";
import type { OrderAction } from "./severity.js";
import type { Halt, Issue, UnlistedIssues, ValidationContext, ValidationResult } from "./types.js";
import { decideHalt, issuesByOrder } from "./validate.js";

type Limits = Pick<ValidationContext, "config" | "previouslyQuarantined">;

/**
 * Issues kept in detail per customer besides those of quarantined orders (which the quarantine store
 * records, so all of theirs are kept): a warning on every order of a million-order first load must not
 * hold a million issues (issue 16). Every issue is counted by rule and severity all the same.
 */
export const LISTED_ISSUES = 1_000;

const ACTION_RANK: Record<OrderAction, number> = { SYNC: 0, SYNC_WITH_WARNING: 1, QUARANTINE: 2 };
const worseAction = (a: OrderAction, b: OrderAction) => (ACTION_RANK[a] >= ACTION_RANK[b] ? a : b);

/**
 * One customer's validation merged page by page as the pages are validated (issue 16: memory holds a page,
 * not the table): the counts and the halt decision over all the orders, the issues of quarantined orders,
 * the first {@link LISTED_ISSUES} others (the rest counted), and the keys of orders the quarantine store
 * needs (quarantined now, or before the run). The same outcome as `mergeResults` over every page, but
 * without every order's key and issue.
 *
 * Pages hold disjoint keys (the read pages by `key > last key`); keys that may repeat across results
 * (the stray rows') are named up front in `watch`, so they are counted once with their worst action.
 *
 * @example
 * const tally = new ValidationTally(quality, strayKeys);
 * for (const page of pages) tally.add(validateChanges(quality, page).result);
 * tally.add(strayResult(stray, quality));
 * const validation = tally.result();
 */
export class ValidationTally {
  private customer: string | undefined;
  private rows = 0;
  private orders = 0;
  private readonly counts: Record<OrderAction, number> = { SYNC: 0, SYNC_WITH_WARNING: 0, QUARANTINE: 0 };
  /** Orders the error share is judged on (not quarantined before), and those of them quarantined now. */
  private considered = 0;
  private bad = 0;
  private firstHalt: Halt | null = null;
  private readonly issues: Issue[] = [];
  private listed = 0;
  private readonly unlisted = new Map<string, UnlistedIssues>();
  private readonly boardIssues = new Set<string>();
  private readonly keys = new Set<string>();
  private readonly watched: Map<string, OrderAction | null>;

  constructor(
    private readonly limits: Limits,
    watch: Iterable<string> = [],
    private readonly listLimit: number = LISTED_ISSUES,
  ) {
    this.watched = new Map([...watch].map((k) => [k, null]));
  }

  /**
   * Entries held now: issues, keys and watched keys. Bounded by the quarantined orders' issues, the listing
   * limit and the stray rows, whatever the number of orders (the test of issue 16 asserts it).
   */
  get held(): number {
    return this.issues.length + this.keys.size + this.watched.size + this.unlisted.size;
  }

  /** Adds one page's (or the stray rows') result. */
  add(result: ValidationResult): void {
    this.customer ??= result.customer;
    if (result.customer !== this.customer) throw new Error("a ValidationTally merges one customer's results");
    this.rows += result.rows;
    this.firstHalt ??= result.halt;
    for (const key of result.orderKeys) this.countOrder(key, result.action(key));
    for (const issue of result.issues) this.keepIssue(issue, result);
  }

  private countOrder(key: string, action: OrderAction): void {
    const before = this.watched.get(key);
    const considered = !this.limits.previouslyQuarantined?.has(key);
    if (before) {
      // Seen in an earlier result: counted once, with its worse action.
      const now = worseAction(before, action);
      this.counts[before]--;
      this.counts[now]++;
      if (considered && before !== "QUARANTINE" && now === "QUARANTINE") this.bad++;
      this.watched.set(key, now);
    } else {
      if (before === null) this.watched.set(key, action);
      this.orders++;
      this.counts[action]++;
      if (considered) {
        this.considered++;
        if (action === "QUARANTINE") this.bad++;
      }
    }
    if (action === "QUARANTINE" || this.limits.previouslyQuarantined?.has(storedOrderKey(key)))
      this.keys.add(key);
  }

  private keepIssue(issue: Issue, result: ValidationResult): void {
    if (issue.orderKey === null) {
      // Customer-level issues repeat on every page: keep one of each.
      const id = `${issue.rule}\u0000${issue.message}`;
      if (this.boardIssues.has(id)) return;
      this.boardIssues.add(id);
      this.issues.push(issue);
      return;
    }
    if (result.action(issue.orderKey) === "QUARANTINE") {
      this.issues.push(issue);
      return;
    }
    if (this.listed < this.listLimit) {
      this.listed++;
      this.issues.push(issue);
      return;
    }
    const id = `${issue.rule}\u0000${issue.severity}`;
    const counted = this.unlisted.get(id);
    if (counted) counted.count++;
    else this.unlisted.set(id, { rule: issue.rule, severity: issue.severity, count: 1 });
  }

  /**
   * The customer's validation: `orders` and `counts` over every order, `issues` those kept (see
   * {@link ValidationTally}), `unlisted` the rest by rule, and `orderKeys` only the orders the quarantine
   * store needs. The halt is the first result's that halted, else decided again over all the orders.
   */
  result(): ValidationResult {
    if (this.customer === undefined) throw new Error("a ValidationTally needs at least one result");
    const { byOrder, action } = issuesByOrder(this.issues);
    return {
      customer: this.customer,
      rows: this.rows,
      orders: this.orders,
      issues: this.issues,
      unlisted: [...this.unlisted.values()],
      byOrder,
      orderKeys: [...this.keys],
      action,
      counts: { ...this.counts },
      halt:
        this.firstHalt ??
        decideHalt(this.issues, { considered: this.considered, bad: this.bad }, this.limits.config),
    };
  }
}
