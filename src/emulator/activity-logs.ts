import type { StoreChange } from "./changes.js";
import { ACCOUNT_ID } from "./replies.js";
import type { EmulatorStore } from "./store.js";
import { EVENT_TYPES } from "./webhooks/events.js";
import { changeFields } from "./webhooks/payloads.js";

/** An `ActivityLogType` as the API returns it. */
export interface ActivityLogView {
  id: string;
  event: string;
  entity: string;
  data: string;
  created_at: string;
  user_id: string;
  account_id: string;
}

/** `Board.activity_logs` arguments. */
export interface ActivityLogQuery {
  from?: string | null;
  to?: string | null;
  column_ids?: readonly string[] | null;
  group_ids?: readonly string[] | null;
  item_ids?: readonly string[] | null;
  user_ids?: readonly string[] | null;
  limit?: number | null;
  page?: number | null;
}

/** monday's `created_at` of a log: a 17-digit string, Unix seconds × 10,000,000 (API-FACTS). */
export function activityTimestamp(ms: number): string {
  return String(Math.round(ms * 10_000));
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * `data` of a log: the change's fields as its webhook sends them, keyed in snake_case as monday's logs
 * are (`pulse_id`, `column_type`, `previous_value`…). The exact per-event shape is not confirmed (API-FACTS).
 */
function activityData(change: StoreChange, store: EmulatorStore): string {
  const fields = Object.entries(changeFields(change, store)).map(([k, v]) => [snakeCase(k), v]);
  return JSON.stringify(Object.fromEntries(fields));
}

const has = (list: readonly string[] | null | undefined, value: string | undefined) =>
  !list || (value !== undefined && list.map(String).includes(value));

function matches(change: StoreChange, query: ActivityLogQuery): boolean {
  const from = query.from ? Date.parse(query.from) : -Infinity;
  const to = query.to ? Date.parse(query.to) : Infinity;
  return (
    change.at >= from &&
    change.at <= to &&
    has(query.column_ids, "columnId" in change ? change.columnId : undefined) &&
    has(query.group_ids, "groupId" in change ? change.groupId : undefined) &&
    has(query.item_ids, "itemId" in change ? change.itemId : undefined) &&
    has(query.user_ids, change.userId)
  );
}

/**
 * A board's activity log, newest first, built from the store's change feed (the same changes webhooks
 * deliver), filtered and paged like monday's `activity_logs`.
 *
 * @example activityLogs(store, "100", { item_ids: ["9000000001"], limit: 10 })
 */
export function activityLogs(
  store: EmulatorStore,
  boardId: string,
  query: ActivityLogQuery,
): ActivityLogView[] {
  const size = Math.max(1, query.limit ?? 25);
  const start = (Math.max(1, query.page ?? 1) - 1) * size;
  return [...store.changes.ofBoard(boardId)]
    .reverse()
    .filter((change) => matches(change, query))
    .slice(start, start + size)
    .map((change) => ({
      id: change.id,
      event: EVENT_TYPES[change.kind],
      entity: change.kind === "column_created" ? "board" : "pulse",
      data: activityData(change, store),
      created_at: activityTimestamp(change.at),
      user_id: change.userId,
      account_id: String(ACCOUNT_ID),
    }));
}
