import type { BoardConfig } from "../config/index.js";
import type { BoardWebhook } from "./monday-api.js";
import { watchedColumns } from "./columns.js";

/** One webhook a board needs. */
export interface PlannedWebhook {
  boardId: string;
  event: string;
  config?: { columnId: string };
}

/** Item events every synced board needs (deleted, archived, created by hand, renamed). */
const ITEM_EVENTS = ["item_deleted", "item_archived", "create_item", "change_name"] as const;

/**
 * The webhooks a board needs (issue 14): `change_specific_column_value` per watched column of the board,
 * `change_subitem_column_value` when subitem columns are mapped (registered on the parent board), and
 * the item events. `columnIdOf` resolves columns the config names by title only.
 */
export function plannedWebhooks(
  board: BoardConfig,
  columnIdOf: (title: string) => string | undefined,
): PlannedWebhook[] {
  const ids = new Set<string>();
  let subitems = false;
  for (const column of watchedColumns(board)) {
    if (column.subitem) {
      subitems = true;
      continue;
    }
    const id = column.id ?? (column.title !== undefined ? columnIdOf(column.title) : undefined);
    if (id) ids.add(id);
  }
  return [
    ...[...ids].map((columnId) => ({
      boardId: board.id,
      event: "change_specific_column_value",
      config: { columnId },
    })),
    ...(subitems ? [{ boardId: board.id, event: "change_subitem_column_value" }] : []),
    ...ITEM_EVENTS.map((event) => ({ boardId: board.id, event })),
  ];
}

/** Whether an existing webhook is the planned one (same board, event and config). */
export function sameWebhook(existing: BoardWebhook, planned: PlannedWebhook): boolean {
  if (String(existing.board_id) !== planned.boardId || existing.event !== planned.event) return false;
  let config: unknown = null;
  try {
    config = existing.config ? JSON.parse(existing.config) : null;
  } catch {
    config = existing.config;
  }
  const want = planned.config ?? null;
  if (want === null)
    return config === null || (typeof config === "object" && Object.keys(config as object).length === 0);
  return (
    typeof config === "object" &&
    config !== null &&
    (config as { columnId?: unknown }).columnId === want.columnId
  );
}
