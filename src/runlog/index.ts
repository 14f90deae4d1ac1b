export {
  logRunStarted,
  logRunFinished,
  logCustomerRun,
  logChanges,
  recentRuns,
  lastFinishedRun,
  failedCustomers,
  findRun,
  batchChanges,
  laterBatches,
  batchesAfter,
  runsPage,
  runDetail,
  runChanges,
  lastSuccessByCustomer,
} from "./run-log.js";
export type { CustomerRunStatus, ChangeRecord, SyncRunCustomer } from "./run-log.js";
export { supersededChanges, prunableRuns, runCustomerRows, deleteChanges, deleteRuns } from "./prune.js";
export type { PrunableChange } from "./prune.js";
