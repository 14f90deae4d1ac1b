export {
  activeItemsOfBoard,
  countActiveOnBoard,
  dropState,
  loadStateRange,
  loadStateByKeys,
  saveState,
} from "./sync-state.js";
export type { SyncStateRow } from "./sync-state.js";
