export {
  activeItemsOfBoard,
  countActiveOnBoard,
  dropState,
  loadStateRange,
  loadStateByKeys,
  saveState,
  stateOfItem,
  learnBoardValue,
  forgetItem,
} from "./sync-state.js";
export type { SyncStateRow } from "./sync-state.js";
export { loadHolds, holdOrders, releaseHolds, heldCounts } from "./holds.js";
export type { Hold, HoldFilter } from "./holds.js";
export { loadDiscards, saveDiscard, dropDiscards } from "./discards.js";
export type { DiscardedOrder } from "./discards.js";
