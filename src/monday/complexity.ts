// A static, deliberately high estimate of what monday will charge for a request, so the budget can hold a
// request back before monday answers 429. monday does not publish its formula; the response's own
// `complexity` field (and the `RateLimit` header) correct the budget after each request.
import { Kind, valueFromASTUntyped } from "graphql";
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  OperationDefinitionNode,
  SelectionSetNode,
} from "graphql";

/** monday's guidance: `create_item` costs about 10,000 points; every item or column write is charged alike. */
export const MUTATION_COST = 10_000;

/** Flat fee per mutation root field; a mutation not listed costs `MUTATION_COST`. */
export const MUTATION_COSTS: Readonly<Record<string, number>> = {
  create_item: MUTATION_COST,
  create_subitem: MUTATION_COST,
  change_multiple_column_values: MUTATION_COST,
  change_simple_column_value: MUTATION_COST,
  change_column_value: MUTATION_COST,
  archive_item: MUTATION_COST,
  delete_item: MUTATION_COST,
  move_item_to_group: MUTATION_COST,
  create_group: MUTATION_COST,
  create_column: MUTATION_COST,
  create_board: 2 * MUTATION_COST,
};

/** Objects a page of items holds when the query gives no `limit` (monday's default). */
export const DEFAULT_PAGE_SIZE = 25;

/**
 * How many objects a list field is assumed to return when its arguments do not say (`ids` or `limit` win).
 * `columns`/`column_values` ~ a board's columns, generous for the boards the sync writes.
 */
export const DEFAULT_LIST_SIZES: Readonly<Record<string, number>> = {
  boards: 25,
  items: DEFAULT_PAGE_SIZE,
  columns: 20,
  column_values: 20,
  groups: 20,
  subitems: 10,
  users: 25,
  updates: 25,
  workspaces: 25,
};

/** Fields whose `items` are one page: the page size is their `limit` (default 25). */
export const PAGE_FIELDS: ReadonlySet<string> = new Set([
  "items_page",
  "next_items_page",
  "items_page_by_column_values",
]);

/** monday's cap on one request's complexity. */
export const PER_QUERY_CAP = 5_000_000;

type Args = Record<string, unknown>;

interface Walk {
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: Args;
}

/**
 * What monday is expected to charge for `document` with `variables`, erring high: every mutation root field
 * a flat fee (~10,000), plus 1 point per selected field multiplied by how many objects the enclosing lists
 * can hold (`ids` length, `limit`, page lists 25, `column_values` 20, ...).
 *
 * @example
 * estimateComplexity(loadDocument("CreateItem"), { boardId: "1", itemName: "PO-1" }); // ≈ 10,000
 * estimateComplexity(batch.document, batch.variables); // ≈ 10,000 × ops
 */
export function estimateComplexity(document: DocumentNode, variables: Record<string, unknown> = {}): number {
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const walk: Walk = { fragments, variables };
  let total = 0;
  for (const operation of document.definitions) {
    if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
    total += operationCost(operation, walk);
  }
  return total;
}

/**
 * How many aliased ops of `perOpCost` points fit in one request: within monday's per-query cap (and the
 * minute budget, when given), and at most `configuredMax`. At least 1: an op that alone exceeds the cap is
 * monday's to refuse, and a caller that chunks by this number must always make progress.
 *
 * @example
 * maxOpsPerRequest(10_000, { configuredMax: 50 }); // 50
 * maxOpsPerRequest(10_000, { limitPerMinute: 100_000 }); // 10
 */
export function maxOpsPerRequest(
  perOpCost: number,
  options: { perQueryCap?: number; configuredMax?: number; limitPerMinute?: number } = {},
): number {
  const cap = Math.min(options.perQueryCap ?? PER_QUERY_CAP, options.limitPerMinute ?? Infinity);
  const fit = perOpCost > 0 ? Math.floor(cap / perOpCost) : Infinity;
  const max = Math.min(fit, options.configuredMax ?? Infinity);
  if (!Number.isFinite(max)) {
    throw new RangeError("maxOpsPerRequest needs a positive perOpCost or a configuredMax");
  }
  return Math.max(1, max);
}

function operationCost(operation: OperationDefinitionNode, walk: Walk): number {
  const reads = selectionCost(operation.selectionSet, 1, null, walk);
  if (operation.operation !== "mutation") return reads;
  const writes = fieldsOf(operation.selectionSet, walk).reduce(
    (sum, field) => sum + (field.name.value === "complexity" ? 0 : mutationCost(field.name.value)),
    0,
  );
  return reads + writes;
}

function mutationCost(name: string): number {
  return MUTATION_COSTS[name] ?? MUTATION_COST;
}

function selectionCost(
  set: SelectionSetNode,
  multiplier: number,
  pageSize: number | null,
  walk: Walk,
): number {
  let cost = 0;
  for (const field of fieldsOf(set, walk)) {
    cost += multiplier;
    if (!field.selectionSet) continue;
    const name = field.name.value;
    const args = argsOf(field, walk);
    const size = name === "items" && pageSize !== null ? pageSize : listSize(name, args);
    const childPage = PAGE_FIELDS.has(name) ? numberArg(args.limit, DEFAULT_PAGE_SIZE) : null;
    cost += selectionCost(field.selectionSet, multiplier * size, childPage, walk);
  }
  return cost;
}

/** Objects a field can return: `ids` length, else `limit`, else the default for lists, else 1. */
function listSize(name: string, args: Args): number {
  const fallback = DEFAULT_LIST_SIZES[name];
  if (fallback === undefined) return 1;
  if (Array.isArray(args.ids)) return Math.max(args.ids.length, 1);
  return numberArg(args.limit, fallback);
}

function numberArg(value: unknown, fallback: number): number {
  const num = typeof value === "string" ? Number(value) : value;
  return typeof num === "number" && Number.isFinite(num) && num > 0 ? Math.ceil(num) : fallback;
}

function argsOf(field: FieldNode, walk: Walk): Args {
  return Object.fromEntries(
    (field.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, walk.variables)]),
  );
}

function fieldsOf(set: SelectionSetNode, walk: Walk, seen: ReadonlySet<string> = new Set()): FieldNode[] {
  return set.selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return [s];
    if (s.kind === Kind.INLINE_FRAGMENT) return fieldsOf(s.selectionSet, walk, seen);
    const fragment = walk.fragments.get(s.name.value);
    // A fragment cycle is invalid GraphQL; stop rather than recurse forever.
    if (!fragment || seen.has(s.name.value)) return [];
    return fieldsOf(fragment.selectionSet, walk, new Set([...seen, s.name.value]));
  });
}
