export { buildSnapshot, canonicalJson, hashSnapshot, RowError } from "./snapshot.js";
export type { OrderSnapshot } from "./snapshot.js";
export { detectChange } from "./changes.js";
export type { Change, KnownOrder, SubitemChanges } from "./changes.js";
