import { AsyncLocalStorage } from "node:async_hooks";
import { ChangeFeed, type ChangeDraft, type NewChange } from "./changes.js";
import { initialColumnSettings, writeColumnValue, type PersonLookup } from "./column-values.js";
import {
  InternalServerError,
  InvalidArgumentError,
  InvalidBoardIdError,
  InvalidColumnIdError,
  ItemNameTooLongError,
  ItemsLimitationError,
  ResourceNotFoundError,
} from "./errors.js";
import { JobBook } from "./jobs.js";
import type {
  BoardRecord,
  ColumnRecord,
  GroupRecord,
  ItemRecord,
  MondayColumnType,
  RecordState,
  StoredValue,
} from "./records.js";
import { UpdateBook } from "./updates.js";
import { DEFAULT_USER } from "./users.js";

/** A column to create: `id` is derived from the type when omitted, like monday does (`text_mk00001`). */
export interface ColumnSpec {
  id?: string;
  title: string;
  type: MondayColumnType;
  /** Status / dropdown labels the column starts with. */
  labels?: readonly string[];
  /** Settings to start with instead of the type's defaults (`create_column`'s `defaults`). */
  settings?: Record<string, unknown>;
  description?: string;
  /** Insert after this column (`after_column_id`); at the end when omitted. */
  afterColumnId?: string;
}

/** What `change_column_title` / `change_column_metadata` change. */
export interface ColumnChange {
  title?: string;
  description?: string;
}

/**
 * The columns monday gives a new subitems board besides its name: Owner (people), Status and Date.
 * Boards whose subitems board is pre-created (the seed) name their own columns instead.
 */
const DEFAULT_SUBITEM_COLUMNS: readonly ColumnSpec[] = [
  { id: "person", title: "Owner", type: "people" },
  { id: "status", title: "Status", type: "status" },
  { id: "date0", title: "Date", type: "date" },
];

/** A group to create: `id` is generated when omitted (`group_mk00001`). */
export interface GroupSpec {
  id?: string;
  title: string;
  color?: string;
}

/** A board to create; see {@link EmulatorStore.createBoard}. */
export interface BoardSpec {
  id?: string;
  name: string;
  kind?: BoardRecord["kind"];
  description?: string;
  columns: readonly ColumnSpec[];
  /** Defaults to one group, `topics` "Group Title", as a new monday board has. */
  groups?: readonly GroupSpec[];
  /** Pre-creates the board's subitems board (monday creates it with the first subitem). */
  subitemsBoard?: { id?: string; name?: string; columns: readonly ColumnSpec[] };
}

/** An item to create; `columnValues` is the parsed `column_values` object. */
export interface ItemSpec {
  boardId: string;
  name: string;
  groupId?: string | null;
  columnValues?: Record<string, unknown>;
  createLabels?: boolean;
  parentItemId?: string | null;
}

/** monday's maximum number of items on a board. */
export const MAX_ITEMS_PER_BOARD = 10_000;
/** Item names are 1–255 characters (the emulator's own copy of `src/monday/limits.ts`: it imports no product code). */
export const MAX_ITEM_NAME = 255;

/** Column id prefixes monday uses for new columns (status columns are `color_…`, numbers `numeric_…`). */
const COLUMN_ID_PREFIX: Readonly<Record<string, string>> = {
  status: "color",
  numbers: "numeric",
  checkbox: "boolean",
  people: "person",
};
const GROUP_COLORS = ["#579bfc", "#00c875", "#fdab3d", "#e2445c", "#a25ddc", "#037f4c"];

/** Options of an {@link EmulatorStore}. */
export interface StoreOptions {
  /** Clock for `created_at`, `updated_at` and `changed_at` (tests may freeze it). */
  now?: () => Date;
  /** First item id handed out; ids are numeric strings that only grow. */
  firstItemId?: number;
}

/**
 * The emulator's in-memory monday.com account: boards, columns, groups, items and their values.
 * Tests reach it through `emulator.store` to inspect or alter state without going through the API.
 *
 * @example
 * const store = new EmulatorStore();
 * const board = store.createBoard({ id: "1", name: "Orders", columns: [{ id: "status", title: "Status", type: "status", labels: ["Open", "Done"] }] });
 * store.createItem({ boardId: board.id, name: "A-1", columnValues: { status: { label: "Done" } } });
 */
export class EmulatorStore {
  readonly boards = new Map<string, BoardRecord>();
  readonly items = new Map<string, ItemRecord>();
  /** Updates (posts) on items: `create_update`, `updates`. */
  readonly updates = new UpdateBook();
  /** Asynchronous jobs: `bulk_archive_items`, `job_status`. */
  readonly jobs: JobBook;
  /** Parent item id → its subitems in creation order (see {@link subitemsOf}). */
  private readonly children = new Map<string, ItemRecord[]>();
  private nextItemId: number;
  private nextBoardId = 7_000_000_001;
  private nextSuffix = 1;
  private readonly clock: () => Date;
  /** Who people columns may name; the emulator sets it to its users (any id goes without it). */
  person: PersonLookup | undefined;
  /** Every change, with who made it and when: what webhooks and `activity_logs` are built from. */
  readonly changes = new ChangeFeed();
  private readonly actor = new AsyncLocalStorage<string>();
  /** Boards whose creation is under way: their initial columns are not changes of a live board. */
  private readonly boardsInCreation = new Set<string>();

  constructor(options: StoreOptions = {}) {
    this.clock = options.now ?? (() => new Date());
    this.nextItemId = options.firstItemId ?? 9_000_000_001;
    this.jobs = new JobBook(() => this.now());
  }

  /** The current time as monday writes it (ISO 8601, UTC). */
  now(): string {
    return this.clock().toISOString();
  }

  /**
   * Runs `work` as the user `userId`: every change it makes (also after an `await`) carries that user.
   * Changes made outside any `actingAs` are the default user's.
   *
   * @example store.actingAs("1000002", () => store.changeColumnValues("1", "9000000001", { status: "Done" }));
   */
  actingAs<T>(userId: string, work: () => T): T {
    return this.actor.run(userId, work);
  }

  /** The user the current changes are made by. */
  actingUserId(): string {
    return this.actor.getStore() ?? DEFAULT_USER.id;
  }

  /** Creates a board with its columns (a `name` column first, as on monday), groups and optional subitems board. */
  createBoard(spec: BoardSpec): BoardRecord {
    const id = spec.id ?? this.newBoardId();
    if (this.boards.has(id)) throw new InvalidArgumentError(`board ${id} already exists`, { board_id: id });
    const board: BoardRecord = {
      id,
      name: spec.name,
      kind: spec.kind ?? "public",
      description: spec.description ?? null,
      state: "active",
      columns: [],
      groups: [],
      subitemsBoardId: null,
      parentBoardId: null,
      items: new Map(),
    };
    this.boards.set(id, board);
    this.boardsInCreation.add(id);
    this.addColumn(id, { id: "name", title: "Name", type: "name" });
    for (const column of spec.columns) this.addColumn(id, column);
    const groups = spec.groups?.length ? spec.groups : [{ id: "topics", title: "Group Title" }];
    for (const group of groups) this.addGroup(id, group);
    if (spec.subitemsBoard) this.ensureSubitemsBoard(id, spec.subitemsBoard);
    this.boardsInCreation.delete(id);
    return board;
  }

  /** The board with `id`, or `InvalidBoardIdException`. */
  getBoard(id: string): BoardRecord {
    const board = this.boards.get(id);
    if (!board || board.state === "deleted") throw new InvalidBoardIdError(id);
    return board;
  }

  /** Adds a column; its id is derived from the type when not given. */
  addColumn(boardId: string, spec: ColumnSpec): ColumnRecord {
    const board = this.getBoard(boardId);
    const id = spec.id ?? this.deriveColumnId(board, spec.type);
    if (board.columns.some((c) => c.id === id))
      throw new InvalidArgumentError(`column ${id} already exists on board ${boardId}`, { column_id: id });
    const column: ColumnRecord = {
      id,
      title: spec.title,
      type: spec.type,
      description: spec.description ?? null,
      archived: false,
      settings: spec.settings ?? initialColumnSettings(spec.type, spec.labels),
      revision: 1,
    };
    const after = spec.afterColumnId === undefined ? undefined : this.getColumn(board, spec.afterColumnId);
    board.columns.splice(after ? board.columns.indexOf(after) + 1 : board.columns.length, 0, column);
    if (!this.boardsInCreation.has(board.id)) {
      const { id: columnId, title: columnTitle, type: columnType } = column;
      this.emit({ kind: "column_created", boardId: board.id, columnId, columnTitle, columnType });
    }
    return column;
  }

  /** The live (not archived) column `columnId` of a board, or `InvalidColumnIdException`. */
  getColumn(board: BoardRecord, columnId: string): ColumnRecord {
    const column = board.columns.find((c) => c.id === columnId && !c.archived);
    if (!column) throw new InvalidColumnIdError(columnId);
    return column;
  }

  /** Adds a group; monday-like id (`group_mk…`) when none is given. */
  addGroup(boardId: string, spec: GroupSpec): GroupRecord {
    const board = this.getBoard(boardId);
    const id = spec.id ?? `group_mk${this.suffix()}`;
    if (board.groups.some((g) => g.id === id))
      throw new InvalidArgumentError(`group ${id} already exists on board ${boardId}`, { group_id: id });
    const color = spec.color ?? GROUP_COLORS[board.groups.length % GROUP_COLORS.length] ?? "#579bfc";
    const group: GroupRecord = { id, title: spec.title, color, archived: false, deleted: false };
    board.groups.push(group);
    return group;
  }

  /** The live group `groupId` of a board, or `ResourceNotFoundException`. */
  getGroup(board: BoardRecord, groupId: string): GroupRecord {
    const group = board.groups.find((g) => g.id === groupId && !g.deleted);
    if (!group) throw new ResourceNotFoundError("Group", groupId);
    return group;
  }

  /** The board's first live group (where items land without `group_id`). */
  topGroup(board: BoardRecord): GroupRecord {
    const group = board.groups.find((g) => !g.deleted && !g.archived);
    if (!group) throw new InternalServerError(`board ${board.id} has no group`);
    return group;
  }

  /** The subitems board of `parentBoardId`, created (with `spec`) if it has none yet. */
  ensureSubitemsBoard(parentBoardId: string, spec?: BoardSpec["subitemsBoard"]): BoardRecord {
    const parent = this.getBoard(parentBoardId);
    if (parent.subitemsBoardId) return this.getBoard(parent.subitemsBoardId);
    const board = this.createBoard({
      id: spec?.id,
      name: spec?.name ?? `Subitems of ${parent.name}`,
      kind: parent.kind,
      columns: spec?.columns ?? DEFAULT_SUBITEM_COLUMNS,
      groups: [{ id: "topics", title: "Subitems" }],
    });
    board.parentBoardId = parent.id;
    parent.subitemsBoardId = board.id;
    this.addSubitemsColumn(parent);
    return board;
  }

  /** Creates an item after validating its name and every column value (nothing is written if one fails). */
  createItem(spec: ItemSpec): ItemRecord {
    const board = this.getBoard(spec.boardId);
    checkItemName(stripHtml(spec.name));
    const group = spec.groupId ? this.getGroup(board, spec.groupId) : this.topGroup(board);
    if (this.atItemCap(board)) throw new ItemsLimitationError(board.id, MAX_ITEMS_PER_BOARD);
    const now = this.now();
    const draft: ItemRecord = {
      id: "",
      name: stripHtml(spec.name),
      boardId: board.id,
      groupId: group.id,
      state: "active",
      values: new Map(),
      parentItemId: spec.parentItemId ?? null,
      createdAt: now,
      updatedAt: now,
    };
    this.applyValues(draft, board, spec.columnValues ?? {}, spec.createLabels ?? false);
    draft.id = String(this.nextItemId++);
    this.items.set(draft.id, draft);
    board.items.set(draft.id, draft);
    this.linkToParent(draft);
    this.emit({ kind: "item_created", ...itemOf(draft), values: new Map(draft.values) });
    return draft;
  }

  /** Creates a subitem of `parentItemId` on the parent board's subitems board (created on first use). */
  createSubitem(
    parentItemId: string,
    spec: Omit<ItemSpec, "boardId" | "parentItemId" | "groupId">,
  ): ItemRecord {
    const parent = this.getItem(parentItemId);
    const subBoard = this.ensureSubitemsBoard(parent.boardId);
    return this.createItem({ ...spec, boardId: subBoard.id, parentItemId: parent.id });
  }

  /** The item `id` in any state, or `ResourceNotFoundException`. */
  getItem(id: string): ItemRecord {
    const item = this.items.get(id);
    if (!item) throw new ResourceNotFoundError("Item", id);
    return item;
  }

  /** Writes column values (and `name`) to an item of `boardId`; all values are validated before any is stored. */
  changeColumnValues(
    boardId: string,
    itemId: string,
    values: Record<string, unknown>,
    createLabels = false,
  ): ItemRecord {
    const board = this.getBoard(boardId);
    const item = this.getItem(itemId);
    if (item.boardId !== board.id || item.state === "deleted")
      throw new ResourceNotFoundError("Item", itemId);
    const before = { name: item.name, values: new Map(item.values) };
    this.applyValues(item, board, values, createLabels);
    item.updatedAt = this.now();
    this.emitValueChanges(board, item, before, Object.keys(values));
    return item;
  }

  /** Moves an item to another group of its board. */
  moveItem(itemId: string, groupId: string): ItemRecord {
    const item = this.getItem(itemId);
    const previousGroupId = item.groupId;
    item.groupId = this.getGroup(this.getBoard(item.boardId), groupId).id;
    item.updatedAt = this.now();
    if (item.groupId !== previousGroupId) this.emit({ kind: "item_moved", ...itemOf(item), previousGroupId });
    return item;
  }

  /**
   * Sets an item's state (`archived` / `deleted` / back to `active`). Archiving takes the item's active
   * subitems with it, as monday's UI does (API-FACTS: not confirmed through the API).
   */
  setItemState(itemId: string, state: RecordState): ItemRecord {
    const item = this.getItem(itemId);
    if (item.state === "deleted") throw new ResourceNotFoundError("Item", itemId);
    const previous = item.state;
    item.state = state;
    item.updatedAt = this.now();
    if (state === "archived")
      for (const sub of this.subitemsOf(item)) if (sub.state === "active") this.setItemState(sub.id, state);
    if (state !== previous) this.emit({ kind: STATE_CHANGES[state], ...itemOf(item) });
    return item;
  }

  /**
   * Whether a board holds its cap of active and archived items. A board that never held that many items
   * (deleted ones included) is under it without a count, so a create stays O(1) on a large board.
   */
  atItemCap(board: BoardRecord): boolean {
    if (board.items.size < MAX_ITEMS_PER_BOARD) return false;
    let live = 0;
    for (const item of board.items.values()) if (item.state !== "deleted") live++;
    return live >= MAX_ITEMS_PER_BOARD;
  }

  /** A board's items in creation order, limited to the given states. */
  itemsOfBoard(boardId: string, states: readonly RecordState[] = ["active"]): ItemRecord[] {
    const items = this.boards.get(boardId)?.items.values() ?? [];
    return [...items].filter((i) => states.includes(i.state));
  }

  /** The subitems of an item (not deleted), in creation order. */
  subitemsOf(item: ItemRecord): ItemRecord[] {
    return (this.children.get(item.id) ?? []).filter((s) => s.state !== "deleted");
  }

  /** The stored value of a column, or `undefined` when empty. */
  valueOf(item: ItemRecord, columnId: string): StoredValue | undefined {
    return item.values.get(columnId);
  }

  /** Changes a column's title and/or description (`change_column_title`, `change_column_metadata`). */
  changeColumn(boardId: string, columnId: string, change: ColumnChange): ColumnRecord {
    const column = this.getColumn(this.getBoard(boardId), columnId);
    if (change.title !== undefined) column.title = change.title;
    if (change.description !== undefined) column.description = change.description;
    column.revision++;
    return column;
  }

  /**
   * Deletes a column: it leaves the board and every item's values. The `name` column, and the subitems
   * column while the board has a subitems board, cannot be deleted.
   */
  deleteColumn(boardId: string, columnId: string): ColumnRecord {
    const board = this.getBoard(boardId);
    const column = this.getColumn(board, columnId);
    if (column.type === "name" || column.type === "subtasks")
      throw new InvalidArgumentError(`the ${column.type} column cannot be deleted`, { column_id: columnId });
    board.columns.splice(board.columns.indexOf(column), 1);
    for (const item of board.items.values()) item.values.delete(column.id);
    return column;
  }

  /**
   * Duplicates an item into the same group with a new id: same name and column values (monday's name for
   * the copy is not documented, so the name is kept; subitems are not copied).
   */
  duplicateItem(boardId: string, itemId: string): ItemRecord {
    const board = this.getBoard(boardId);
    const original = this.getItem(itemId);
    if (original.boardId !== board.id || original.state === "deleted")
      throw new ResourceNotFoundError("Item", itemId);
    if (this.atItemCap(board)) throw new ItemsLimitationError(board.id, MAX_ITEMS_PER_BOARD);
    const now = this.now();
    const copy: ItemRecord = {
      ...original,
      id: String(this.nextItemId++),
      state: "active",
      values: new Map(original.values),
      createdAt: now,
      updatedAt: now,
    };
    this.items.set(copy.id, copy);
    board.items.set(copy.id, copy);
    this.linkToParent(copy);
    return copy;
  }

  private applyValues(
    item: ItemRecord,
    board: BoardRecord,
    values: Record<string, unknown>,
    createLabels: boolean,
  ): void {
    const now = this.now();
    const drafts = new Map<ColumnRecord, Record<string, unknown>>();
    const results = new Map<string, StoredValue | null>();
    let name: string | undefined;
    for (const [columnId, input] of Object.entries(values)) {
      const column = this.getColumn(board, columnId);
      if (column.type === "name") {
        name = nameFromInput(input);
        continue;
      }
      // Only created labels change the lists in the settings; without them a shallow draft is enough.
      const settings =
        drafts.get(column) ?? (createLabels ? structuredClone(column.settings) : { ...column.settings });
      drafts.set(column, settings);
      results.set(
        columnId,
        writeColumnValue(column, input, { settings, createLabels, now, person: this.person }),
      );
    }
    if (name !== undefined) item.name = name;
    for (const [column, settings] of drafts) column.settings = settings;
    for (const [columnId, value] of results) {
      if (value === null) item.values.delete(columnId);
      else item.values.set(columnId, value);
    }
  }

  /** Gives a board that now has a subitems board monday's `subitems` column (type `subtasks`). */
  private addSubitemsColumn(parent: BoardRecord): void {
    if (parent.columns.some((c) => c.type === "subtasks")) return;
    const taken = parent.columns.some((c) => c.id === "subitems");
    // monday's subitems column names its subitems board in its settings, e.g. `{"boardIds":[123]}`.
    const settings = { allowMultipleItems: true, boardIds: [Number(parent.subitemsBoardId)] };
    this.addColumn(parent.id, {
      ...(!taken && { id: "subitems" }),
      title: "Subitems",
      type: "subtasks",
      settings,
    });
  }

  /** Records a change made now by the acting user. */
  private emit(change: ChangeDraft): void {
    this.changes.record({ ...change, at: this.clock().getTime(), userId: this.actingUserId() } as NewChange);
  }

  /** One change per written column whose value really changed (`changed_at` aside), and one for a new name. */
  private emitValueChanges(
    board: BoardRecord,
    item: ItemRecord,
    before: { name: string; values: ReadonlyMap<string, StoredValue> },
    columnIds: readonly string[],
  ): void {
    if (item.name !== before.name)
      this.emit({ kind: "name_changed", ...itemOf(item), previousName: before.name });
    for (const columnId of new Set(columnIds)) {
      const column = this.getColumn(board, columnId);
      if (column.type === "name") continue;
      const previous = before.values.get(columnId) ?? null;
      const value = item.values.get(columnId) ?? null;
      if (sameValue(previous, value)) continue;
      const { title: columnTitle, type: columnType } = column;
      this.emit({
        kind: "column_value_changed",
        ...itemOf(item),
        columnId,
        columnTitle,
        columnType,
        previous,
        value,
      });
    }
  }

  /** Indexes a subitem under its parent: every read of a parent's `subitems` column asks for them. */
  private linkToParent(item: ItemRecord): void {
    if (item.parentItemId === null) return;
    const siblings = this.children.get(item.parentItemId) ?? [];
    siblings.push(item);
    this.children.set(item.parentItemId, siblings);
  }

  private newBoardId(): string {
    while (this.boards.has(String(this.nextBoardId))) this.nextBoardId++;
    return String(this.nextBoardId++);
  }

  private deriveColumnId(board: BoardRecord, type: MondayColumnType): string {
    const prefix = COLUMN_ID_PREFIX[type] ?? type;
    let id: string;
    do id = `${prefix}_mk${this.suffix()}`;
    while (board.columns.some((c) => c.id === id));
    return id;
  }

  /** A short, unique, lower-case suffix like monday's `mkx1abcd`. */
  private suffix(): string {
    return (this.nextSuffix++).toString(36).padStart(6, "0");
  }
}

/** The change each target state is. */
const STATE_CHANGES = {
  archived: "item_archived",
  deleted: "item_deleted",
  active: "item_restored",
} as const satisfies Record<RecordState, string>;

/** The item fields every item change carries. */
function itemOf(item: ItemRecord) {
  return {
    boardId: item.boardId,
    itemId: item.id,
    itemName: item.name,
    groupId: item.groupId,
    parentItemId: item.parentItemId,
  };
}

/**
 * Whether two stored values are the same cell content, `changed_at` left out. Writing the value a cell
 * already holds is not a change: the emulator fires no webhook and logs no activity for it (monday's UI logs
 * none either; what its webhooks do for such a write is not documented).
 */
function sameValue(a: StoredValue | null, b: StoredValue | null): boolean {
  if (a === null || b === null) return a === b;
  return a.text === b.text && withoutChangedAt(a.value) === withoutChangedAt(b.value);
}

function withoutChangedAt(json: string): string {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return json;
  const { changed_at: _changedAt, ...rest } = parsed as Record<string, unknown>;
  return JSON.stringify(rest);
}

/** Item names are 1–255 characters (counted as characters, not UTF-16 units). */
export function checkItemName(name: string): void {
  const length = [...name].length;
  if (length < 1 || length > MAX_ITEM_NAME) throw new ItemNameTooLongError(length);
}

function nameFromInput(input: unknown): string {
  const name = stripHtml(typeof input === "string" ? input : typeof input === "number" ? String(input) : "");
  checkItemName(name);
  return name;
}

/** monday strips HTML from item names (API-FACTS "Column values"): `"<b>A-1</b>"` is stored as `"A-1"`. */
export function stripHtml(name: string): string {
  return name.replace(/<[^>]*>/g, "");
}
