export {
  logRunStarted,
  logRunFinished,
  logCustomerRun,
  logChanges,
  recentRuns,
  lastFinishedRun,
  failedCustomers,
} from "./run-log.js";
export type { CustomerRunStatus } from "./run-log.js";
