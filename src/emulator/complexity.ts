import {
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/**
 * Complexity points, chosen to be plausible rather than monday's exact (unpublished) formula:
 * - every mutation root field costs a flat fee: monday's guidance puts `create_item` at about
 *   10,000 points, and every other item or column write here is charged the same;
 *   `create_board` costs 20,000 (it writes columns and groups too);
 * - every selected field costs 1 point, multiplied by how many objects the enclosing lists can hold:
 *   `boards`/`items` by `ids.length` or `limit` (default 25); `items_page`, `next_items_page` and
 *   `items_page_by_column_values` by `limit`; `columns`, `column_values` by `ids.length` or 20;
 *   `groups` by `ids.length` or 10; `subitems` by 10.
 *   So reading 500 items × 12 column values × {id text value} ≈ 500 × (2 + 12 × 4) = 25,000 points.
 */
export const MUTATION_COST: Readonly<Record<string, number>> = {
  create_item: 10_000,
  create_subitem: 10_000,
  change_multiple_column_values: 10_000,
  change_simple_column_value: 10_000,
  change_column_value: 10_000,
  archive_item: 10_000,
  delete_item: 10_000,
  move_item_to_group: 10_000,
  create_group: 10_000,
  create_column: 10_000,
  create_board: 20_000,
  // Whether the bulk import's calls cost complexity is not documented (API-FACTS "Bulk import"); they are
  // charged as one write each, and the rows they import cost nothing more.
  ingest_items: 10_000,
  backfill_items: 10_000,
};

/** Personal-token budget per 60 s window. */
export const MINUTE_BUDGET = 10_000_000;
/** The most one query may cost; above it the query is refused before it runs. */
export const QUERY_CAP = 5_000_000;
/** Length of the minute budget's window, in emulator ms. */
export const WINDOW_MS = 60_000;

type Args = Record<string, unknown>;
/** How many objects a list field can return, given its arguments (`undefined` = not a list). */
const LIST_SIZE: Readonly<Record<string, (args: Args) => number>> = {
  boards: (a) => idsOr(a, Number(a.limit ?? 25)),
  items: (a) => idsOr(a, Number(a.limit ?? 25)),
  columns: (a) => idsOr(a, 20),
  column_values: (a) => idsOr(a, 20),
  groups: (a) => idsOr(a, 10),
  subitems: () => 10,
};
const PAGE_FIELDS = new Set(["items_page", "next_items_page", "items_page_by_column_values"]);

function idsOr(args: Args, fallback: number): number {
  return Array.isArray(args.ids) ? args.ids.length : fallback;
}

interface Walk {
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: Args;
}

function argsOf(field: FieldNode, walk: Walk): Args {
  return Object.fromEntries(
    (field.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, walk.variables)]),
  );
}

function fieldsOf(set: SelectionSetNode, walk: Walk): FieldNode[] {
  return set.selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return [s];
    if (s.kind === Kind.INLINE_FRAGMENT) return fieldsOf(s.selectionSet, walk);
    const fragment = walk.fragments.get(s.name.value);
    return fragment ? fieldsOf(fragment.selectionSet, walk) : [];
  });
}

function selectionCost(
  set: SelectionSetNode,
  multiplier: number,
  pageLimit: number | null,
  walk: Walk,
): number {
  let cost = 0;
  for (const field of fieldsOf(set, walk)) {
    const name = field.name.value;
    const args = argsOf(field, walk);
    cost += multiplier;
    if (!field.selectionSet) continue;
    const isPageItems = name === "items" && pageLimit !== null;
    const size = isPageItems ? pageLimit : (LIST_SIZE[name]?.(args) ?? 1);
    const childPageLimit = PAGE_FIELDS.has(name) ? Number(args.limit ?? 25) : null;
    cost += selectionCost(field.selectionSet, multiplier * Math.max(size, 0), childPageLimit, walk);
  }
  return cost;
}

/** The complexity of one operation: read cost of its selections plus the flat fee of each mutation. */
export function operationComplexity(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Args,
): number {
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const walk = { fragments, variables };
  const reads = selectionCost(operation.selectionSet, 1, null, walk);
  const writes =
    operation.operation === "mutation"
      ? fieldsOf(operation.selectionSet, walk).reduce((sum, f) => sum + (MUTATION_COST[f.name.value] ?? 0), 0)
      : 0;
  return reads + writes;
}

/** What `complexity { before after query reset_in_x_seconds }` answers for one request. */
export interface ComplexityCharge {
  before: number;
  query: number;
  after: number;
  /** Real seconds until the window resets (see {@link EmulatorClock.realWholeSeconds}). */
  reset_in_x_seconds: number;
}

/** The outcome of {@link ComplexityBudget.tryCharge}. */
export type ChargeResult =
  { ok: true; before: number; after: number } | { ok: false; remaining: number; resetInMs: number };

/**
 * The minute budget: a window that opens with its first call and resets 60 s (emulator time) later;
 * failed calls count. {@link tryCharge} refuses what does not fit (limits enforced),
 * {@link charge} always charges (limits off: the budget only reports and may go negative).
 */
export class ComplexityBudget {
  private windowStart: number | null = null;
  private used = 0;

  constructor(
    /** Points per window; may be changed at run time. */
    public limit = MINUTE_BUDGET,
    /** Emulator time in ms. */
    private readonly clock: () => number = Date.now,
  ) {}

  /** Charges `points` to the current window, whatever is left. */
  charge(points: number): { before: number; after: number } {
    this.open();
    const before = this.remaining();
    this.used += points;
    return { before, after: this.remaining() };
  }

  /** Charges `points` when they fit in what remains; otherwise charges nothing and says when the window resets. */
  tryCharge(points: number): ChargeResult {
    this.open();
    const remaining = this.remaining();
    if (points > remaining) return { ok: false, remaining, resetInMs: this.resetInMs() };
    return { ok: true, ...this.charge(points) };
  }

  /** Points left in the current window (may be negative while limits are not enforced). */
  remaining(): number {
    this.expire();
    return this.limit - this.used;
  }

  /** Emulator ms until the window resets (a full window when none is open). */
  resetInMs(): number {
    this.expire();
    if (this.windowStart === null) return WINDOW_MS;
    return Math.max(0, this.windowStart + WINDOW_MS - this.clock());
  }

  /** Whole emulator seconds until the window resets (60 when no window is open). */
  resetInSeconds(): number {
    return Math.ceil(this.resetInMs() / 1000);
  }

  /** Forgets everything spent. */
  reset(): void {
    this.windowStart = null;
    this.used = 0;
  }

  private open(): void {
    this.expire();
    this.windowStart ??= this.clock();
  }

  private expire(): void {
    if (this.windowStart !== null && this.clock() >= this.windowStart + WINDOW_MS) this.reset();
  }
}
