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
export { loadHolds, holdOrders, releaseHolds, heldCounts, heldBatchIds } from "./holds.js";
export type { Hold, HoldFilter } from "./holds.js";
