export {
  stageOrders,
  claimOrders,
  claimSubitems,
  claimNewOrders,
  pendingSubitemsOf,
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
export { recordBulkJob, markBulkJob, unfinishedBulkJobs, bulkUsageSince } from "./bulk-jobs.js";
export type { BulkJobRecord, BulkUsage } from "./bulk-jobs.js";
