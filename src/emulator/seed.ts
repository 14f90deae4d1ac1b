import type { BoardRecord } from "./records.js";
import type { BoardSpec, EmulatorStore } from "./store.js";

/**
 * Creates each board of `boards` whose id is not in the store yet (boards without an id are always
 * created); boards that already exist are left alone, so a prepared store can be seeded again.
 *
 * @example seedBoards(emulator.store, [{ id: "1", name: "Orders", columns: [{ id: "po", title: "PO", type: "text" }] }])
 */
export function seedBoards(store: EmulatorStore, boards: readonly BoardSpec[]): BoardRecord[] {
  return boards
    .filter((board) => board.id === undefined || !store.boards.has(board.id))
    .map((board) => store.createBoard(board));
}
