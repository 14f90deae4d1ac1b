// The monday.com client: documents, transport, typed errors, aliased batches and typed operations.
export { documentNames, loadDocument } from "./documents.js";
export { MAX_ITEM_NAME, MAX_LONG_TEXT } from "./limits.js";
export type { DocumentName } from "./documents.js";
export {
  AuthError,
  CircuitOpenError,
  ColumnValueError,
  DailyLimitError,
  InvalidDataError,
  MondayError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TimeoutError,
  classifyError,
  classifyErrors,
  classifyGraphQLError,
  isRetryable,
  parseRateLimitHeader,
  parseRateLimitItems,
  pickRateLimitItem,
  retryAfterSeconds,
} from "./errors.js";
export type { ErrorPath, HeadersLike, MondayErrorDetails, RateLimitItem } from "./errors.js";
export {
  HttpTransport,
  complexityOf,
  interpretResponse,
  operationName,
  parseRateLimitPolicy,
} from "./transport.js";
export type {
  Complexity,
  HttpTransportOptions,
  MondayGraphQLError,
  MondayResponse,
  MondayResponseHeaders,
  MondayTransport,
  RequestEvent,
  RequestListener,
  RequestOptions,
} from "./transport.js";
export { batchAlias, buildBatch, parseBatchResult } from "./batch.js";
export type { Batch, BatchOp, BatchOutcome, BuildBatchOptions } from "./batch.js";
export {
  MondayClient,
  archiveItemOp,
  changeColumnValuesOp,
  createItemOp,
  createSubitemOp,
  deleteItemOp,
  moveItemToGroupOp,
  subitemsBoardOf,
} from "./client.js";
export type {
  BoardColumn,
  BoardSchema,
  BoardSummary,
  ChangeColumnValuesInput,
  ColumnValuesInput,
  CreateItemInput,
  CreateSubitemInput,
  MondayColumnValue,
  MondayItem,
  KeyedItem,
  PageOptions,
} from "./client.js";
export {
  DEFAULT_LIST_SIZES,
  DEFAULT_PAGE_SIZE,
  MUTATION_COST,
  MUTATION_COSTS,
  PAGE_FIELDS,
  PER_QUERY_CAP,
  estimateComplexity,
  maxOpsPerRequest,
} from "./complexity.js";
export {
  BUDGET_WINDOW_MS,
  ComplexityBudget,
  DEFAULT_LIMIT_PER_MINUTE,
  budgetReportOf,
  systemClock,
} from "./budget.js";
export type {
  BudgetClock,
  BudgetReport,
  BudgetReservation,
  BudgetSnapshot,
  BudgetUpdateEvent,
  BudgetWaitEvent,
  ComplexityBudgetOptions,
} from "./budget.js";
export { RETRY_STRATEGIES, ResilientTransport, isOutage, retryStrategyFor } from "./resilience.js";
export type {
  BreakerState,
  BreakerStateChangeEvent,
  GiveUpEvent,
  ResilienceOptions,
  RetryEvent,
  RetryStrategy,
} from "./resilience.js";
export type { Subscribe } from "./listeners.js";
export {
  BULK_INGEST_PER_HOUR,
  BULK_JOB_STARTS_PER_HOUR,
  BULK_POLL_MS,
  BULK_ROWS_PER_JOB,
  BULK_TERMINAL_STATES,
  BULK_UPLOAD_TTL_MS,
  BulkImportClient,
  BulkTransferError,
} from "./bulk.js";
export type {
  BulkClientOptions,
  BulkJobCounts,
  BulkJobState,
  BulkJobStatus,
  BulkLaneKind,
  BulkReportRow,
} from "./bulk.js";
export {
  NotImportableError,
  csvCell,
  importCsv,
  importable,
  parseCsvRecords,
  quoteCell,
  rowCount,
} from "./bulk-csv.js";
export type { CsvColumn, CsvItem, CsvParent } from "./bulk-csv.js";
