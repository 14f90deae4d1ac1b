// The monday.com client: documents, transport, typed errors, aliased batches and typed operations.
export { documentNames, loadDocument } from "./documents.js";
export type { DocumentName } from "./documents.js";
export {
  AuthError,
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
  retryAfterSeconds,
} from "./errors.js";
export type { ErrorPath, HeadersLike, MondayErrorDetails } from "./errors.js";
export { HttpTransport, interpretResponse, operationName } from "./transport.js";
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
} from "./client.js";
export type {
  BoardColumn,
  BoardSchema,
  ChangeColumnValuesInput,
  ColumnValuesInput,
  CreateItemInput,
  CreateSubitemInput,
  MondayColumnValue,
  MondayItem,
  PageOptions,
} from "./client.js";
