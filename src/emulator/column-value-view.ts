import { isInterfaceType, type GraphQLSchema } from "graphql";
import { columnTypeHandler } from "./column-values.js";
import type { ColumnRecord, ItemRecord } from "./records.js";
import type { StatusLabel } from "./status-labels.js";
import type { EmulatorStore } from "./store.js";

type Json = Record<string, unknown>;

/** What a typed value needs besides the cell: the store (subitems) and a way to serve an item. */
export interface ValueContext {
  store: EmulatorStore;
  itemView(item: ItemRecord): unknown;
}

/** The stored `value` of a cell, parsed; `null` when the cell is empty. */
interface Cell {
  value: unknown;
  text: string | null;
  column: ColumnRecord;
  item: ItemRecord;
}

const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? ((value as Json)[key] ?? null) : null;
const list = (value: unknown, key: string): unknown[] => {
  const found = field(value, key);
  return Array.isArray(found) ? found : [];
};
const updatedAt = (cell: Cell) => field(cell.value, "changed_at");

/** Live subitems, in creation order: what a `subitems` (subtasks) column links. */
const linkedSubitems = (item: ItemRecord, ctx: ValueContext) =>
  ctx.store.subitemsOf(item).filter((s) => s.state === "active");

/**
 * The fields each `ColumnValue` implementation adds to `id type text value column`, with the SDL's names
 * and types (schema-2026-10.graphql), derived from the stored value the way monday derives them.
 */
const TYPED_FIELDS: Readonly<Record<string, (cell: Cell, ctx: ValueContext) => Json>> = {
  StatusValue: (cell) => {
    const id = field(cell.value, "index");
    const labels = list(cell.column.settings, "labels") as StatusLabel[];
    const label = labels.find((l) => l.id === id);
    return {
      index: id,
      label: label?.label ?? null,
      is_done: label?.is_done ?? null,
      updated_at: updatedAt(cell),
    };
  },
  NumbersValue: (cell) => ({ number: cell.text === null || cell.text === "" ? null : Number(cell.text) }),
  DateValue: (cell) => ({
    date: field(cell.value, "date"),
    time: field(cell.value, "time"),
    icon: field(cell.value, "icon"),
    updated_at: updatedAt(cell),
  }),
  DropdownValue: (cell) => {
    const labels = list(cell.column.settings, "labels") as { id: number; name: string }[];
    const values = list(cell.value, "ids").map((id) => ({
      id: String(id),
      label: labels.find((l) => l.id === id)?.name ?? "",
    }));
    return { values };
  },
  CheckboxValue: (cell) => ({
    checked: field(cell.value, "checked") === "true",
    updated_at: updatedAt(cell),
  }),
  LongTextValue: (cell) => ({ updated_at: updatedAt(cell) }),
  EmailValue: (cell) => ({
    email: field(cell.value, "email"),
    label: field(cell.value, "text"),
    updated_at: updatedAt(cell),
  }),
  PhoneValue: (cell) => ({
    phone: field(cell.value, "phone"),
    country_short_name: field(cell.value, "countryShortName"),
    updated_at: updatedAt(cell),
  }),
  LinkValue: (cell) => ({
    url: field(cell.value, "url"),
    url_text: field(cell.value, "text"),
    updated_at: updatedAt(cell),
  }),
  PeopleValue: (cell) => ({
    persons_and_teams:
      cell.value === null
        ? null
        : list(cell.value, "personsAndTeams").map((p) => ({
            id: String(field(p, "id")),
            kind: field(p, "kind"),
          })),
    updated_at: updatedAt(cell),
  }),
  TimelineValue: (cell) => ({
    from: field(cell.value, "from"),
    to: field(cell.value, "to"),
    updated_at: updatedAt(cell),
  }),
  HourValue: (cell) => ({
    hour: field(cell.value, "hour"),
    minute: field(cell.value, "minute"),
    updated_at: updatedAt(cell),
  }),
  CountryValue: (cell) => ({
    country:
      cell.value === null
        ? null
        : { code: field(cell.value, "countryCode"), name: field(cell.value, "countryName") },
    updated_at: updatedAt(cell),
  }),
  RatingValue: (cell) => ({ rating: field(cell.value, "rating"), updated_at: updatedAt(cell) }),
  TagsValue: (cell) => ({ tag_ids: list(cell.value, "tag_ids") }),
  SubtasksValue: (cell, ctx) => {
    const subitems = linkedSubitems(cell.item, ctx);
    return {
      subitems_ids: subitems.map((s) => s.id),
      subitems: subitems.map((s) => ctx.itemView(s)),
      display_value: subitems.map((s) => s.name).join(", "),
    };
  },
};

/**
 * A subitems column's cell is not stored: monday derives it from the item's subitems, value
 * `{"linkedPulseIds":[{"linkedPulseId":N}]}` and text the subitem names.
 */
function subtasksCell(item: ItemRecord, ctx: ValueContext): { value: string | null; text: string } {
  const subitems = linkedSubitems(item, ctx);
  if (subitems.length === 0) return { value: null, text: "" };
  const linkedPulseIds = subitems.map((s) => ({ linkedPulseId: Number(s.id) }));
  return { value: JSON.stringify({ linkedPulseIds }), text: subitems.map((s) => s.name).join(", ") };
}

/** One cell of `Item.column_values`: the `ColumnValue` fields and its type's own (`StatusValue.label`...). */
export class ColumnValueView {
  readonly id: string;
  readonly type: string;
  readonly text: string | null;
  readonly value: string | null;
  /** No column value the emulator serves has sub-values. */
  readonly is_leaf = true;
  [typed: string]: unknown;

  constructor(
    private readonly record: ColumnRecord,
    item: ItemRecord,
    private readonly ctx: ValueContext & { columnView(column: ColumnRecord): unknown },
  ) {
    const handler = columnTypeHandler(record.type);
    const stored = record.type === "subtasks" ? subtasksCell(item, ctx) : item.values.get(record.id);
    this.id = record.id;
    this.type = record.type;
    this.text = stored ? stored.text : handler.emptyText;
    this.value = stored?.value ?? null;
    const value: unknown = this.value === null ? null : JSON.parse(this.value);
    const typed = TYPED_FIELDS[handler.graphqlType];
    if (typed) Object.assign(this, typed({ value, text: this.text, column: record, item }, ctx));
  }

  column() {
    return this.ctx.columnView(this.record);
  }
}

/**
 * Gives the `ColumnValue` interface its `resolveType`: the implementation is the column type's
 * (`status` → `StatusValue`, types the emulator has no rules for → `UnsupportedValue`).
 */
export function withTypeResolvers(schema: GraphQLSchema): GraphQLSchema {
  const columnValue = schema.getType("ColumnValue");
  if (isInterfaceType(columnValue))
    columnValue.resolveType = (value) =>
      columnTypeHandler(String((value as { type: unknown }).type)).graphqlType;
  return schema;
}
