export {
  activeItemsOfBoard,
  countActiveOnBoard,
  dropState,
  loadStateRange,
  loadStateByKeys,
  saveState,
  insertStates,
  stateOfItem,
  learnBoardValue,
  forgetItem,
} from "./sync-state.js";
export type { StateToSave, SyncStateRow } from "./sync-state.js";
export { loadHolds, holdOrders, releaseHolds, heldCounts } from "./holds.js";
export type { Hold, HoldFilter } from "./holds.js";
