export {
  activeItemsOfBoard,
  countActiveOnBoard,
  dropState,
  loadStateRange,
  loadStateByKeys,
  saveState,
  insertStates,
  insertStatesIn,
  saveSubitemStates,
  saveSourceHashes,
  sourceHashOf,
  stateOfItem,
  learnBoardValue,
  learnSubitemValue,
  sizeOfSubitem,
  forgetItem,
} from "./sync-state.js";
export type { SourceHashRefresh, StateToSave, SyncStateRow } from "./sync-state.js";
export { loadHolds, holdOrders, releaseHolds, heldCounts, heldBatchIds } from "./holds.js";
export type { Hold, HoldFilter } from "./holds.js";
export { loadDiscards, saveDiscard, dropDiscards } from "./discards.js";
export type { DiscardedOrder } from "./discards.js";
