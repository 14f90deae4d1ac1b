export { runSync, planSync, validateSource, newBatchId, selectCustomers, EXIT } from "./engine.js";
export type { SyncDeps, SyncSummary, CustomerResult, ValidationSummary } from "./engine.js";
export type { SyncCounts, PlannedChange } from "./customer-run.js";
export { SyncEvents } from "./events.js";
export type { SyncEventMap } from "./events.js";
export { MondayUnavailableError } from "./port.js";
export type { SyncMonday, WriteOp, WriteOutcome, FoundItem, MondayStats } from "./port.js";
export { runDoctor } from "./doctor.js";
export type { DoctorCheck, DoctorReport } from "./doctor.js";
