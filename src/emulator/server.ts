import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import {
  buildSchema,
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from "graphql";
import type { Config } from "../config/index.js";
import { ComplexityBudget, operationComplexity } from "./complexity.js";
import { MondayApiError } from "./errors.js";
import { MutationLog } from "./mutation-log.js";
import { CursorBook } from "./paging.js";
import { createRootValue, type RequestContext } from "./resolvers.js";
import { seedBoardsFromConfig } from "./seed.js";
import { EmulatorStore } from "./store.js";

/** Absolute path of the emulator's SDL (a subset of monday's official SDL). */
export const emulatorSchemaPath = fileURLToPath(new URL("./schema.graphql", import.meta.url));

let cachedSchema: GraphQLSchema | undefined;
/** The emulator's executable schema (built once; resolvers come from the root value). */
export function emulatorSchema(): GraphQLSchema {
  cachedSchema ??= buildSchema(readFileSync(emulatorSchemaPath, "utf8"));
  return cachedSchema;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** When set, `Authorization` must equal it; otherwise any non-empty token is accepted. */
  token?: string;
  /** Boards, columns, groups and subitems boards to create first, with the ids the config names. */
  config?: Config;
  /** An existing store to serve (e.g. one a test prepared); a new one by default. */
  store?: EmulatorStore;
  /** Delay added before every response, to make timing visible. */
  latencyMs?: number;
}

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:PORT/v2`. */
  url: string;
  port: number;
  store: EmulatorStore;
  log: MutationLog;
  budget: ComplexityBudget;
  /** HTTP requests received so far (same as `log.requests`). */
  readonly requestCount: number;
  close(): Promise<void>;
}

const API_VERSION_PATTERN = /^\d{4}-\d{2}$/;
const CURRENT_API_VERSION = "2026-10";
const ACCOUNT_ID = 1;

interface HttpReply {
  status: number;
  body: unknown;
}

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

function errorReply(status: number, message: string, code: string): HttpReply {
  return { status, body: { errors: [{ message, extensions: { code, status_code: status } }] } };
}

/** One GraphQL error in monday's shape: `extensions { code, status_code, error_data, request_id }`. */
function formatError(error: GraphQLError, requestId: string): Record<string, unknown> {
  const original = error.originalError;
  const ownCode = typeof error.extensions.code === "string" ? error.extensions.code : undefined;
  const extensions =
    original instanceof MondayApiError
      ? { code: original.code, status_code: original.statusCode, error_data: original.errorData }
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

function graphqlReply(result: ExecutionResult, requestId: string): HttpReply {
  const body: Record<string, unknown> = {};
  if ("data" in result) body.data = result.data;
  if (result.errors?.length) body.errors = result.errors.map((e) => formatError(e, requestId));
  body.account_id = ACCOUNT_ID;
  return { status: 200, body };
}

function parseDocument(query: string): DocumentNode | GraphQLError {
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

interface RequestBody {
  query: string;
  variables: Record<string, unknown>;
  operationName: string | undefined;
}

function parseBody(text: string): RequestBody | HttpReply {
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

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readRequestBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The emulator's request pipeline, independent of the HTTP server. */
class EmulatorHandler {
  private readonly schema = emulatorSchema();
  private readonly rootValue = createRootValue();
  readonly cursors: CursorBook;

  constructor(
    readonly store: EmulatorStore,
    readonly log: MutationLog,
    readonly budget: ComplexityBudget,
    private readonly options: EmulatorOptions,
  ) {
    this.cursors = new CursorBook(store);
  }

  /** Checks the transport (path, auth, version, body) and runs the GraphQL request. */
  async handle(req: IncomingMessage, request: number, requestId: string): Promise<HttpReply> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "POST" || (path !== "/v2" && path !== "/v2/"))
      return errorReply(404, "Not Found", "NOT_FOUND");
    const denied = this.authenticate(req);
    if (denied) return denied;
    const version = headerValue(req, "api-version");
    if (version !== undefined && !API_VERSION_PATTERN.test(version.trim())) {
      return errorReply(
        400,
        `Invalid API version "${version}": use a version name like ${CURRENT_API_VERSION}`,
        "InvalidVersionException",
      );
    }
    const body = parseBody(await readRequestBody(req));
    if ("status" in body) return body;
    return this.run(body, request, requestId);
  }

  private authenticate(req: IncomingMessage): HttpReply | undefined {
    const token = headerValue(req, "authorization")?.trim();
    const expected = this.options.token;
    if (token && (expected === undefined || token === expected)) return undefined;
    return errorReply(401, "Not Authenticated", "UNAUTHORIZED");
  }

  private run(body: RequestBody, request: number, requestId: string): HttpReply {
    const document = parseDocument(body.query);
    if (document instanceof GraphQLError) return graphqlReply({ errors: [document] }, requestId);
    const operation = getOperationAST(document, body.operationName);
    if (operation?.operation === "mutation" && operation.selectionSet.selections.length > 0)
      this.log.writeRequests++;
    // Failed calls count against the budget too (API-FACTS, "Rate limits").
    const cost = operation ? operationComplexity(document, operation, body.variables) : 0;
    const complexity = this.budget.charge(cost);
    const errors = validate(this.schema, document);
    if (errors.length) return graphqlReply({ errors }, requestId);
    const contextValue: RequestContext = {
      store: this.store,
      cursors: this.cursors,
      log: this.log,
      complexity,
      request,
    };
    const result = execute({
      schema: this.schema,
      document,
      rootValue: this.rootValue,
      contextValue,
      variableValues: body.variables,
      operationName: body.operationName,
    }) as ExecutionResult;
    return graphqlReply(result, requestId);
  }
}

function rateLimitHeaders(budget: ComplexityBudget): Record<string, string> {
  return {
    "RateLimit-Policy": `"complexity";q=${budget.limit};w=60`,
    RateLimit: `"complexity";r=${Math.max(0, budget.remaining())};t=${budget.resetInSeconds()}`,
  };
}

function send(res: ServerResponse, reply: HttpReply, headers: Record<string, string>): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Starts a local monday.com API at `http://HOST:PORT/v2`.
 *
 * @example
 * const emulator = await startEmulator({ port: 0, config });
 * await fetch(emulator.url, { method: "POST", headers: { Authorization: "t", "Content-Type": "application/json" },
 *   body: JSON.stringify({ query: "{ boards { id name } }" }) });
 * await emulator.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const store = options.store ?? new EmulatorStore();
  if (options.config) seedBoardsFromConfig(store, options.config);
  const log = new MutationLog();
  const budget = new ComplexityBudget();
  const handler = new EmulatorHandler(store, log, budget, options);
  const server = createServer((req, res) => {
    const request = ++log.requests;
    const requestId = randomUUID();
    const headers = { "Request-Id": requestId, "API-Version": CURRENT_API_VERSION };
    void (async () => {
      if (options.latencyMs) await sleep(options.latencyMs);
      const reply = await handler.handle(req, request, requestId);
      send(res, reply, { ...headers, ...rateLimitHeaders(budget) });
    })().catch((error: unknown) => {
      const reply = errorReply(
        500,
        error instanceof Error ? error.message : "Internal server error",
        "INTERNAL_SERVER_ERROR",
      );
      if (!res.headersSent) send(res, reply, headers);
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/v2`,
    port,
    store,
    log,
    budget,
    get requestCount() {
      return log.requests;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
