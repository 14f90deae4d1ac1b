// monday.com error families as classes that carry data; retryability is decided by class, never by message text.
// Shapes: https://developer.monday.com/api-reference/docs/error-handling (current `errors[].extensions.code`
// and the pre-2025 top-level `error_code` / `status_code` / `error_message` shape).

/** The path of a GraphQL error: `path[0]` is the root field or alias it belongs to. */
export type ErrorPath = ReadonlyArray<string | number>;

import type { Outcome } from "../errors/index.js";

/** What a monday error can tell a caller, all optional because monday's shapes differ by version. */
export interface MondayErrorDetails {
  /** monday's code as sent (`COMPLEXITY_BUDGET_EXHAUSTED`, `ColumnValueException`, ...), or a status-derived one. */
  code?: string;
  /** The HTTP status, or the `status_code` monday put in the error. */
  statusCode?: number;
  requestId?: string;
  path?: ErrorPath;
  /** `extensions.error_data` (or top-level `error_data` in the old shape). */
  errorData?: Record<string, unknown>;
  /** Seconds monday asked to wait (`retry_in_seconds`, `Retry-After`). */
  retryInSeconds?: number;
  cause?: unknown;
}

/** Base of every error the monday client throws or reports per batch row. */
export class MondayError extends Error {
  override name = "MondayError";
  readonly code: string;
  readonly statusCode: number | undefined;
  readonly requestId: string | undefined;
  readonly path: ErrorPath | undefined;
  readonly errorData: Record<string, unknown> | undefined;

  constructor(message: string, details: MondayErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code ?? "UNKNOWN";
    this.statusCode = details.statusCode;
    this.requestId = details.requestId;
    this.path = details.path;
    this.errorData = details.errorData;
  }

  /** Whether sending the same request again can succeed; fixed per class. */
  get retryable(): boolean {
    return false;
  }

  /**
   * How this error ends a run when a request still fails with it after every retry (`outcomeOf`): the
   * classes that mean monday.com cannot be used now (rate limits, 5xx, no answer, the breaker open, the
   * token refused, the daily limit) are `unavailable` (exit 4); data errors have none (they fail rows).
   */
  get outcome(): Outcome | undefined {
    return undefined;
  }
}

/** A rate limit (complexity budget, minute requests, concurrency, IP, field concurrency): wait and retry. */
export class RateLimitError extends MondayError {
  override name = "RateLimitError";

  /** monday.com cannot be used now: a run that still meets this after its retries ends `unavailable`. */
  override get outcome(): Outcome | undefined {
    return "unavailable";
  }
  /** Seconds to wait before retrying, when monday said so. */
  readonly retryInSeconds: number | undefined;

  constructor(message: string, details: MondayErrorDetails = {}) {
    super(message, details);
    this.retryInSeconds = details.retryInSeconds;
  }

  override get retryable(): boolean {
    return true;
  }
}

/** The account's daily call limit: nothing succeeds before 00:00 UTC, so it is not retryable. */
export class DailyLimitError extends MondayError {
  override name = "DailyLimitError";

  /** monday.com cannot be used now: a run that still meets this after its retries ends `unavailable`. */
  override get outcome(): Outcome | undefined {
    return "unavailable";
  }

  /** When the daily limit resets (next 00:00 UTC after `now`). */
  resetsAt(now: Date = new Date()): Date {
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  }
}

/** Missing, invalid or insufficient credentials (401, 403, `USER_UNAUTHORIZED`, missing permissions). */
export class AuthError extends MondayError {
  override name = "AuthError";

  /** monday.com cannot be used now: a run that still meets this after its retries ends `unavailable`. */
  override get outcome(): Outcome | undefined {
    return "unavailable";
  }
}

/** monday refused the data or the request (bad argument, name too long, board full, parse error). */
export class InvalidDataError extends MondayError {
  override name = "InvalidDataError";
}

/** A column value monday rejected (unknown label, bad format); `columnId` / `columnType` from `error_data`. */
export class ColumnValueError extends InvalidDataError {
  override name = "ColumnValueError";
  readonly columnId: string | undefined;
  readonly columnType: string | undefined;

  constructor(message: string, details: MondayErrorDetails = {}) {
    super(message, details);
    this.columnId = stringField(details.errorData, "column_id");
    this.columnType = stringField(details.errorData, "column_type");
  }
}

/** A board, item or other resource that does not exist (or is not visible to the token). */
export class NotFoundError extends MondayError {
  override name = "NotFoundError";
}

/** monday failed or is busy (5xx, 423 locked, 409 idempotency conflict, `API_TEMPORARILY_BLOCKED`): back off and retry. */
export class ServerError extends MondayError {
  override name = "ServerError";

  /** monday.com cannot be used now: a run that still meets this after its retries ends `unavailable`. */
  override get outcome(): Outcome | undefined {
    return "unavailable";
  }
  /** Seconds to wait, from `Retry-After` when present. */
  readonly retryInSeconds: number | undefined;

  constructor(message: string, details: MondayErrorDetails = {}) {
    super(message, details);
    this.retryInSeconds = details.retryInSeconds;
  }

  override get retryable(): boolean {
    return true;
  }
}

/** Connection errors that happen before a byte of the request is sent: monday never saw (or charged) it. */
const NEVER_SENT_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_INVALID_ARG",
]);

/** The request never got an answer (connection refused or reset, DNS failure). */
export class NetworkError extends MondayError {
  override name = "NetworkError";

  /**
   * Whether the request may have reached monday.com (and been charged): false when the connection was
   * never made (refused, no route, DNS), true when it broke after connecting (reset) or timed out.
   */
  get mayHaveBeenSent(): boolean {
    return !NEVER_SENT_CODES.has(this.code);
  }

  /** monday.com cannot be used now: a run that still meets this after its retries ends `unavailable`. */
  override get outcome(): Outcome | undefined {
    return "unavailable";
  }

  override get retryable(): boolean {
    return true;
  }
}

/** The request got no answer within the client's timeout. */
export class TimeoutError extends NetworkError {
  override name = "TimeoutError";
}

/**
 * The resilience layer's circuit breaker is open: monday looked unavailable, so no request was sent.
 * Not retryable by itself; try again after `retryAfterMs` (when the breaker lets a probe through).
 */
export class CircuitOpenError extends MondayError {
  override name = "CircuitOpenError";

  /** monday.com cannot be used now: a run that still meets this after its retries ends `unavailable`. */
  override get outcome(): Outcome | undefined {
    return "unavailable";
  }
  /** Milliseconds until the breaker lets a probe request through, when known. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message = "monday.com circuit breaker is open: not sending the request",
    details: MondayErrorDetails & { retryAfterMs?: number } = {},
  ) {
    super(message, { ...details, code: "CIRCUIT_OPEN" });
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Whether `error` is a monday error worth retrying (for cockatiel's `handleWhen`). */
export function isRetryable(error: unknown): boolean {
  return error instanceof MondayError && error.retryable;
}

type ErrorClass = new (message: string, details?: MondayErrorDetails) => MondayError;

/** monday codes (lower-cased) to the class that handles them; current and pre-2025 spellings both listed. */
const CODE_CLASSES: Readonly<Record<string, ErrorClass>> = {
  complexity_budget_exhausted: RateLimitError,
  complexityexception: RateLimitError,
  rate_limit_exceeded: RateLimitError,
  ratelimitexceeded: RateLimitError,
  minute_limit_exceeded: RateLimitError,
  maxconcurrencyexceeded: RateLimitError,
  max_concurrency_exceeded: RateLimitError,
  ip_rate_limit_exceeded: RateLimitError,
  field_limit_exceeded: RateLimitError,
  daily_limit_exceeded: DailyLimitError,
  dailylimitexceeded: DailyLimitError,
  unauthorized: AuthError,
  unauthorizedexception: AuthError,
  user_unauthorized: AuthError,
  userunauthorizedexception: AuthError,
  user_access_denied: AuthError,
  missingrequiredpermissions: AuthError,
  columnvalueexception: ColumnValueError,
  correctedvalueexception: ColumnValueError,
  itemnametoolongexception: InvalidDataError,
  itemslimitationexception: InvalidDataError,
  jsonparseexception: InvalidDataError,
  recordinvalidexception: InvalidDataError,
  data_validations_error: InvalidDataError,
  deletelastgroupexception: InvalidDataError,
  undefinedfield: InvalidDataError,
  argumentliteralsincompatible: InvalidDataError,
  parse_error: InvalidDataError,
  parsing_error: InvalidDataError,
  argumentnotaccepted: InvalidDataError,
  missingrequiredarguments: InvalidDataError,
  undefinedtype: InvalidDataError,
  variablemismatch: InvalidDataError,
  invalid_request: InvalidDataError,
  graphql_parse_failed: InvalidDataError,
  graphql_validation_failed: InvalidDataError,
  bad_user_input: InvalidDataError,
  resourcenotfoundexception: NotFoundError,
  resource_not_found: NotFoundError,
  not_found: NotFoundError,
  idempotency_conflict: ServerError,
  api_temporarily_blocked: ServerError,
  internal_server_error: ServerError,
  internalservererror: ServerError,
  resource_locked: ServerError,
};

/** Code families named by pattern (`InvalidBoardIdException`, `InvalidColumnIdException`, ...). */
const CODE_PATTERNS: ReadonlyArray<readonly [RegExp, ErrorClass]> = [
  [/^invalid\w*exception$/i, InvalidDataError],
];

/** HTTP (or `status_code`) statuses to classes, for errors whose code is missing or unknown. */
const STATUS_CLASSES: Readonly<Record<number, ErrorClass>> = {
  400: InvalidDataError,
  401: AuthError,
  403: AuthError,
  404: NotFoundError,
  408: TimeoutError,
  409: ServerError,
  422: InvalidDataError,
  423: ServerError,
  429: RateLimitError,
};

/** The codes of pre-2025 errors that carry the wait only in their message ("... reset in 3 seconds"). */
const LEGACY_RETRY_MESSAGE = /reset in (\d+) seconds?/i;

/** Headers as fetch returns them or as a plain object (lower- or mixed-case names). */
export type HeadersLike = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** One error as monday put it in a response body, normalised across versions. */
interface ErrorEntry {
  message: string;
  code: string | undefined;
  statusCode: number | undefined;
  errorData: Record<string, unknown> | undefined;
  requestId: string | undefined;
  path: ErrorPath | undefined;
  retryInSeconds: number | undefined;
  /** From the pre-2025 top-level shape, the only case where the message may be read. */
  legacy: boolean;
}

/**
 * The errors in a monday response, one instance per error (current `errors[]` and the old top-level shape),
 * classified by code (case-insensitive), then by the error's `status_code`, then by the HTTP status.
 *
 * @example
 * classifyErrors(429, { errors: [{ message: "Complexity budget exhausted",
 *   extensions: { code: "COMPLEXITY_BUDGET_EXHAUSTED", retry_in_seconds: 42 } }] }, {});
 * // → [RateLimitError { retryInSeconds: 42 }]
 */
export function classifyErrors(httpStatus: number, body: unknown, headers: HeadersLike = {}): MondayError[] {
  const entries = errorEntries(body);
  if (entries.length === 0) {
    entries.push({
      message: httpStatus >= 400 ? `HTTP ${httpStatus}` : "monday.com returned no data",
      code: undefined,
      statusCode: undefined,
      errorData: undefined,
      requestId: undefined,
      path: undefined,
      retryInSeconds: undefined,
      legacy: false,
    });
  }
  return entries.map((entry) => toError(entry, httpStatus, headers));
}

/**
 * The one error that explains a failed request: the first error that belongs to a known family
 * (rate limit, auth, ...), else the first error.
 */
export function classifyError(httpStatus: number, body: unknown, headers: HeadersLike = {}): MondayError {
  const errors = classifyErrors(httpStatus, body, headers);
  return errors.find((e) => e.constructor !== MondayError) ?? (errors[0] as MondayError);
}

/** Classifies one `errors[]` entry of a 200 response (used per batch alias). */
export function classifyGraphQLError(
  error: unknown,
  httpStatus = 200,
  headers: HeadersLike = {},
): MondayError {
  return toError(entryFromGraphQLError(error), httpStatus, headers);
}

function toError(entry: ErrorEntry, httpStatus: number, headers: HeadersLike): MondayError {
  const ErrorType = classFor(entry, httpStatus);
  const statusCode = entry.statusCode ?? (httpStatus === 200 ? undefined : httpStatus);
  const code = entry.code ?? (statusCode === undefined ? "GRAPHQL_ERROR" : `HTTP_${statusCode}`);
  const retryInSeconds =
    entry.retryInSeconds ??
    numberField(entry.errorData, "retry_in_seconds") ??
    retryAfterSeconds(header(headers, "retry-after")) ??
    legacyRetrySeconds(entry) ??
    // The RateLimit header's `t` is when a quota resets: a wait only for a rate limit, not for a 5xx.
    (ErrorType.prototype instanceof RateLimitError || ErrorType === RateLimitError
      ? rateLimitResetSeconds(header(headers, "ratelimit"))
      : undefined);
  const requestId = entry.requestId ?? header(headers, "x-request-id") ?? header(headers, "request-id");
  const suffix = [code, statusCode === undefined ? undefined : `HTTP ${statusCode}`]
    .filter((s) => s !== undefined)
    .join(", ");
  return new ErrorType(`monday.com: ${entry.message} (${suffix})`, {
    code,
    statusCode,
    requestId,
    path: entry.path,
    errorData: entry.errorData,
    retryInSeconds,
  });
}

function classFor(entry: ErrorEntry, httpStatus: number): ErrorClass {
  if (entry.code !== undefined) {
    const known = CODE_CLASSES[entry.code.toLowerCase()];
    if (known) return known;
    const pattern = CODE_PATTERNS.find(([re]) => re.test(entry.code as string));
    if (pattern) return pattern[1];
  }
  const byStatus = statusClass(entry.statusCode) ?? statusClass(httpStatus === 200 ? undefined : httpStatus);
  if (byStatus) return byStatus;
  // A 200 error without any code is a GraphQL parse/validation error of the request itself.
  if (entry.code === undefined) return InvalidDataError;
  return MondayError;
}

function statusClass(status: number | undefined): ErrorClass | undefined {
  if (status === undefined) return undefined;
  return STATUS_CLASSES[status] ?? (status >= 500 ? ServerError : undefined);
}

function errorEntries(body: unknown): ErrorEntry[] {
  if (!isRecord(body)) return [];
  const entries = Array.isArray(body.errors) ? body.errors.map(entryFromGraphQLError) : [];
  const hasTopLevel =
    body.error_code !== undefined || body.error_message !== undefined || body.status_code !== undefined;
  // Pre-2025 responses repeat the first error at the top level; keep it only when it adds a code.
  if (hasTopLevel && (entries.length === 0 || entries.every((e) => e.code === undefined))) {
    const errorData = isRecord(body.error_data) ? body.error_data : undefined;
    entries.unshift({
      message: stringField(body, "error_message") ?? "monday.com error",
      code: stringField(body, "error_code"),
      statusCode: numberField(body, "status_code"),
      errorData,
      requestId: stringField(body, "request_id"),
      path: undefined,
      retryInSeconds: numberField(body, "retry_in_seconds") ?? numberField(errorData, "retry_in_seconds"),
      legacy: true,
    });
  }
  return entries;
}

function entryFromGraphQLError(error: unknown): ErrorEntry {
  const record = isRecord(error) ? error : {};
  const extensions = isRecord(record.extensions) ? record.extensions : {};
  const errorData = isRecord(extensions.error_data) ? extensions.error_data : undefined;
  const path = Array.isArray(record.path)
    ? record.path.filter((p): p is string | number => typeof p === "string" || typeof p === "number")
    : undefined;
  const code = stringField(extensions, "code") ?? stringField(extensions, "error_code");
  return {
    message: stringField(record, "message") ?? "monday.com error",
    code,
    statusCode: numberField(extensions, "status_code"),
    errorData,
    requestId: stringField(extensions, "request_id"),
    path,
    retryInSeconds: numberField(extensions, "retry_in_seconds"),
    legacy: code !== undefined && code.toLowerCase() === "complexityexception",
  };
}

function legacyRetrySeconds(entry: ErrorEntry): number | undefined {
  if (!entry.legacy) return undefined;
  const match = LEGACY_RETRY_MESSAGE.exec(entry.message);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** `Retry-After` as seconds (delta-seconds or an HTTP date). */
export function retryAfterSeconds(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** One quota of a `RateLimit` / `RateLimit-Policy` list: `"complexityMinute";r=4950000;t=45`. */
export interface RateLimitItem {
  /** The quota's name (`minuteRate`, `concurrency`, `complexityMinute`, ...); absent in the older draft. */
  name?: string;
  /** Its numeric parameters by lower-cased key (`r`, `t`, `q`, `w`, or `remaining`, `reset`, `limit`). */
  params: ReadonlyMap<string, number>;
}

/**
 * The quotas of a `RateLimit` or `RateLimit-Policy` header, in order. monday sends one item a policy
 * (`"minuteRate";r=4999, "concurrency";r=249, "complexityMinute";r=4950000;t=45`, docs "Rate limits"); the
 * older draft's `limit=100, remaining=5, reset=12` is one nameless item.
 */
export function parseRateLimitItems(value: string | undefined): RateLimitItem[] {
  if (value === undefined) return [];
  const items: { name?: string; params: Map<string, number> }[] = [];
  for (const member of value.split(",")) {
    const name = /^\s*"([^"]*)"/.exec(member)?.[1];
    if (name !== undefined || items.length === 0)
      items.push({ ...(name !== undefined && { name }), params: new Map() });
    const params = (items[items.length - 1] as { params: Map<string, number> }).params;
    for (const part of member.split(";")) {
      const [key, raw] = part.split("=").map((s) => s.trim().toLowerCase());
      const num = Number(raw);
      if (key !== undefined && raw !== undefined && raw !== "" && Number.isFinite(num) && !params.has(key))
        params.set(key, num);
    }
  }
  return items.filter((item) => item.name !== undefined || item.params.size > 0);
}

/** Whether a quota counts complexity points (`complexity`, `complexityMinute`, ...). */
export const isComplexityItem = (item: RateLimitItem): boolean =>
  item.name !== undefined && /complexity/i.test(item.name);
const remainingOf = (item: RateLimitItem) => item.params.get("r") ?? item.params.get("remaining");

/**
 * The quota that matters for pacing: one that is used up (nothing is sent before its reset, whichever quota it
 * is; the latest reset wins), else the complexity quota, else the first.
 */
export function pickRateLimitItem(items: readonly RateLimitItem[]): RateLimitItem | undefined {
  const exhausted = items
    .filter((item) => remainingOf(item) === 0)
    .sort((a, b) => (b.params.get("t") ?? 0) - (a.params.get("t") ?? 0));
  return exhausted[0] ?? items.find(isComplexityItem) ?? items[0];
}

/**
 * The IETF `RateLimit` header (`"default";r=0;t=30`, a list of quotas, or the older
 * `limit=..., remaining=..., reset=...`): remaining requests/points and seconds to reset of the quota
 * {@link pickRateLimitItem} picks, and its name.
 */
export function parseRateLimitHeader(value: string | undefined): {
  remaining?: number;
  resetSeconds?: number;
  name?: string;
} {
  const item = pickRateLimitItem(parseRateLimitItems(value));
  if (item === undefined) return {};
  const result: { remaining?: number; resetSeconds?: number; name?: string } = {};
  const remaining = remainingOf(item);
  const reset = item.params.get("t") ?? item.params.get("reset");
  if (remaining !== undefined) result.remaining = remaining;
  if (reset !== undefined) result.resetSeconds = reset;
  if (item.name !== undefined) result.name = item.name;
  return result;
}

function rateLimitResetSeconds(value: string | undefined): number | undefined {
  return parseRateLimitHeader(value).resetSeconds;
}

/** A header value from a fetch `Headers` or a plain object, case-insensitively. */
export function header(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(
    headers as Record<string, string | readonly string[] | undefined>,
  )) {
    if (key.toLowerCase() === lower)
      return Array.isArray(value) ? value.join(", ") : (value as string | undefined);
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === "string" ? value : undefined;
}

function numberField(record: Record<string, unknown> | undefined, key: string): number | undefined {
  const value = record?.[key];
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}
