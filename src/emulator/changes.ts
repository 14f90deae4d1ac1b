import { randomUUID } from "node:crypto";
import type { StoredValue } from "./records.js";

/** What every change carries: who made it, when, and on which board. */
interface ChangeBase {
  /** Unique id (what `activity_logs` returns as `id`). */
  id: string;
  /** Increasing number of the change in its store. */
  seq: number;
  /** When it happened on the store's clock, in ms since the epoch. */
  at: number;
  /** The acting user's id (the token's user, or the user an admin edit names). */
  userId: string;
  /** The board the item or column is on (for a subitem: its subitems board). */
  boardId: string;
}

/** The item a change is about, as it was right after the change. */
interface ItemChangeBase extends ChangeBase {
  itemId: string;
  itemName: string;
  groupId: string;
  /** Set for a subitem. */
  parentItemId: string | null;
}

/** An item or subitem was created, with the values it was created with. */
export interface ItemCreated extends ItemChangeBase {
  kind: "item_created";
  values: ReadonlyMap<string, StoredValue>;
}

/** One column of an item changed; `previous`/`value` are `null` for an empty cell. */
export interface ColumnValueChanged extends ItemChangeBase {
  kind: "column_value_changed";
  columnId: string;
  /** The column's title and type when the change happened (a later rename does not rewrite history). */
  columnTitle: string;
  columnType: string;
  previous: StoredValue | null;
  value: StoredValue | null;
}

/** An item was renamed. */
export interface NameChanged extends ItemChangeBase {
  kind: "name_changed";
  previousName: string;
}

/** An item was archived, deleted, or brought back to active. */
export interface ItemStateChanged extends ItemChangeBase {
  kind: "item_archived" | "item_deleted" | "item_restored";
}

/** An item moved to another group of its board. */
export interface ItemMoved extends ItemChangeBase {
  kind: "item_moved";
  previousGroupId: string;
}

/** A column was added to a live board (not the columns a board is created with). */
export interface ColumnCreated extends ChangeBase {
  kind: "column_created";
  columnId: string;
  columnTitle: string;
  columnType: string;
}

/** One change to the emulated account, as the change feed records it. */
export type StoreChange =
  ItemCreated | ColumnValueChanged | NameChanged | ItemStateChanged | ItemMoved | ColumnCreated;

/** Changes of items (everything but column creation). */
export type ItemChange = Exclude<StoreChange, ColumnCreated>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A change as the store reports it; the feed numbers it. */
export type NewChange = DistributiveOmit<StoreChange, "id" | "seq">;

/** What a store method says happened; the store adds the time and the acting user. */
export type ChangeDraft = DistributiveOmit<NewChange, "at" | "userId">;

/** A listener of the feed; it runs synchronously inside the write, so it sees the store as the change left it. */
export type ChangeListener = (change: StoreChange) => void;

/** monday keeps at most 10,000 activity-log entries a board; the feed keeps as many. */
export const MAX_CHANGES_PER_BOARD = 10_000;

/**
 * The store's change feed: every write emits one typed change with the acting user and the time. Webhooks
 * and `activity_logs` are both built from it, so they always agree.
 *
 * @example
 * const stop = store.changes.subscribe((change) => console.log(change.kind, change.userId));
 */
export class ChangeFeed {
  private readonly byBoard = new Map<string, StoreChange[]>();
  private readonly listeners = new Set<ChangeListener>();
  private seq = 0;

  /** Records a change and tells every listener. */
  record(change: NewChange): StoreChange {
    const full = { ...change, id: randomUUID(), seq: ++this.seq } as StoreChange;
    const list = this.byBoard.get(full.boardId) ?? [];
    list.push(full);
    if (list.length > MAX_CHANGES_PER_BOARD) list.shift();
    this.byBoard.set(full.boardId, list);
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** Calls `listener` for every later change; returns the function that stops it. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A board's changes, oldest first. */
  ofBoard(boardId: string): readonly StoreChange[] {
    return this.byBoard.get(boardId) ?? [];
  }
}
