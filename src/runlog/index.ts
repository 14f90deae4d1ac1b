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
} from "./run-log.js";
export type { CustomerRunStatus, ChangeRecord } from "./run-log.js";
