export { checkSourceTable, describeSourceTable, tableIdentifier } from "./table.js";
export type { SourceTableInfo, SourceSettings } from "./table.js";
export {
  readOrderPages,
  readOrdersByKeys,
  readStrayRows,
  spacedCustomerNames,
  KEYS_PER_QUERY,
  STRAY_SAMPLE,
  resolveKey,
} from "./read.js";
export type { OrderRow, OrderPage, ReadOrdersOptions, StrayRows } from "./read.js";
export {
  keyCollation,
  keyHandling,
  keyText,
  orderKeyExpression,
  keyRangeCondition,
  compareKeys,
  escapeLike,
  LIKE_ESCAPE,
} from "./keys.js";
export type { KeyColumn, KeyHandling, KeyRange } from "./keys.js";
export { SourceError } from "./errors.js";
export type { RequiredColumn } from "./errors.js";
export { readChangedOrderPages, readGoneKeys, countOpenOrders, countActiveStates } from "./changed.js";
export type { ChangedPage, ChangedReadOptions } from "./changed.js";
export { fingerprintSql } from "./fingerprint.js";
