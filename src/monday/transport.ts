// The seam between the monday client and the network: one GraphQL request in, one response (or typed error) out.
import { Kind, print } from "graphql";
import type { DocumentNode } from "graphql";
import { redactSecrets, urlSecrets } from "../config/index.js";
import {
  AuthError,
  NetworkError,
  ServerError,
  TimeoutError,
  classifyError,
  header,
  parseRateLimitHeader,
  parseRateLimitItems,
  isComplexityItem,
} from "./errors.js";
import type { ErrorPath, MondayError } from "./errors.js";

/** One entry of a response's `errors` array, as monday sends it. */
export interface MondayGraphQLError {
  message: string;
  path?: ErrorPath;
  locations?: Array<{ line: number; column: number }>;
  extensions?: Record<string, unknown>;
}

/** What a transport read from the response headers. */
export interface MondayResponseHeaders {
  requestId?: string;
  /** From the `RateLimit` header: `r` remaining, `t` seconds to reset. */
  rateLimit?: { remaining?: number; resetSeconds?: number; name?: string };
  /** From the `RateLimit-Policy` header (`"complexity";q=10000000;w=60`): which quota `rateLimit` counts. */
  rateLimitPolicy?: { name?: string; limit?: number; windowSeconds?: number };
  /** `Idempotency-Replayed: true`: monday answered from its idempotency cache. */
  idempotencyReplayed?: boolean;
}

/**
 * A response whose request as a whole succeeded. `errors` holds the per-field (per-alias) errors of a
 * partial success: they are returned, not thrown, so a batch can map each one to its row.
 */
export interface MondayResponse<T> {
  data: T | null;
  errors: MondayGraphQLError[];
  headers: MondayResponseHeaders;
  status: number;
}

/** Per-request options. */
export interface RequestOptions {
  /** Sent as `Idempotency-Key`: a retry with the same key gets monday's cached response. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/**
 * Sends one GraphQL document with its variables. Whole-request failures (HTTP 4xx/5xx, network, timeout,
 * errors with no data) are thrown as `MondayError` subclasses; partial errors come back in `errors`.
 */
export interface MondayTransport {
  request<T>(
    document: DocumentNode,
    variables: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<MondayResponse<T>>;
}

/** monday's answer to `complexity { before after query reset_in_x_seconds }`. */
export interface Complexity {
  before: number;
  after: number;
  query: number;
  reset_in_x_seconds: number;
}

/** Emitted after every request, successful or not, for metrics and logs (which listen; core code does not). */
export interface RequestEvent {
  operation: string;
  /** HTTP status, or 0 when no response arrived. */
  status: number;
  durationMs: number;
  complexity?: Complexity;
  requestId?: string;
  rateLimit?: { remaining?: number; resetSeconds?: number };
  /** The error the request ended with, if any. */
  error?: MondayError;
}

/** Options of `HttpTransport`. */
export interface HttpTransportOptions {
  /** `https://api.monday.com/v2`, or the emulator's `/v2` URL. */
  url: string;
  /** The API token, sent raw in `Authorization`; never logged. Missing → every request fails with `AuthError`. */
  token: string | undefined;
  /** `API-Version`, e.g. `2026-10`. */
  apiVersion: string;
  /** Client-side timeout per request; monday itself gives up after 60 s. */
  timeoutMs?: number;
  /** A fetch implementation (tests, proxies); the global fetch by default. */
  fetch?: typeof globalThis.fetch;
}

/** A listener of `RequestEvent`s. */
export type RequestListener = (event: RequestEvent) => void;

const DEFAULT_TIMEOUT_MS = 65_000;

/**
 * The real transport: POSTs `{query, variables}` to monday over HTTP.
 *
 * @example
 * const transport = new HttpTransport({ url: "https://api.monday.com/v2", token: process.env.MONDAY_API_TOKEN,
 *   apiVersion: "2026-10", timeoutMs: 30_000 });
 * transport.onRequest((e) => metrics.observe(e.operation, e.durationMs));
 */
export class HttpTransport implements MondayTransport {
  #requests = 0;
  readonly #token: string | undefined;
  readonly #url: string;
  readonly #apiVersion: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof globalThis.fetch;
  readonly #listeners = new Set<RequestListener>();

  constructor(options: HttpTransportOptions) {
    this.#url = options.url;
    this.#token = options.token?.trim() === "" ? undefined : options.token;
    this.#apiVersion = options.apiVersion;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** Requests sent over the network (attempts, including failed ones). */
  get requests(): number {
    return this.#requests;
  }

  /** Subscribes to request events; returns the unsubscribe function. */
  onRequest(listener: RequestListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async request<T>(
    document: DocumentNode,
    variables: Record<string, unknown>,
    options: RequestOptions = {},
  ): Promise<MondayResponse<T>> {
    const token = this.#token;
    if (token === undefined) {
      throw new AuthError("No monday.com API token: set MONDAY_API_TOKEN", { code: "MISSING_TOKEN" });
    }
    const operation = operationName(document);
    const started = performance.now();
    const emit = (event: Omit<RequestEvent, "operation" | "durationMs">) =>
      this.#emit({ operation, durationMs: performance.now() - started, ...event });
    const headers: Record<string, string> = {
      Authorization: token,
      "API-Version": this.#apiVersion,
      "Content-Type": "application/json",
    };
    if (options.idempotencyKey !== undefined) headers["Idempotency-Key"] = options.idempotencyKey;
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;

    this.#requests += 1;
    let status = 0;
    try {
      const response = await this.#fetch(this.#url, {
        method: "POST",
        headers,
        body: JSON.stringify({ query: print(document), variables }),
        signal,
      });
      status = response.status;
      const text = await response.text();
      const answer = interpretResponse<T>(response.status, text, response.headers);
      const result = redactErrors(answer, token, this.#url);
      emit({
        status,
        complexity: complexityOf(result.data),
        requestId: result.headers.requestId,
        rateLimit: result.headers.rateLimit,
      });
      return result;
    } catch (caught) {
      // The caller's own abort is not a monday failure: let it through untouched.
      if (options.signal?.aborted && caught === options.signal.reason) throw caught;
      const error = redact(toMondayError(caught, timeout, this.#timeoutMs), token, this.#url);
      emit({ status, error, requestId: error.requestId });
      throw error;
    }
  }

  #emit(event: RequestEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener must never break a request.
      }
    }
  }
}

/**
 * Turns a monday HTTP answer into a `MondayResponse`, or throws the whole-request error it stands for.
 * Exported for transports other than HTTP (e.g. an in-process emulator) that see the same bodies.
 */
export function interpretResponse<T>(
  status: number,
  bodyText: string,
  responseHeaders: Headers,
): MondayResponse<T> {
  let body: unknown;
  try {
    body = bodyText === "" ? undefined : JSON.parse(bodyText);
  } catch (cause) {
    if (status >= 400) throw classifyError(status, undefined, responseHeaders);
    throw new ServerError(`monday.com answered HTTP ${status} with a body that is not JSON`, {
      code: "INVALID_RESPONSE",
      statusCode: status,
      cause,
    });
  }
  if ((status < 200 || status >= 300) && !ranInPart(status, body))
    throw classifyError(status, body, responseHeaders);
  const record = typeof body === "object" && body !== null && !Array.isArray(body) ? body : {};
  const { data, errors, error_code: legacyCode } = record as Record<string, unknown>;
  const list = Array.isArray(errors) ? (errors as MondayGraphQLError[]) : [];
  const hasData =
    typeof data === "object" && data !== null && !Array.isArray(data) && Object.keys(data).length > 0;
  // With data present the request ran: return it, so a batch never loses the aliases that succeeded (a create
  // that is reported as failed would be sent again). Without data, an error that names no path (or the old
  // top-level shape) is the whole request's failure; errors that all name a path stay per alias.
  const requestLevel =
    legacyCode !== undefined || list.some((e) => !Array.isArray(e.path) || e.path.length === 0);
  if (!hasData && requestLevel) throw classifyError(status, body, responseHeaders);
  if (!hasData && list.length === 0) {
    throw new ServerError(`monday.com answered HTTP ${status} without data or errors`, {
      code: "INVALID_RESPONSE",
      statusCode: status,
    });
  }
  return {
    data: hasData ? (data as T) : null,
    errors: list,
    headers: responseHeadersOf(responseHeaders),
    status,
  };
}

/**
 * A 500 whose body still holds `data` and only errors that name their alias: monday's answer when one alias
 * of a batch hit an internal error (a missing item id, malformed column JSON) after others ran. It is read
 * like a 200, so the aliases that succeeded are not lost (and not sent again); the failed alias gets its own
 * error (a `ServerError`, retryable only by sending the row again later). A 500 without data stays a
 * whole-request failure, retried with backoff.
 */
function ranInPart(status: number, body: unknown): boolean {
  if (status !== 500 || typeof body !== "object" || body === null) return false;
  const { data, errors } = body as Record<string, unknown>;
  const hasData = typeof data === "object" && data !== null && Object.keys(data).length > 0;
  const pathed = Array.isArray(errors) && errors.every((e) => Array.isArray((e as MondayGraphQLError).path));
  return hasData && pathed;
}

function responseHeadersOf(headers: Headers): MondayResponseHeaders {
  const result: MondayResponseHeaders = {};
  const requestId = header(headers, "x-request-id") ?? header(headers, "request-id");
  if (requestId !== undefined) result.requestId = requestId;
  const rateLimit = header(headers, "ratelimit");
  if (rateLimit !== undefined) result.rateLimit = parseRateLimitHeader(rateLimit);
  const policy = header(headers, "ratelimit-policy");
  if (policy !== undefined) result.rateLimitPolicy = parseRateLimitPolicy(policy);
  if (header(headers, "idempotency-replayed")?.toLowerCase() === "true") result.idempotencyReplayed = true;
  return result;
}

/**
 * `RateLimit-Policy`: the complexity quota's name, limit and window when the header lists one (monday lists
 * `minuteRate`, `concurrency` and `complexityMinute`), else the first quota's.
 */
export function parseRateLimitPolicy(value: string): {
  name?: string;
  limit?: number;
  windowSeconds?: number;
} {
  const items = parseRateLimitItems(value);
  const item = items.find(isComplexityItem) ?? items[0];
  const result: { name?: string; limit?: number; windowSeconds?: number } = {};
  if (item?.name !== undefined) result.name = item.name;
  const limit = item?.params.get("q");
  const windowSeconds = item?.params.get("w");
  if (limit !== undefined) result.limit = limit;
  if (windowSeconds !== undefined) result.windowSeconds = windowSeconds;
  return result;
}

function toMondayError(caught: unknown, timeout: AbortSignal, timeoutMs: number): MondayError {
  if (caught instanceof Error && "retryable" in caught && "code" in caught) return caught as MondayError;
  if (timeout.aborted) {
    return new TimeoutError(`monday.com did not answer within ${timeoutMs} ms`, {
      code: "TIMEOUT",
      cause: caught,
    });
  }
  const code = networkCode(caught);
  const reason = caught instanceof Error ? caught.message : String(caught);
  return new NetworkError(`monday.com could not be reached: ${code ?? reason}`, {
    code: code ?? "NETWORK_ERROR",
    cause: caught,
  });
}

/** The system error code (ECONNREFUSED, ECONNRESET, ...) under fetch's generic "fetch failed". */
function networkCode(caught: unknown): string | undefined {
  let current: unknown = caught;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Keeps the token out of the per-alias errors of an answer that ran (message, extensions, error data), so
 * no row's last error, log line or report can show it even if a server echoes it back.
 */
function redactErrors<T>(result: MondayResponse<T>, token: string, url: string): MondayResponse<T> {
  if (result.errors.length === 0) return result;
  const text = JSON.stringify(result.errors);
  const escape = (secret: string) => JSON.stringify(secret).slice(1, -1);
  const secrets = [token, ...urlSecrets(url)].filter((x) => x.length > 0).map(escape);
  const redacted = redactSecrets(text, secrets);
  return redacted === text ? result : { ...result, errors: JSON.parse(redacted) as MondayGraphQLError[] };
}

/**
 * Keeps the token, and any credentials in the API URL, out of messages even if a server (or fetch, which
 * names the URL it refused) echoes them back.
 */
function redact(error: MondayError, token: string, url: string): MondayError {
  const message = redactSecrets(error.message, [token], [url]);
  if (message !== error.message) error.message = message;
  return error;
}

/** The document's operation name, for events and logs (`anonymous` if it has none). */
export function operationName(document: DocumentNode): string {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  return operation?.kind === Kind.OPERATION_DEFINITION ? (operation.name?.value ?? "anonymous") : "anonymous";
}

/** The `complexity { before after query reset_in_x_seconds }` a response's data selected, if any. */
export function complexityOf(data: unknown): Complexity | undefined {
  const complexity = (data as { complexity?: unknown } | null | undefined)?.complexity;
  if (typeof complexity !== "object" || complexity === null) return undefined;
  const { before, after, query, reset_in_x_seconds } = complexity as Record<string, unknown>;
  return typeof query === "number"
    ? {
        before: Number(before),
        after: Number(after),
        query,
        reset_in_x_seconds: Number(reset_in_x_seconds),
      }
    : undefined;
}
