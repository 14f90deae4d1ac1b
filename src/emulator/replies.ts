// What the emulator answers: HTTP replies in monday's shapes, and the request body and document parsers.
import type { IncomingMessage } from "node:http";
import { GraphQLError, parse, type DocumentNode, type ExecutionResult } from "graphql";
import { MondayApiError } from "./errors.js";

/** One HTTP reply: a JSON body, or a string sent as it is (with its own `Content-Type` header). */
export interface HttpReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** monday's account id in every GraphQL response. */
export const ACCOUNT_ID = 1;

/** graphql-js validation messages → the codes monday (graphql-ruby) answers with. */
const VALIDATION_CODES: readonly (readonly [RegExp, string])[] = [
  [/^Cannot query field/, "undefinedField"],
  [/^Unknown argument/, "argumentNotAccepted"],
  [/argument .* is required, but it was not provided/, "missingRequiredArguments"],
  [/^Unknown type/, "undefinedType"],
  [/^Variable "\$[^"]*" (got invalid value|of required type|of non-null type)/, "variableMismatch"],
  [/cannot represent|^Expected value of type|^Enum .* cannot represent/, "argumentLiteralsIncompatible"],
];

function validationCode(message: string): string {
  return VALIDATION_CODES.find(([pattern]) => pattern.test(message))?.[1] ?? "GRAPHQL_VALIDATION_FAILED";
}

/** A transport-level error: `{"errors":[{message, extensions:{code, status_code}}]}`. */
export function errorReply(status: number, message: string, code: string): HttpReply {
  return { status, body: { errors: [{ message, extensions: { code, status_code: status } }] } };
}

/**
 * A 429 in monday's current shape (2025-07+), with `Retry-After`:
 * `{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","retry_in_seconds":42,"status_code":429}}]}`.
 * `extra` adds fields monday sends for some limits (`complexity`, `complexity_budget_left`, ...).
 */
export function rateLimitReply(
  code: string,
  message: string,
  retryInSeconds: number,
  extra: Record<string, unknown> = {},
): HttpReply {
  return {
    status: 429,
    headers: { "Retry-After": String(retryInSeconds) },
    body: {
      errors: [
        { message, extensions: { code, ...extra, retry_in_seconds: retryInSeconds, status_code: 429 } },
      ],
    },
  };
}

/** One GraphQL error in monday's shape: `extensions { code, status_code, error_data, request_id }`. */
function formatError(error: GraphQLError, requestId: string): Record<string, unknown> {
  const original = error.originalError;
  const ownCode = typeof error.extensions.code === "string" ? error.extensions.code : undefined;
  const extensions =
    original instanceof MondayApiError
      ? {
          code: original.code,
          status_code: original.statusCode,
          error_data: original.errorData,
          ...original.extensions,
        }
      : error.path
        ? { code: "INTERNAL_SERVER_ERROR", status_code: 500, error_data: {} }
        : { code: ownCode ?? validationCode(error.message), status_code: 400, error_data: {} };
  return {
    message: error.message,
    ...(error.locations && { locations: error.locations }),
    ...(error.path && { path: error.path }),
    extensions: { ...extensions, request_id: requestId },
  };
}

/**
 * A GraphQL result as monday answers it: `errors[]` in monday's shape and `account_id`; HTTP 200, except
 * that an internal error (monday's answer to a missing item id or malformed column JSON, API-FACTS "Errors")
 * makes it HTTP 500. The body keeps `data`, so the aliases that ran before the failure stay visible.
 */
export function graphqlReply(result: ExecutionResult, requestId: string): HttpReply {
  const body: Record<string, unknown> = {};
  if ("data" in result) body.data = result.data;
  if (result.errors?.length) body.errors = result.errors.map((e) => formatError(e, requestId));
  body.account_id = ACCOUNT_ID;
  if (result.errors?.some(isRateLimited)) return { status: 429, body };
  return { status: result.errors?.some(isInternal) ? 500 : 200, body };
}

/** An error monday answers with HTTP 429 from inside a resolver (the bulk import's job-start limit). */
function isRateLimited(error: GraphQLError): boolean {
  return error.originalError instanceof MondayApiError && error.originalError.statusCode === 429;
}

/** An error monday answers with HTTP 500: an internal error, or any resolver failure that is not monday's. */
function isInternal(error: GraphQLError): boolean {
  const original = error.originalError;
  return original instanceof MondayApiError ? original.statusCode >= 500 : error.path !== undefined;
}

/**
 * The body with `extensions.request_id` on every error that lacks one, so transport errors (400, 401, 409,
 * 429, 500) carry the id of the request like GraphQL errors do; other bodies are returned as they are.
 */
export function withRequestId(body: unknown, requestId: string): unknown {
  if (typeof body !== "object" || body === null || !Array.isArray((body as { errors?: unknown }).errors))
    return body;
  const errors = (body as { errors: Record<string, unknown>[] }).errors.map((error) => {
    const extensions = (error.extensions ?? {}) as Record<string, unknown>;
    return "request_id" in extensions
      ? error
      : { ...error, extensions: { ...extensions, request_id: requestId } };
  });
  return { ...body, errors };
}

/** Parses a query; syntax errors come back as monday's `Parse error on ...`. */
export function parseDocument(query: string): DocumentNode | GraphQLError {
  try {
    return parse(query);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const at = error.locations?.[0];
    const where = at ? ` at [${at.line}, ${at.column}]` : "";
    return new GraphQLError(
      `Parse error on ${error.message.replace(/^Syntax Error: /, "").replace(/\.$/, "")}${where}`,
      {
        extensions: { code: "PARSING_ERROR" },
      },
    );
  }
}

/** A GraphQL request body. */
export interface RequestBody {
  query: string;
  variables: Record<string, unknown>;
  operationName: string | undefined;
}

/** Reads `{query, variables, operationName}` from a request body, or the 400 monday answers. */
export function parseBody(text: string): RequestBody | HttpReply {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return errorReply(400, "Invalid JSON in request body", "JsonParseException");
  }
  const body = (json ?? {}) as Record<string, unknown>;
  if (typeof body.query !== "string" || body.query.trim() === "") {
    return errorReply(400, "No query string was present", "INVALID_REQUEST");
  }
  if (body.variables !== undefined && body.variables !== null && typeof body.variables !== "object") {
    return errorReply(400, "variables must be a JSON object", "INVALID_REQUEST");
  }
  return {
    query: body.query,
    variables: (body.variables ?? {}) as Record<string, unknown>,
    operationName: typeof body.operationName === "string" ? body.operationName : undefined,
  };
}

/** A request header's first value. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The whole request body as text. */
export function readRequestBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
