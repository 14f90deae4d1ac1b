export {
  loadStateRange,
  loadStateByKeys,
  saveState,
  stateOfItem,
  learnBoardValue,
  forgetItem,
} from "./sync-state.js";
export type { SyncStateRow } from "./sync-state.js";
