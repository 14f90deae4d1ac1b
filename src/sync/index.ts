export { runSync } from "./engine.js";
export type { SyncSummary, CustomerResult, ValidationSummary, RunOptions } from "./engine.js";
export { newBatchId, selectCustomers } from "./prepare.js";
export type { SyncDeps } from "./prepare.js";
export { planSync } from "./plan.js";
export type { PlannedChange } from "./plan.js";
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
  BoardItem,
  MondayStats,
  MondayObserver,
} from "./port.js";
export { runDoctor } from "./doctor.js";
export type { DoctorCheck, DoctorReport } from "./doctor.js";
