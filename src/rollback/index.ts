export { runRollback, runRollbackTo, UnknownBatchError } from "./run.js";
export type { RollbackOptions, RollbackSummary } from "./run.js";
export type { OrderUndo, ColumnUndo, SubitemUndo, Conflict, UndoAction } from "./plan.js";
export { boardCanonical } from "./board-values.js";
export { describeBatch } from "./batch-view.js";
export type { OrderChange } from "./batch-view.js";
