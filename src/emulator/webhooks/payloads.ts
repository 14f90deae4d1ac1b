import type { StoreChange } from "../changes.js";
import type { BoardRecord, ColumnRecord, StoredValue } from "../records.js";
import type { EmulatorStore } from "../store.js";
import { EVENT_TYPES } from "./events.js";

/**
 * The column type names webhooks (and the old `settings_str` era) use, where they differ from the API's
 * `ColumnType` (API-FACTS "Webhooks": status is `color`, people `multiple-person`). Types not listed keep
 * their API name.
 */
export const LEGACY_COLUMN_TYPES: Readonly<Record<string, string>> = {
  status: "color",
  people: "multiple-person",
  numbers: "numeric",
  long_text: "long-text",
  checkbox: "boolean",
  timeline: "timerange",
  tags: "tag",
  dropdown: "dropdown",
  item_id: "pulse-id",
  creation_log: "pulse-log",
  last_updated: "pulse-updated",
};

/** The legacy name of an API column type. */
export function legacyColumnType(type: string): string {
  return LEGACY_COLUMN_TYPES[type] ?? type;
}

/**
 * monday's status label colours by colour id (the `labels_colors` of the old `settings_str`); id 3 is the
 * docs sample's `{"color":"#0086c0","border":"#3DB0DF","var_name":"blue-links"}`.
 */
const STATUS_STYLES: readonly { color: string; border: string; var_name: string }[] = [
  { color: "#fdab3d", border: "#E99729", var_name: "orange" },
  { color: "#00c875", border: "#00B461", var_name: "green-shadow" },
  { color: "#e2445c", border: "#CE3048", var_name: "red-shadow" },
  { color: "#0086c0", border: "#3DB0DF", var_name: "blue-links" },
  { color: "#a25ddc", border: "#9238AF", var_name: "purple" },
  { color: "#c4c4c4", border: "#B0B0B0", var_name: "grey" },
  { color: "#037f4c", border: "#006B38", var_name: "grass-green" },
  { color: "#579bfc", border: "#4387E8", var_name: "bright-blue" },
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A status label's colour id and done flag, from either settings shape: the 2025-10 array
 * (`labels: [{id, color, is_done}]`) or the legacy object (`labels: {"0": "…"}` with optional
 * `done_colors`, where the colour id is the label's index and monday's default done label is 1).
 */
function statusLabelLook(settings: Record<string, unknown>, index: number) {
  if (Array.isArray(settings.labels)) {
    const label = (settings.labels as unknown[]).find((l) => isRecord(l) && l.id === index);
    const color = isRecord(label) && typeof label.color === "number" ? label.color : index;
    return { color, isDone: isRecord(label) && label.is_done === true };
  }
  const done = Array.isArray(settings.done_colors) ? settings.done_colors : [1];
  return { color: index, isDone: done.includes(index) };
}

type ValueShape = (stored: StoredValue, raw: Record<string, unknown>, column: ColumnRecord) => unknown;

const statusShape: ValueShape = (stored, raw, column) => {
  const index = Number(raw.index);
  const look = statusLabelLook(column.settings, index);
  return {
    // `index` is the label's value id (what `{"index":N}` writes), not its display position.
    label: {
      index,
      text: stored.text,
      style: STATUS_STYLES[look.color % STATUS_STYLES.length],
      is_done: look.isDone,
    },
    post_id: null,
  };
};

function dropdownNames(column: ColumnRecord): Map<number, string> {
  const labels = Array.isArray(column.settings.labels) ? (column.settings.labels as unknown[]) : [];
  return new Map(
    labels.filter(isRecord).map((l) => [Number(l.id), String(l.name ?? l.label ?? "")] as const),
  );
}

/**
 * `value` / `previousValue` of a column change, per column type (API-FACTS "Webhooks"). Documented:
 * status, text and date. Not documented, chosen as the closest to what monday stores: numbers
 * (`{"value": 3}`, a number), dropdown (`{"chosenValues":[{id,name}]}`, as community captures show) and
 * checkbox (`{"checked": true, changed_at}`). Every other type sends the stored JSON as it is
 * (long text, email, phone, link, people, timeline, hour, country, rating…).
 */
const VALUE_SHAPES: Readonly<Record<string, ValueShape>> = {
  status: statusShape,
  text: (stored) => ({ value: stored.text }),
  numbers: (stored) => ({ value: Number(stored.text) }),
  date: (_stored, raw) => ({
    date: raw.date,
    icon: raw.icon ?? null,
    time: raw.time ?? null,
    changed_at: raw.changed_at,
  }),
  dropdown: (_stored, raw, column) => {
    const names = dropdownNames(column);
    const ids = Array.isArray(raw.ids) ? raw.ids.map(Number) : [];
    return { chosenValues: ids.map((id) => ({ id, name: names.get(id) ?? "" })) };
  },
  checkbox: (_stored, raw) => ({ checked: true, changed_at: raw.changed_at }),
};

/** The webhook shape of a stored value of `column`; `null` for an empty cell. */
export function webhookValue(column: ColumnRecord, stored: StoredValue | null): unknown {
  if (stored === null) return null;
  const parsed: unknown = JSON.parse(stored.value);
  const raw = isRecord(parsed) ? parsed : { value: parsed };
  const shape = VALUE_SHAPES[column.type];
  return shape ? shape(stored, raw, column) : parsed;
}

/** The column a change names, as it is now, or a stand-in with the change's own title and type. */
function columnOf(board: BoardRecord | undefined, id: string, title: string, type: string): ColumnRecord {
  return (
    board?.columns.find((c) => c.id === id) ?? {
      id,
      title,
      type,
      description: null,
      archived: true,
      revision: 1,
      settings: {},
    }
  );
}

function groupFields(board: BoardRecord | undefined, groupId: string) {
  const live = board?.groups.filter((g) => !g.deleted && !g.archived) ?? [];
  return { group: board?.groups.find((g) => g.id === groupId), isTopGroup: live[0]?.id === groupId };
}

/** A subitem's parent fields as `update_column_value`, `create_pulse` and `update_name` carry them (strings). */
function parentStrings(change: StoreChange, board: BoardRecord | undefined) {
  if (!("parentItemId" in change) || change.parentItemId === null) return {};
  return { parentItemId: change.parentItemId, parentItemBoardId: board?.parentBoardId ?? null };
}

type ChangeOf<K extends StoreChange["kind"]> = Extract<StoreChange, { kind: K }>;
type FieldBuilder<K extends StoreChange["kind"]> = (
  change: ChangeOf<K>,
  board: BoardRecord | undefined,
) => Record<string, unknown>;

const changedAt = (change: StoreChange) => change.at / 1000;

function stateFields(
  change: ChangeOf<"item_archived" | "item_deleted" | "item_restored">,
  board?: BoardRecord,
) {
  // Top-level items carry `itemId`/`itemName`, not `pulseId`; subitems add `pulseId` and their parents (numbers).
  if (change.parentItemId === null)
    return {
      boardId: Number(change.boardId),
      groupId: change.groupId,
      itemId: Number(change.itemId),
      itemName: change.itemName,
    };
  return {
    boardId: Number(change.boardId),
    pulseId: Number(change.itemId),
    itemId: Number(change.itemId),
    itemName: change.itemName,
    parentBoardId: Number(board?.parentBoardId),
    parentItemId: Number(change.parentItemId),
  };
}

/** The event-specific fields of each change, in the order monday's samples list them. */
const FIELDS: { [K in StoreChange["kind"]]: FieldBuilder<K> } = {
  column_value_changed: (change, board) => {
    const column = columnOf(board, change.columnId, change.columnTitle, change.columnType);
    return {
      boardId: Number(change.boardId),
      groupId: change.groupId,
      pulseId: Number(change.itemId),
      pulseName: change.itemName,
      columnId: change.columnId,
      columnType: legacyColumnType(change.columnType),
      columnTitle: change.columnTitle,
      value: webhookValue(column, change.value),
      previousValue: webhookValue(column, change.previous),
      changedAt: changedAt(change),
      isTopGroup: groupFields(board, change.groupId).isTopGroup,
      ...parentStrings(change, board),
    };
  },
  item_created: (change, board) => {
    const { group, isTopGroup } = groupFields(board, change.groupId);
    const columnValues = Object.fromEntries(
      [...change.values].map(([id, stored]) => [id, webhookValue(columnOf(board, id, id, "text"), stored)]),
    );
    return {
      boardId: Number(change.boardId),
      pulseId: Number(change.itemId),
      pulseName: change.itemName,
      groupId: change.groupId,
      groupName: group?.title ?? null,
      groupColor: group?.color ?? null,
      isTopGroup,
      columnValues,
      ...parentStrings(change, board),
    };
  },
  name_changed: (change, board) => ({
    boardId: Number(change.boardId),
    groupId: change.groupId,
    pulseId: Number(change.itemId),
    pulseName: change.itemName,
    value: { name: change.itemName },
    previousValue: { name: change.previousName },
    changedAt: changedAt(change),
    isTopGroup: groupFields(board, change.groupId).isTopGroup,
    ...parentStrings(change, board),
  }),
  item_archived: stateFields,
  item_deleted: stateFields,
  item_restored: stateFields,
  item_moved: (change, board) => ({
    boardId: Number(change.boardId),
    pulseId: Number(change.itemId),
    pulseName: change.itemName,
    sourceGroupId: change.previousGroupId,
    destGroupId: change.groupId,
    isTopGroup: groupFields(board, change.groupId).isTopGroup,
  }),
  column_created: (change) => ({
    boardId: Number(change.boardId),
    columnId: change.columnId,
    columnType: legacyColumnType(change.columnType),
    columnTitle: change.columnTitle,
  }),
};

/** The event-specific fields of a change (camelCase, as webhooks send them). */
export function changeFields(change: StoreChange, store: EmulatorStore): Record<string, unknown> {
  const build = FIELDS[change.kind] as FieldBuilder<StoreChange["kind"]>;
  return build(change, store.boards.get(change.boardId));
}

/** What one delivery adds to a change: its subscription and its own trigger id. */
export interface DeliveryIds {
  subscriptionId: number;
  /** 32 hex digits; the same on every retry and duplicate of this delivery. */
  triggerUuid: string;
}

/**
 * The `event` object monday POSTs for a change (body `{"event": …}`), as API-FACTS "Webhooks" shows it:
 * `app` is always `"monday"` (even for the integration's own writes), `isRetry` false on the first attempt.
 *
 * @example
 * webhookEvent(change, store, { subscriptionId: 810765988, triggerUuid: "645fc8d8709d35718f1ae00ceded91e9" })
 * // → { app: "monday", type: "update_column_value", triggerTime: "…", subscriptionId: 810765988, isRetry: false, … }
 */
export function webhookEvent(
  change: StoreChange,
  store: EmulatorStore,
  ids: DeliveryIds,
): Record<string, unknown> {
  return {
    app: "monday",
    type: EVENT_TYPES[change.kind],
    triggerTime: new Date(change.at).toISOString(),
    subscriptionId: ids.subscriptionId,
    isRetry: false,
    userId: Number(change.userId),
    originalTriggerUuid: null,
    ...changeFields(change, store),
    triggerUuid: ids.triggerUuid,
  };
}
