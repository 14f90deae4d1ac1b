export {
  activeItemsOfBoard,
  countActiveOnBoard,
  dropState,
  loadStateRange,
  loadStateByKeys,
  saveState,
  insertStates,
  saveSourceHashes,
  sourceHashOf,
  stateOfItem,
  learnBoardValue,
  forgetItem,
} from "./sync-state.js";
export type { SourceHashRefresh, StateToSave, SyncStateRow } from "./sync-state.js";
export { loadHolds, holdOrders, releaseHolds, heldCounts } from "./holds.js";
export type { Hold, HoldFilter } from "./holds.js";
