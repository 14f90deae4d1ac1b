/** The records the emulator keeps in memory, shaped like monday.com's objects. */

/** monday `ColumnType` names the emulator knows (the SDL enum has them all). */
export type MondayColumnType =
  | "name"
  | "text"
  | "long_text"
  | "numbers"
  | "date"
  | "status"
  | "dropdown"
  | "checkbox"
  | "email"
  | "phone"
  | "link"
  | (string & {});

/** monday's `State` enum values an item or board can be in. */
export type RecordState = "active" | "archived" | "deleted";

/** A board column; `settings` is the JSON that `Column.settings` returns. */
export interface ColumnRecord {
  id: string;
  title: string;
  type: MondayColumnType;
  description: string | null;
  archived: boolean;
  /**
   * status: the 2025-10 shape `{ labels: [{ id, color, label, index, is_done, is_deactivated }] }` (see
   * status-labels.ts); dropdown: `{ labels: [{ id: 1, name: "A" }] }`; `{}` for most other types.
   */
  settings: Record<string, unknown>;
  /** Grows with each change of the column's structure; `Column.revision` serves it. */
  revision: number;
}

/** A board group. */
export interface GroupRecord {
  id: string;
  title: string;
  color: string;
  archived: boolean;
  deleted: boolean;
}

/** A board (a subitems board has `parentBoardId`). */
export interface BoardRecord {
  id: string;
  name: string;
  kind: "public" | "private" | "share";
  description: string | null;
  state: RecordState;
  columns: ColumnRecord[];
  groups: GroupRecord[];
  /** The board that holds this board's subitems, once there is one. */
  subitemsBoardId: string | null;
  /** For a subitems board: the board whose items are the parents. */
  parentBoardId: string | null;
  /** The board's items in creation order, every state included (deleted items stay, flagged). */
  items: Map<string, ItemRecord>;
}

/** A stored, non-empty column value, as monday returns it: `value` is raw JSON text, `text` the display string. */
export interface StoredValue {
  value: string;
  text: string;
}

/** An item (or a subitem, when `parentItemId` is set). */
export interface ItemRecord {
  id: string;
  name: string;
  boardId: string;
  groupId: string;
  state: RecordState;
  /** Column id → value; a missing key is an empty column. */
  values: Map<string, StoredValue>;
  parentItemId: string | null;
  createdAt: string;
  updatedAt: string;
}
