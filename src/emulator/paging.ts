import { randomBytes } from "node:crypto";
import { CursorExpiredError, InvalidArgumentError } from "./errors.js";
import type { ItemRecord, RecordState } from "./records.js";
import type { EmulatorStore } from "./store.js";

/** monday pages hold at most 500 items. */
export const MAX_PAGE_SIZE = 500;
/** Cursors expire 60 minutes after the first request of the listing. */
export const CURSOR_TTL_MS = 60 * 60 * 1000;

/** One page of an `ItemsResponse`. */
export interface ItemsPage {
  cursor: string | null;
  items: ItemRecord[];
}

interface CursorState {
  ids: readonly string[];
  offset: number;
  expiresAt: number;
}

/**
 * Opaque cursors over a snapshot of matching item ids, as `items_page` / `next_items_page` use them.
 * Filters apply on the first call only; later pages skip items deleted since.
 */
export class CursorBook {
  private readonly cursors = new Map<string, CursorState>();

  constructor(
    private readonly store: EmulatorStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** First page over `items`; a cursor is returned when more remain. */
  firstPage(items: readonly ItemRecord[], limit: number): ItemsPage {
    checkLimit(limit);
    return this.page(
      { ids: items.map((i) => i.id), offset: 0, expiresAt: this.clock() + CURSOR_TTL_MS },
      limit,
    );
  }

  /** The page after `cursor`; unknown or expired cursors are refused. */
  nextPage(cursor: string, limit: number): ItemsPage {
    checkLimit(limit);
    const state = this.cursors.get(cursor);
    if (!state || state.expiresAt < this.clock()) {
      this.cursors.delete(cursor);
      throw new CursorExpiredError();
    }
    return this.page(state, limit);
  }

  private page(state: CursorState, limit: number): ItemsPage {
    const visible: readonly RecordState[] = ["active", "archived"];
    const items: ItemRecord[] = [];
    let offset = state.offset;
    while (items.length < limit && offset < state.ids.length) {
      const item = this.store.items.get(state.ids[offset++] ?? "");
      if (item && visible.includes(item.state)) items.push(item);
    }
    if (offset >= state.ids.length) return { cursor: null, items };
    const cursor = newCursor();
    this.cursors.set(cursor, { ...state, offset });
    return { cursor, items };
  }
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidArgumentError(`limit must be between 1 and ${MAX_PAGE_SIZE}`, {
      limit,
      max: MAX_PAGE_SIZE,
    });
  }
}

function newCursor(): string {
  return `MSw${randomBytes(24).toString("base64url")}`;
}
