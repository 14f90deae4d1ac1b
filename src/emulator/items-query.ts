import { relativeDateRule, unsupportedOperator } from "./date-rules.js";
import type { BoardRecord, ItemRecord } from "./records.js";
import type { EmulatorStore } from "./store.js";

/** `ItemsQueryRule` as graphql-js hands it over. */
export interface ItemsQueryRule {
  column_id: string;
  compare_value: unknown;
  compare_attribute?: string | null;
  operator?: string | null;
}

/** `ItemsQueryGroup`. */
export interface ItemsQueryGroup {
  rules?: ItemsQueryRule[] | null;
  groups?: ItemsQueryGroup[] | null;
  operator?: "and" | "or" | null;
}

/** `ItemsQuery` (`query_params` of `items_page`). */
export interface ItemsQuery extends ItemsQueryGroup {
  ids?: string[] | null;
  order_by?: { column_id: string; direction?: "asc" | "desc" | null }[] | null;
}

/** What a rule compares: the column's display text, and for status its label index. */
interface Cell {
  text: string;
  index: number | null;
}

type RuleTest = (cell: Cell, values: readonly string[]) => boolean;

const lower = (s: string) => s.toLocaleLowerCase();
const asNumber = (s: string) => (s.trim() === "" ? NaN : Number(s));
const anyOf: RuleTest = (cell, values) =>
  values.some((v) => v === cell.text || (cell.index !== null && v === String(cell.index)));

/** `ItemsQueryRuleOperator` → test on text columns; an operator not listed here is refused (see {@link checkQuery}). */
const RULE_OPERATORS: Readonly<Record<string, RuleTest>> = {
  any_of: anyOf,
  not_any_of: (cell, values) => !anyOf(cell, values),
  is_empty: (cell) => cell.text === "",
  is_not_empty: (cell) => cell.text !== "",
  contains_text: (cell, values) => values.some((v) => lower(cell.text).includes(lower(v))),
  not_contains_text: (cell, values) => !values.some((v) => lower(cell.text).includes(lower(v))),
  contains_terms: (cell, values) => values.every((v) => lower(cell.text).includes(lower(v))),
  starts_with: (cell, values) => values.some((v) => lower(cell.text).startsWith(lower(v))),
  ends_with: (cell, values) => values.some((v) => lower(cell.text).endsWith(lower(v))),
  greater_than: (cell, [v = ""]) =>
    asNumber(cell.text) > asNumber(v) || (isNaN(asNumber(v)) && cell.text > v),
  greater_than_or_equals: (cell, [v = ""]) =>
    asNumber(cell.text) >= asNumber(v) || (isNaN(asNumber(v)) && cell.text >= v),
  lower_than: (cell, [v = ""]) =>
    asNumber(cell.text) < asNumber(v) || (isNaN(asNumber(v)) && cell.text !== "" && cell.text < v),
  lower_than_or_equal: (cell, [v = ""]) =>
    asNumber(cell.text) <= asNumber(v) || (isNaN(asNumber(v)) && cell.text !== "" && cell.text <= v),
  between: (cell, [from = "", to = ""]) => cell.text !== "" && cell.text >= from && cell.text <= to,
};

/** The display text of an item's column (`name` is the item name), for matching. */
export function cellText(item: ItemRecord, columnId: string): string {
  if (columnId === "name") return item.name;
  return item.values.get(columnId)?.text ?? "";
}

function cellOf(item: ItemRecord, columnId: string): Cell {
  const raw = columnId === "name" ? undefined : item.values.get(columnId)?.value;
  const parsed = raw ? (JSON.parse(raw) as unknown) : null;
  const index =
    parsed && typeof parsed === "object" && "index" in parsed && typeof parsed.index === "number"
      ? parsed.index
      : null;
  return { text: cellText(item, columnId), index };
}

function compareValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v) => v !== null && v !== undefined).map(String);
}

type ItemTest = (item: ItemRecord) => boolean;

/** The test of one rule: date columns compare dates (see `date-rules.ts`), the others display text. */
function ruleTest(board: BoardRecord, rule: ItemsQueryRule, today: string): ItemTest {
  const operator = rule.operator ?? "any_of";
  const values = compareValues(rule.compare_value);
  const column = board.columns.find((c) => c.id === rule.column_id);
  if (column?.type === "date") return relativeDateRule(rule.column_id, operator, values, today);
  const test = RULE_OPERATORS[operator];
  if (!test) throw unsupportedOperator(operator, rule.column_id);
  return (item) => test(cellOf(item, rule.column_id), values);
}

/** Every rule of a query as a test, built once before any item is looked at (so a bad rule is an error). */
function groupTest(board: BoardRecord, group: ItemsQueryGroup, today: string): ItemTest {
  const checks = [
    ...(group.rules ?? []).map((r) => ruleTest(board, r, today)),
    ...(group.groups ?? []).map((g) => groupTest(board, g, today)),
  ];
  if (checks.length === 0) return () => true;
  return group.operator === "or"
    ? (item) => checks.some((c) => c(item))
    : (item) => checks.every((c) => c(item));
}

function orderItems(items: ItemRecord[], orderBy: NonNullable<ItemsQuery["order_by"]>): ItemRecord[] {
  return [...items].sort((a, b) => {
    for (const { column_id, direction } of orderBy) {
      const cmp = cellText(a, column_id).localeCompare(cellText(b, column_id), undefined, { numeric: true });
      if (cmp !== 0) return direction === "desc" ? -cmp : cmp;
    }
    return 0;
  });
}

/**
 * The items of a board (or one of its groups) that `query_params` selects, in board order.
 * Archived and deleted items are left out, except archived items asked for by id in `query.ids`.
 * An operator or compare value the emulator does not know is an `InvalidArgumentException`, not an empty page.
 */
export function queryBoardItems(
  store: EmulatorStore,
  board: BoardRecord,
  query: ItemsQuery | null | undefined,
  groupId?: string,
): ItemRecord[] {
  const ids = query?.ids ? new Set(query.ids.map(String)) : null;
  const candidates = store
    .itemsOfBoard(board.id, ids ? ["active", "archived"] : ["active"])
    .filter((i) => (groupId === undefined || i.groupId === groupId) && (ids === null || ids.has(i.id)));
  const matches = query ? groupTest(board, query, store.now()) : undefined;
  const matched = matches ? candidates.filter(matches) : candidates;
  return query?.order_by?.length ? orderItems(matched, query.order_by) : matched;
}

/** `items_page_by_column_values`: active items whose column text equals one of the values, for every column given. */
export function itemsByColumnValues(
  store: EmulatorStore,
  board: BoardRecord,
  columns: readonly { column_id: string; column_values: readonly (string | null)[] }[],
): ItemRecord[] {
  return store
    .itemsOfBoard(board.id, ["active"])
    .filter((item) =>
      columns.every((c) => c.column_values.some((v) => (v ?? "") === cellText(item, c.column_id))),
    );
}
