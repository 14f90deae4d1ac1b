import type { SyncEventMap, SyncEvents } from "../sync/index.js";

/** The latest comparison of one customer's board with the sync state (a sync's board check, or `reconcile`). */
export interface DriftEntry {
  customer: string;
  boardId: string;
  /** Items on the board that no order's state knows. */
  unknown: number;
  /** Orders whose item was gone from the board (the sync that found them created them again). */
  missing: number;
  /** Fields whose board value differs from the state's (only `reconcile` compares values). */
  differ: number;
  at: string;
}

/** Keeps the latest board check per customer, from the sync's `boardChecked` events. */
export class DriftWatch {
  readonly #latest = new Map<string, DriftEntry>();
  readonly #off: () => void;

  constructor(events: SyncEvents) {
    this.#off = events.subscribe({ boardChecked: (e) => this.note(e) });
  }

  /** Every customer's latest check, by customer name. */
  entries(): DriftEntry[] {
    return [...this.#latest.values()].sort((a, b) => a.customer.localeCompare(b.customer));
  }

  close(): void {
    this.#off();
  }

  private note(e: SyncEventMap["boardChecked"][0]): void {
    const before = this.#latest.get(e.customer);
    this.#latest.set(e.customer, {
      customer: e.customer,
      boardId: e.boardId,
      unknown: e.unknown,
      missing: e.missing,
      // A sync does not compare values: what the last reconcile found stands until one does again.
      differ: e.differ ?? before?.differ ?? 0,
      at: new Date().toISOString(),
    });
  }
}
