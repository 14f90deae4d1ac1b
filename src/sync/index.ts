export { runSync } from "./engine.js";
export type {
  SyncSummary,
  CustomerResult,
  ValidationSummary,
  RunOptions,
  CustomerPipeline,
} from "./engine.js";
// The steps another command composes into its own customer pipeline (rollback: reconcile → stage → push → record → clear).
export { reconcileLeftovers } from "./steps/reconcile.js";
export { pushStaged } from "./steps/push.js";
export { recordResults } from "./steps/record.js";
export { clearDone } from "./steps/clear.js";
export { writeValues, subitemName, removalEntry } from "./steps/stage.js";
export type { CustomerRunContext, SharedBoards } from "./customer-context.js";
export type { CustomerMeters } from "./customer-pipeline.js";
export { newBatchId, selectCustomers, prepare, customerContext } from "./prepare.js";
export type { SyncDeps, Prepared } from "./prepare.js";
export { planSync } from "./plan.js";
export type { PlannedChange, PlanOptions, PlanResult } from "./plan.js";
export type { PlannedLanes } from "./plan-lanes.js";
export { validateSource } from "./validate-source.js";
export { reconcileBoards } from "./reconcile-board.js";
export type { ReconcileReport, UnknownItem, MissingItem, DifferentValue } from "./reconcile-board.js";
export { EXIT, OUTCOMES, outcomeOf, errorMessage } from "../errors/index.js";
export type { Outcome, OutcomeError } from "../errors/index.js";
export { SyncScheduler } from "./scheduler.js";
export type { Schedule, Trigger, ActiveRun, TriggerResult } from "./scheduler.js";
export { CustomerLease, currentLeases, newOwnerId } from "./customer-locks.js";
export type { LeaseHolder } from "./customer-locks.js";
export type { SyncCounts } from "./counts.js";
export { SyncEvents, SYNC_STEPS } from "./events.js";
export type { SyncEventMap, SyncStep } from "./events.js";
export { MondayUnavailableError } from "./port.js";
export type {
  SyncMonday,
  MondayWatch,
  MondayPort,
  WriteOp,
  WriteOutcome,
  FoundItem,
  BoardCell,
  BoardItem,
  MondayStats,
  MondayObserver,
} from "./port.js";
export { runDoctor } from "./doctor.js";
export type { DoctorCheck, DoctorReport } from "./doctor.js";
