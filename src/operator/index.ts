/**
 * What an operator does to orders and batches (issue 13 item 6, issue 17's dashboard actions): retry,
 * discard, release, rollback. The CLI and the dashboard both go through here, and every action is recorded in
 * `MON_OperatorActions`.
 */
export { cliActor, recordActions, recentActions } from "./audit.js";
export type { ActionRecord, ActionResult } from "./audit.js";
export { retryOrders, discardOrders } from "./orders.js";
export type { OrderOutcome } from "./orders.js";
export { releaseHeld, rollbackBatch, recordRollback } from "./board.js";
export type { ReleasedHold } from "./board.js";
export { findTargets, UnknownOrderError, RefusedActionError } from "./targets.js";
export type { OrderSelector, OrderTarget, TargetState } from "./targets.js";
