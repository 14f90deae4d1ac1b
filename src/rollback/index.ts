export { runRollback, runRollbackTo, UnknownBatchError } from "./run.js";
export type { RollbackOptions, RollbackSummary } from "./run.js";
export type { OrderUndo, ColumnUndo, SubitemUndo, Conflict, UndoAction } from "./plan.js";
export { boardCanonical } from "./board-values.js";
