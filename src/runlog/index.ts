export {
  logRunStarted,
  logRunFinished,
  logCustomerRun,
  logChanges,
  recentRuns,
  lastFinishedRun,
  failedCustomers,
  runsPage,
  runDetail,
  runChanges,
  lastSuccessByCustomer,
} from "./run-log.js";
export type { CustomerRunStatus, SyncRunCustomer } from "./run-log.js";
