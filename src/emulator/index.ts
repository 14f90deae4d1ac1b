export { startEmulator, emulatorSchema, emulatorSchemaPath } from "./server.js";
export type { Emulator, EmulatorOptions } from "./server.js";
export { EmulatorStore, checkItemName, MAX_ITEM_NAME, MAX_ITEMS_PER_BOARD } from "./store.js";
export type { BoardSpec, ColumnSpec, GroupSpec, ItemSpec, StoreOptions } from "./store.js";
export type {
  BoardRecord,
  ColumnRecord,
  GroupRecord,
  ItemRecord,
  StoredValue,
  RecordState,
} from "./records.js";
export { seedBoards } from "./seed.js";
export { LEGACY_COLUMN_TYPES, legacyColumnType } from "./legacy-types.js";
export { stripHtml } from "./store.js";
export { UserDirectory, DEFAULT_USER } from "./users.js";
export type { Actor, EmulatorUser, UserSettings } from "./users.js";
export { MutationLog } from "./mutation-log.js";
export type { MutationLogEntry } from "./mutation-log.js";
export {
  ComplexityBudget,
  MUTATION_COST,
  MINUTE_BUDGET,
  QUERY_CAP,
  WINDOW_MS,
  operationComplexity,
} from "./complexity.js";
export type { ComplexityCharge, ChargeResult } from "./complexity.js";
export { EmulatorClock } from "./clock.js";
export { DEFAULT_LIMITS, LIMIT_ERRORS } from "./limits.js";
export type { LimitSettings, LimitKind } from "./limits.js";
export {
  FAULT_KINDS,
  DEFAULT_FAULTS,
  FaultSpecError,
  parseFaultSpec,
  checkFaultSpec,
  seededRandom,
} from "./faults.js";
export type { FaultKind, FaultSpec, FaultScope, FaultSettings } from "./faults.js";
export type { FaultOptions } from "./admin.js";
export { IDEMPOTENCY_TTL_MS } from "./idempotency.js";
export type { EmulatorStats } from "./stats.js";
export { COLUMN_TYPE_HANDLERS, writeColumnValue, MAX_STATUS_LABELS, MAX_LONG_TEXT } from "./column-values.js";
export {
  MondayApiError,
  ColumnValueError,
  InvalidColumnIdError,
  InvalidBoardIdError,
  ResourceNotFoundError,
  ItemNameTooLongError,
  ItemsLimitationError,
  InvalidArgumentError,
  CursorExpiredError,
  InternalServerError,
  InvalidUserIdError,
} from "./errors.js";
export * from "./webhooks/index.js";
export { ChangeFeed, MAX_CHANGES_PER_BOARD } from "./changes.js";
export type { StoreChange, ItemChange, ChangeListener } from "./changes.js";
export { activityLogs, activityTimestamp } from "./activity-logs.js";
export type { ActivityLogView, ActivityLogQuery } from "./activity-logs.js";
export { BulkJobBook, jobCounts, jobReport } from "./bulk/book.js";
export type {
  BulkJob,
  BulkImportState,
  BulkFailureReason,
  OnMatch,
  BulkSettings,
  BulkStats,
} from "./bulk/book.js";
export {
  ROWS_PER_JOB,
  INGEST_ITEMS_PER_HOUR,
  JOB_STARTS_PER_HOUR,
  URL_TTL_MS,
  MAX_FILE_BYTES,
  DEFAULT_ROWS_PER_SECOND,
} from "./bulk/limits.js";
export type { BulkKind } from "./bulk/limits.js";
export { parseCsv } from "./bulk/csv.js";
