export {
  stageOrders,
  claimOrders,
  claimSubitems,
  markOrders,
  markSubitems,
  clearDone,
  leftoverRows,
  deleteStaged,
  deleteBatch,
  stagingCounts,
  pendingAge,
  nowIso,
  adoptStagedCreate,
  deleteStagedOrders,
} from "./staging.js";
export type {
  StageAction,
  StageStatus,
  StagedOrder,
  StagedSubitem,
  NewStagedOrder,
  NewStagedSubitem,
} from "./staging.js";
export { STAGED_STATES, TransitionError, transition, sourcesOf, initialStatus } from "./states.js";
