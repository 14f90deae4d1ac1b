import { describe, expect, it } from "vitest";
import {
  AuthError,
  ColumnValueError,
  DailyLimitError,
  InvalidDataError,
  MondayError,
  NotFoundError,
  RateLimitError,
  ServerError,
  classifyError,
  classifyErrors,
  isRetryable,
  parseRateLimitHeader,
  parseRateLimitItems,
  retryAfterSeconds,
  NetworkError,
  CircuitOpenError,
} from "../../src/monday/errors.js";
import { outcomeOf } from "../../src/errors/index.js";

describe("the outcome each monday error class carries", () => {
  it("is unavailable (exit 4) for the classes that mean monday.com cannot be used now, none for data errors", () => {
    for (const e of [
      new RateLimitError("429"),
      new ServerError("502"),
      new NetworkError("refused"),
      new CircuitOpenError(),
      new AuthError("401"),
      new DailyLimitError("daily"),
    ])
      expect(outcomeOf(e), e.name).toBe("unavailable");
    for (const e of [
      new InvalidDataError("x"),
      new ColumnValueError("x"),
      new NotFoundError("x"),
      new MondayError("x"),
    ])
      expect(outcomeOf(e), e.name).toBeUndefined();
  });
});

type ErrorClass = abstract new (...args: never[]) => MondayError;

const current = (code: string, extensions: Record<string, unknown> = {}) => ({
  errors: [{ message: `failed: ${code}`, extensions: { code, ...extensions } }],
});
const legacy = (fields: Record<string, unknown>) => ({ account_id: 1, ...fields });

const table: Array<[string, number, unknown, ErrorClass, boolean]> = [
  [
    "complexity budget (current)",
    429,
    current("COMPLEXITY_BUDGET_EXHAUSTED", { retry_in_seconds: 42 }),
    RateLimitError,
    true,
  ],
  ["complexity budget, lower case", 429, current("complexity_budget_exhausted"), RateLimitError, true],
  ["minute limit", 429, current("RATE_LIMIT_EXCEEDED"), RateLimitError, true],
  ["concurrency", 429, current("maxConcurrencyExceeded"), RateLimitError, true],
  ["concurrency, upper case", 429, current("MAXCONCURRENCYEXCEEDED"), RateLimitError, true],
  ["IP limit", 429, current("IP_RATE_LIMIT_EXCEEDED"), RateLimitError, true],
  [
    "field limit (old shape)",
    429,
    legacy({ error_code: "FIELD_LIMIT_EXCEEDED", status_code: 429, error_data: { retry_in_seconds: 15 } }),
    RateLimitError,
    true,
  ],
  [
    "ComplexityException (old shape)",
    200,
    legacy({
      error_code: "ComplexityException",
      status_code: 429,
      error_message: "Complexity budget exhausted, reset in 3 seconds",
    }),
    RateLimitError,
    true,
  ],
  ["429 without a code", 429, { error_message: "Rate Limit Exceeded" }, RateLimitError, true],
  ["daily limit", 429, current("DAILY_LIMIT_EXCEEDED"), DailyLimitError, false],
  ["401", 401, undefined, AuthError, false],
  ["403 USER_UNAUTHORIZED", 403, current("USER_UNAUTHORIZED"), AuthError, false],
  [
    "UserUnauthorizedException at 200 (old)",
    200,
    current("UserUnauthorizedException", { status_code: 403 }),
    AuthError,
    false,
  ],
  ["USER_ACCESS_DENIED", 403, current("USER_ACCESS_DENIED"), AuthError, false],
  ["missingRequiredPermissions", 200, current("missingRequiredPermissions"), AuthError, false],
  [
    "ColumnValueException",
    200,
    current("ColumnValueException", { error_data: { column_type: "status", column_id: "status" } }),
    ColumnValueError,
    false,
  ],
  [
    "ColumnValueException (old shape)",
    200,
    legacy({ error_code: "ColumnValueException", status_code: 200, error_message: "label does not exist" }),
    ColumnValueError,
    false,
  ],
  ["InvalidBoardIdException", 200, current("InvalidBoardIdException"), InvalidDataError, false],
  ["InvalidColumnIdException", 200, current("invalidcolumnidexception"), InvalidDataError, false],
  ["ItemNameTooLongException", 200, current("ItemNameTooLongException"), InvalidDataError, false],
  ["ItemsLimitationException", 200, current("ItemsLimitationException"), InvalidDataError, false],
  ["JsonParseException 400", 400, current("JsonParseException"), InvalidDataError, false],
  ["RecordInvalidException 422", 422, current("RecordInvalidException"), InvalidDataError, false],
  [
    "DeleteLastGroupException 409 is not a conflict",
    409,
    current("DeleteLastGroupException"),
    InvalidDataError,
    false,
  ],
  [
    "parse error without a code",
    200,
    {
      errors: [{ message: 'Parse error on ")" (RPAREN) at [59, 15]', locations: [{ line: 59, column: 15 }] }],
    },
    InvalidDataError,
    false,
  ],
  ["400 without a body", 400, undefined, InvalidDataError, false],
  ["ResourceNotFoundException 404", 404, current("ResourceNotFoundException"), NotFoundError, false],
  [
    "500 (old shape)",
    500,
    legacy({ error_message: "Internal server error", status_code: 500 }),
    ServerError,
    true,
  ],
  ["502 HTML", 502, undefined, ServerError, true],
  [
    "423 locked",
    423,
    { errors: [{ message: "Resource is currently locked, please try again later" }] },
    ServerError,
    true,
  ],
  ["409 IDEMPOTENCY_CONFLICT", 409, current("IDEMPOTENCY_CONFLICT"), ServerError, true],
  ["API_TEMPORARILY_BLOCKED at 200", 200, current("API_TEMPORARILY_BLOCKED"), ServerError, true],
  ["unknown code at 200", 200, current("ASSET_UNAVAILABLE"), MondayError, false],
];

describe("classifyError", () => {
  it.each(table)("%s", (_label, status, body, ErrorType, retryable) => {
    const error = classifyError(status, body, {});
    expect(error).toBeInstanceOf(ErrorType);
    expect(error.constructor).toBe(ErrorType);
    expect(error.retryable).toBe(retryable);
    expect(isRetryable(error)).toBe(retryable);
  });

  it("reads retry_in_seconds from extensions, error_data, Retry-After, the old message, RateLimit", () => {
    const seconds = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      (classifyError(status, body, headers) as RateLimitError).retryInSeconds;
    expect(seconds(429, current("COMPLEXITY_BUDGET_EXHAUSTED", { retry_in_seconds: 42 }))).toBe(42);
    expect(
      seconds(429, legacy({ error_code: "FIELD_LIMIT_EXCEEDED", error_data: { retry_in_seconds: 15 } })),
    ).toBe(15);
    expect(seconds(429, current("RATE_LIMIT_EXCEEDED"), { "Retry-After": "7" })).toBe(7);
    expect(
      seconds(
        200,
        legacy({ error_code: "ComplexityException", error_message: "Budget exhausted, reset in 3 seconds" }),
      ),
    ).toBe(3);
    expect(seconds(429, current("maxConcurrencyExceeded"), { RateLimit: '"default";r=0;t=11' })).toBe(11);
    expect(seconds(429, current("maxConcurrencyExceeded"))).toBeUndefined();
  });

  it("does not take a 5xx's wait from the RateLimit header (that is when the quota resets)", () => {
    const headers = { RateLimit: '"complexity";r=9000000;t=60' };
    const error = classifyError(500, current("INTERNAL_SERVER_ERROR"), headers) as ServerError;
    expect(error).toBeInstanceOf(ServerError);
    expect(error.retryInSeconds).toBeUndefined();
    const withRetryAfter = classifyError(503, {}, { ...headers, "Retry-After": "2" }) as ServerError;
    expect(withRetryAfter.retryInSeconds).toBe(2);
  });

  it("never reads the wait from the message of a current-shape error", () => {
    const error = classifyError(429, current("RATE_LIMIT_EXCEEDED"), {}) as RateLimitError;
    expect(error.message).toContain("failed");
    expect(error.retryInSeconds).toBeUndefined();
    const worded = classifyError(
      429,
      { errors: [{ message: "reset in 9 seconds", extensions: { code: "RATE_LIMIT_EXCEEDED" } }] },
      {},
    ) as RateLimitError;
    expect(worded.retryInSeconds).toBeUndefined();
  });

  it("carries code, status, request id, path and error data", () => {
    const [error] = classifyErrors(
      200,
      {
        errors: [
          {
            message: "label does not exist",
            path: ["a3"],
            extensions: {
              code: "ColumnValueException",
              status_code: 200,
              request_id: "req-1",
              error_data: { column_id: "status", column_type: "status" },
            },
          },
        ],
      },
      {},
    );
    expect(error).toBeInstanceOf(ColumnValueError);
    expect(error).toMatchObject({
      code: "ColumnValueException",
      statusCode: 200,
      requestId: "req-1",
      path: ["a3"],
      columnId: "status",
      columnType: "status",
    });
  });

  it("takes the request id from headers when the body has none", () => {
    expect(classifyError(500, undefined, new Headers({ "x-request-id": "h-9" })).requestId).toBe("h-9");
  });

  it("returns one error per entry", () => {
    const errors = classifyErrors(
      200,
      { errors: [current("ColumnValueException").errors[0], current("InvalidBoardIdException").errors[0]] },
      {},
    );
    expect(errors.map((e) => e.constructor)).toEqual([ColumnValueError, InvalidDataError]);
  });

  it("prefers a known family when a request has several errors", () => {
    const body = {
      errors: [current("ASSET_UNAVAILABLE").errors[0], current("COMPLEXITY_BUDGET_EXHAUSTED").errors[0]],
    };
    expect(classifyError(200, body, {})).toBeInstanceOf(RateLimitError);
  });

  it("computes when a daily limit resets", () => {
    const error = classifyError(429, current("DAILY_LIMIT_EXCEEDED"), {}) as DailyLimitError;
    expect(error.resetsAt(new Date("2026-10-05T17:30:00Z")).toISOString()).toBe("2026-10-06T00:00:00.000Z");
  });
});

describe("header helpers", () => {
  it("parses RateLimit in both drafts", () => {
    expect(parseRateLimitHeader('"default";r=120;t=30')).toEqual({
      remaining: 120,
      resetSeconds: 30,
      name: "default",
    });
    expect(parseRateLimitHeader("limit=100, remaining=5, reset=12")).toEqual({
      remaining: 5,
      resetSeconds: 12,
    });
    expect(parseRateLimitHeader(undefined)).toEqual({});
    expect(
      parseRateLimitHeader('"minuteRate";r=4999, "concurrency";r=249, "complexityMinute";r=4950000;t=45'),
    ).toEqual({ remaining: 4_950_000, resetSeconds: 45, name: "complexityMinute" });
    expect(parseRateLimitItems('"minuteRate";r=0;t=20, "concurrency";r=249').map((i) => i.name)).toEqual([
      "minuteRate",
      "concurrency",
    ]);
  });

  it("parses Retry-After as seconds or a date", () => {
    expect(retryAfterSeconds("30")).toBe(30);
    const now = Date.parse("2026-10-05T00:00:00Z");
    expect(retryAfterSeconds("Mon, 05 Oct 2026 00:00:10 GMT", now)).toBe(10);
    expect(retryAfterSeconds("soon")).toBeUndefined();
  });
});
