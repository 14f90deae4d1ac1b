import type { ColumnValueChanged, ItemChange, StoreChange } from "../changes.js";
import { InvalidArgumentError } from "../errors.js";
import type { BoardRecord } from "../records.js";
import type { EmulatorStore } from "../store.js";

/** monday's `WebhookEventType` enum (21 values, unchanged 2025-04 → 2026-10). */
export const WEBHOOK_EVENTS = [
  "change_column_value",
  "change_name",
  "change_specific_column_value",
  "change_status_column_value",
  "change_subitem_column_value",
  "change_subitem_name",
  "create_column",
  "create_item",
  "create_subitem",
  "create_subitem_update",
  "create_update",
  "delete_update",
  "edit_update",
  "item_archived",
  "item_deleted",
  "item_moved_to_any_group",
  "item_moved_to_specific_group",
  "item_restored",
  "move_subitem",
  "subitem_archived",
  "subitem_deleted",
] as const;

/** An event a webhook subscribes to. */
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The `config` of a webhook, as parsed from `create_webhook(config:)`. */
export interface WebhookConfig {
  columnId?: string;
  /** `change_status_column_value`: `{"$any$":true}` or `{"index":N}`. */
  columnValue?: { $any$?: boolean; index?: number };
  groupId?: string;
}

/** `event.type` of a delivery: a function of the change alone, not of the subscription (API-FACTS "Webhooks"). */
export const EVENT_TYPES = {
  item_created: "create_pulse",
  column_value_changed: "update_column_value",
  name_changed: "update_name",
  item_archived: "archive_pulse",
  item_deleted: "delete_pulse",
  item_restored: "restore_pulse",
  item_moved: "move_pulse_into_group",
  column_created: "create_column",
} as const satisfies Record<StoreChange["kind"], string>;

const isSubitem = (change: StoreChange) => "parentItemId" in change && change.parentItemId !== null;
const isItem = (change: StoreChange) => "parentItemId" in change && change.parentItemId === null;
const itemOnly =
  (kind: ItemChange["kind"]) =>
  (change: StoreChange): boolean =>
    change.kind === kind && isItem(change);
const subitemOnly =
  (kind: ItemChange["kind"]) =>
  (change: StoreChange): boolean =>
    change.kind === kind && isSubitem(change);
const never = (): boolean => false;

function statusValueMatches(change: ColumnValueChanged, config: WebhookConfig): boolean {
  if (change.columnType !== "status" || change.columnId !== config.columnId) return false;
  if (config.columnValue?.index === undefined) return true;
  const stored = change.value ? (JSON.parse(change.value.value) as { index?: number }) : undefined;
  return stored?.index === config.columnValue.index;
}

/** A top-level item's column change that also passes `test`. */
const itemColumnChange =
  (test: (change: ColumnValueChanged, config: WebhookConfig) => boolean) =>
  (change: StoreChange, config: WebhookConfig): boolean =>
    change.kind === "column_value_changed" && isItem(change) && test(change, config);

/**
 * Which changes each subscription receives (subitem events are registered on the parent board, and a
 * subitem's changes go only to the subitem events). The update events, `move_subitem` and
 * `create_subitem_update` can be registered but never fire: the emulator has no updates and no way to
 * move a subitem.
 */
const MATCHES: Readonly<Record<WebhookEvent, (change: StoreChange, config: WebhookConfig) => boolean>> = {
  change_column_value: itemOnly("column_value_changed"),
  change_specific_column_value: itemColumnChange((change, config) => change.columnId === config.columnId),
  change_status_column_value: itemColumnChange(statusValueMatches),
  change_name: itemOnly("name_changed"),
  create_item: itemOnly("item_created"),
  create_subitem: subitemOnly("item_created"),
  change_subitem_column_value: subitemOnly("column_value_changed"),
  change_subitem_name: subitemOnly("name_changed"),
  item_archived: itemOnly("item_archived"),
  item_deleted: itemOnly("item_deleted"),
  item_restored: itemOnly("item_restored"),
  subitem_archived: subitemOnly("item_archived"),
  subitem_deleted: subitemOnly("item_deleted"),
  item_moved_to_any_group: itemOnly("item_moved"),
  item_moved_to_specific_group: (change, config) =>
    itemOnly("item_moved")(change) && "groupId" in change && change.groupId === config.groupId,
  create_column: (change) => change.kind === "column_created",
  move_subitem: never,
  create_update: never,
  edit_update: never,
  delete_update: never,
  create_subitem_update: never,
};

/** Whether a webhook on `boardId` for `event` receives `change` (the store tells a subitems board's parent). */
export function webhookReceives(
  webhook: { boardId: string; event: WebhookEvent; config: WebhookConfig },
  change: StoreChange,
  store: EmulatorStore,
): boolean {
  const board = store.boards.get(change.boardId);
  const registeredOn = isSubitem(change) ? board?.parentBoardId : change.boardId;
  return registeredOn === webhook.boardId && MATCHES[webhook.event](change, webhook.config);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** What each event's `config` must hold; `InvalidArgumentException` names what is wrong. */
const CONFIG_RULES: Partial<
  Record<WebhookEvent, (config: Record<string, unknown>, board: BoardRecord, store: EmulatorStore) => void>
> = {
  change_specific_column_value: (config, board, store) => {
    store.getColumn(board, requiredString(config, "columnId"));
  },
  change_status_column_value: (config, board, store) => {
    const column = store.getColumn(board, requiredString(config, "columnId"));
    if (column.type !== "status")
      throw new InvalidArgumentError(`column ${column.id} is not a status column`, { column_id: column.id });
    const value = config.columnValue;
    const valid =
      value === undefined || (isRecord(value) && (value.$any$ === true || Number.isInteger(value.index)));
    if (!valid)
      throw new InvalidArgumentError('config.columnValue must be {"$any$":true} or {"index":N}', {
        columnValue: value,
      });
  },
  item_moved_to_specific_group: (config, board, store) => {
    store.getGroup(board, requiredString(config, "groupId"));
  },
};

function requiredString(config: Record<string, unknown>, key: string): string {
  const value = config[key];
  if (typeof value !== "string" || value === "")
    throw new InvalidArgumentError(`config.${key} is required for this event`, { [key]: value ?? null });
  return value;
}

/** Parses and checks `create_webhook(config:)` (a JSON string or object) for `event` on `board`. */
export function parseWebhookConfig(
  raw: unknown,
  event: WebhookEvent,
  board: BoardRecord,
  store: EmulatorStore,
): WebhookConfig {
  let parsed: unknown = raw ?? {};
  if (typeof raw === "string") {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new InvalidArgumentError("config is not valid JSON", { config: raw });
    }
  }
  if (!isRecord(parsed)) throw new InvalidArgumentError("config must be a JSON object", { config: raw });
  CONFIG_RULES[event]?.(parsed, board, store);
  return parsed as WebhookConfig;
}

/** Events about subitems: registered on the parent board. */
export const SUBITEM_EVENTS: ReadonlySet<WebhookEvent> = new Set([
  "create_subitem",
  "change_subitem_column_value",
  "change_subitem_name",
  "subitem_archived",
  "subitem_deleted",
  "move_subitem",
  "create_subitem_update",
]);
