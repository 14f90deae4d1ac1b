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
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { handleAdmin, type AdminControls, type FaultOptions } from "./admin.js";
import { BulkJobBook } from "./bulk/book.js";
import { handleBulkHttp } from "./bulk/http.js";
import { EmulatorClock } from "./clock.js";
import { ComplexityBudget, operationComplexity } from "./complexity.js";
import {
  BAD_GATEWAY_HTML,
  checkFaultSpec,
  DEFAULT_FAULTS,
  FAULT_RETRY_MS,
  FaultPicker,
  seededRandom,
  type FaultKind,
  type FaultSettings,
  type FaultSpec,
} from "./faults.js";
import { IdempotencyCache, type StoredReply } from "./idempotency.js";
import {
  checkLimitSettings,
  CONCURRENCY_RETRY_MS,
  DEFAULT_LIMITS,
  LIMIT_ERRORS,
  RequestWindow,
  type LimitKind,
  type LimitSettings,
} from "./limits.js";
import { MutationLog } from "./mutation-log.js";
import { CursorBook } from "./paging.js";
import {
  ACCOUNT_ID,
  errorReply,
  graphqlReply,
  headerValue,
  parseBody,
  parseDocument,
  rateLimitReply,
  readRequestBody,
  withRequestId,
  type HttpReply,
  type RequestBody,
} from "./replies.js";
import { createRootValue, withTypeResolvers, type RequestContext } from "./resolvers.js";
import { seedBoards } from "./seed.js";
import { StatsCounter, type EmulatorStats } from "./stats.js";
import { EmulatorStore, type BoardSpec } from "./store.js";
import { UserDirectory, type Actor, type UserSettings } from "./users.js";
import type { WebhookFaultSettings } from "./webhooks/deliveries.js";
import { EmulatorWebhooks } from "./webhooks/service.js";

/** Absolute path of the emulator's SDL (a subset of monday's official SDL). */
export const emulatorSchemaPath = fileURLToPath(new URL("./schema.graphql", import.meta.url));

let cachedSchema: GraphQLSchema | undefined;
/** The emulator's executable schema (built once; resolvers come from the root value). */
export function emulatorSchema(): GraphQLSchema {
  cachedSchema ??= withTypeResolvers(buildSchema(readFileSync(emulatorSchemaPath, "utf8")));
  return cachedSchema;
}

/**
 * Options of {@link startEmulator}. Limits and faults are off unless asked for: tests and benches choose
 * them per case. `order-sync emulator` (what a user or an outside check starts) turns limits on.
 */
export interface EmulatorOptions extends Partial<LimitSettings> {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** When set, `Authorization` must equal it (or a `users` token); otherwise any non-empty token is accepted. */
  token?: string;
  /** Users, their tokens and app tokens (`--user`, `--app-token`); see {@link UserDirectory}. */
  users?: UserSettings;
  /** HS256 secret that signs webhooks created with an app token (`--signing-secret`). */
  signingSecret?: string;
  /** Boards (with their columns, groups and subitems boards) to create first; ones already in `store` are kept. */
  boards?: readonly BoardSpec[];
  /** An existing store to serve (e.g. one a test prepared); a new one by default. */
  store?: EmulatorStore;
  /** Real ms added before an admitted request executes (refusals answer at once); default 0. */
  latencyMs?: number;
  /** Up to this many real ms more, drawn per request from the seeded PRNG; default 0. */
  latencyJitterMs?: number;
  /** How much faster than real time emulator time runs (budget windows, expiries); default 1. */
  timeScale?: number;
  /** Real time in ms; default `Date.now` (tests inject a manual clock). */
  now?: () => number;
  /** Fraction of requests each fault answers; default none. */
  faults?: FaultSpec;
  /** Which requests faults may hit; default `"all"`. */
  faultsOn?: FaultSettings["faultsOn"];
  /** How long a `timeout` fault holds the connection before destroying it, in real ms; default 30,000. */
  faultTimeoutMs?: number;
  /** Seed of the PRNG behind faults and latency jitter; default 1. */
  seed?: number;
  /** Webhook delivery faults (duplicate, delay, reorder); default none. Drawn from the seeded PRNG too. */
  webhookFaults?: Partial<WebhookFaultSettings>;
  /**
   * Rows a second a bulk import job processes, in emulator time; default 500. monday does not document its
   * speed (API-FACTS "Bulk import"), so benches try several.
   */
  bulkRowsPerSecond?: number;
  /**
   * Bulk import jobs the account processes at once; default unlimited (each job from its upload on).
   * monday does not document whether jobs of different boards or groups run side by side (API-FACTS "Bulk
   * import"), so benches can try 1 (one after another, in upload order) too.
   */
  bulkConcurrentJobs?: number;
}

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:PORT/v2`. */
  url: string;
  port: number;
  store: EmulatorStore;
  log: MutationLog;
  budget: ComplexityBudget;
  /** Emulator time (scaled). */
  clock: EmulatorClock;
  /** The account's users and which token belongs to whom. */
  users: UserDirectory;
  /** The account's webhooks and their deliveries. */
  webhooks: EmulatorWebhooks;
  /** The account's bulk import jobs (`ingest_items`, `backfill_items`, `fetch_job_status`, uploads, reports). */
  bulk: BulkJobBook;
  /** `/v2` requests received so far (same as `log.requests`). */
  readonly requestCount: number;
  /** Counters for the benchmark: requests, 429s by code, complexity, faults, replays, conflicts. */
  stats(): EmulatorStats;
  /** Zeroes the stats counters and the log's request counts. */
  resetStats(): void;
  /** Replaces the fault fractions (`{}` turns faults off) and optionally their scope, timeout and seed. */
  setFaults(faults: FaultSpec, options?: FaultOptions): void;
  /** The current fault settings. */
  faultSettings(): FaultSettings;
  /** Changes some limits, e.g. `setLimits({ enforceLimits: true, budgetPerMinute: 1_000_000 })`. */
  setLimits(settings: Partial<LimitSettings>): void;
  /** The current limits. */
  limitSettings(): LimitSettings;
  close(): Promise<void>;
}

const API_VERSION_PATTERN = /^\d{4}-\d{2}$/;
const CURRENT_API_VERSION = "2026-10";
const DEFAULT_SEED = 1;

/** What the pipeline decided to do with a request. */
type Outcome =
  | { kind: "send"; reply: HttpReply }
  /** `timeout` fault: answer nothing, destroy the socket later. */
  | { kind: "hold" }
  /** `drop_after_commit` fault: the request ran; destroy the socket without a reply. */
  | { kind: "drop" };

const sendOutcome = (reply: HttpReply): Outcome => ({ kind: "send", reply });

/** Faults answered before anything runs: the reply a proxy or a failing API sends. */
const FAULT_REPLIES: Readonly<
  Record<Exclude<FaultKind, "timeout" | "drop_after_commit">, (retryInSeconds: number) => HttpReply>
> = {
  rate_limit: (retry) => rateLimitReply(LIMIT_ERRORS.requests.code, LIMIT_ERRORS.requests.message, retry),
  server_error: () => errorReply(500, "Internal server error", "INTERNAL_SERVER_ERROR"),
  bad_gateway: () => ({
    status: 502,
    headers: { "Content-Type": "text/html" },
    body: BAD_GATEWAY_HTML,
  }),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request the pipeline admitted and parsed. */
interface Admitted {
  token: string;
  actor: Actor;
  body: RequestBody;
  document: DocumentNode;
  operation: OperationDefinitionNode | null | undefined;
  request: number;
  requestId: string;
}

/** The emulator's request pipeline: transport checks, faults, limits, idempotency, then GraphQL. */
class EmulatorHandler implements AdminControls {
  private readonly schema = emulatorSchema();
  private readonly rootValue = createRootValue();
  readonly users: UserDirectory;
  readonly cursors: CursorBook;
  readonly counters = new StatsCounter();
  readonly webhooks: EmulatorWebhooks;
  readonly bulk: BulkJobBook;
  private readonly idempotency: IdempotencyCache;
  private readonly requestWindow: RequestWindow;
  private readonly faultPicker: FaultPicker;
  private readonly jitter: () => number;
  private limits: LimitSettings;
  private faults: FaultSettings;
  private inFlight = 0;

  constructor(
    readonly store: EmulatorStore,
    readonly log: MutationLog,
    readonly budget: ComplexityBudget,
    readonly clock: EmulatorClock,
    private readonly options: EmulatorOptions,
  ) {
    const now = () => clock.now();
    this.users = new UserDirectory({
      ...options.users,
      defaultUserTokens: [
        ...(options.users?.defaultUserTokens ?? []),
        ...(options.token ? [options.token] : []),
      ],
    });
    store.person = (id) => this.users.person(id);
    this.cursors = new CursorBook(store, now);
    this.idempotency = new IdempotencyCache(now);
    this.requestWindow = new RequestWindow(now);
    const seed = options.seed ?? DEFAULT_SEED;
    this.faultPicker = new FaultPicker(seed);
    this.jitter = seededRandom(seed ^ 0x5eed);
    this.webhooks = new EmulatorWebhooks(store, clock, {
      signingSecret: options.signingSecret,
      seed: seed ^ 0x0eb,
      faults: options.webhookFaults,
    });
    this.bulk = new BulkJobBook(store, clock, (id) => {
      const user = this.users.byId(id);
      return user !== undefined && this.users.isAdmin(user);
    });
    if (options.bulkRowsPerSecond !== undefined && !(options.bulkRowsPerSecond > 0))
      throw new RangeError("bulkRowsPerSecond must be > 0");
    if (
      options.bulkConcurrentJobs !== undefined &&
      !(Number.isInteger(options.bulkConcurrentJobs) && options.bulkConcurrentJobs > 0)
    )
      throw new RangeError("bulkConcurrentJobs must be a whole number > 0");
    this.bulk.settings = {
      rowsPerSecond: options.bulkRowsPerSecond ?? this.bulk.settings.rowsPerSecond,
      ...(options.bulkConcurrentJobs !== undefined && { concurrentJobs: options.bulkConcurrentJobs }),
    };
    this.limits = { ...DEFAULT_LIMITS, ...checkLimitSettings(limitOptions(options)) };
    budget.limit = this.limits.budgetPerMinute;
    this.faults = { ...DEFAULT_FAULTS };
    this.setFaults(options.faults ?? {}, {
      ...(options.faultsOn && { faultsOn: options.faultsOn }),
      ...(options.faultTimeoutMs !== undefined && { faultTimeoutMs: options.faultTimeoutMs }),
    });
  }

  stats(): EmulatorStats {
    return this.counters.snapshot(this.log, this.webhooks.deliveries.stats());
  }

  faultSettings(): FaultSettings {
    return { ...this.faults, faults: { ...this.faults.faults } };
  }

  setFaults(faults: FaultSpec | undefined, options: FaultOptions = {}): void {
    this.faults = {
      faults: faults === undefined ? this.faults.faults : checkFaultSpec(faults),
      faultsOn: options.faultsOn ?? this.faults.faultsOn,
      faultTimeoutMs: options.faultTimeoutMs ?? this.faults.faultTimeoutMs,
    };
    if (options.seed !== undefined) this.faultPicker.reseed(options.seed);
  }

  limitSettings(): LimitSettings {
    return { ...this.limits };
  }

  setLimits(settings: Partial<LimitSettings>): void {
    this.limits = { ...this.limits, ...checkLimitSettings(settings) };
    this.budget.limit = this.limits.budgetPerMinute;
  }

  /** Answers an admin request (same token rule as `/v2`). */
  async handleAdmin(req: IncomingMessage, path: string): Promise<HttpReply> {
    const actor = this.authenticate(req);
    if ("status" in actor) return actor;
    return handleAdmin(this, req.method ?? "GET", path, await readRequestBody(req), actor);
  }

  /** Runs one `/v2` request through the pipeline. */
  async handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    request: number,
    requestId: string,
  ): Promise<Outcome> {
    const actor = this.authenticate(req);
    if ("status" in actor) return sendOutcome(actor);
    const token = actor.token;
    const version = headerValue(req, "api-version");
    if (version !== undefined && !API_VERSION_PATTERN.test(version.trim())) {
      return sendOutcome(
        errorReply(
          400,
          `Invalid API version "${version}": use a version name like ${CURRENT_API_VERSION}`,
          "InvalidVersionException",
        ),
      );
    }
    if (this.limits.enforceLimits && this.inFlight >= this.limits.maxConcurrent)
      return sendOutcome(this.limited("concurrency", CONCURRENCY_RETRY_MS));
    this.inFlight++;
    res.once("close", () => this.inFlight--);
    const body = parseBody(await readRequestBody(req));
    if ("status" in body) return sendOutcome(body);
    const document = parseDocument(body.query);
    if (document instanceof GraphQLError) return sendOutcome(graphqlReply({ errors: [document] }, requestId));
    const operation = getOperationAST(document, body.operationName);
    const isMutation = operation?.operation === "mutation" && operation.selectionSet.selections.length > 0;
    if (isMutation) this.log.writeRequests++;
    const fault = this.drawFault(isMutation);
    if (fault === "timeout") return { kind: "hold" };
    if (fault && fault !== "drop_after_commit") {
      if (fault === "rate_limit") this.counters.countRateLimited(LIMIT_ERRORS.requests.code);
      return sendOutcome(FAULT_REPLIES[fault](this.clock.realSeconds(FAULT_RETRY_MS)));
    }
    const admitted = { token, actor, body, document, operation, request, requestId };
    const reply = await this.admitAndRun(
      admitted,
      isMutation ? headerValue(req, "idempotency-key") : undefined,
    );
    if (fault !== "drop_after_commit") return sendOutcome(reply);
    this.log.markReplyLost(request);
    return { kind: "drop" };
  }

  /** Limits and idempotency around {@link run}. */
  private async admitAndRun(admitted: Admitted, idempotencyKey: string | undefined): Promise<HttpReply> {
    if (this.limits.enforceLimits) {
      const wait = this.requestWindow.admit(this.limits.requestsPerMinute);
      if (wait !== undefined) return this.limited("requests", wait);
    }
    const key = idempotencyKey?.trim();
    if (!key) return (await this.run(admitted)).reply;
    const decision = this.idempotency.begin(admitted.token, key);
    if (decision.kind === "conflict") {
      this.counters.conflicts++;
      return this.conflict();
    }
    if (decision.kind === "replay") {
      this.counters.idempotentReplays++;
      return this.replay(decision.reply);
    }
    let outcome: { reply: HttpReply; executed: boolean } | undefined;
    try {
      outcome = await this.run(admitted);
    } finally {
      if (outcome?.executed)
        this.idempotency.complete(admitted.token, key, this.withHeaders(outcome.reply, admitted.requestId));
      else this.idempotency.release(admitted.token, key);
    }
    return outcome.reply;
  }

  /** The per-query cap, the minute budget, latency, then validation and execution. */
  private async run(admitted: Admitted): Promise<{ reply: HttpReply; executed: boolean }> {
    const { actor, body, document, operation, request, requestId } = admitted;
    const cost = operation ? operationComplexity(document, operation, body.variables) : 0;
    const { enforceLimits, queryComplexityCap } = this.limits;
    if (enforceLimits && cost > queryComplexityCap)
      return { reply: queryCapReply(cost, queryComplexityCap, requestId), executed: false };
    // With limits off the account behaves as if its budget were endless: the window is full at every call,
    // so a client that paces on the reported budget never waits (tests and the demo stay fast).
    const charged = enforceLimits
      ? this.budget.tryCharge(cost)
      : { ok: true as const, before: this.budget.limit, after: this.budget.limit };
    if (!charged.ok) {
      return {
        reply: this.limited("budget", charged.resetInMs, {
          complexity: cost,
          complexity_budget_left: Math.max(0, charged.remaining),
          complexity_budget_limit: this.budget.limit,
        }),
        executed: false,
      };
    }
    this.counters.complexityUsed += cost;
    await this.delay();
    // Failed calls count against the budget too (API-FACTS, "Rate limits"): charged before validation.
    const errors = validate(this.schema, document);
    if (errors.length) return { reply: graphqlReply({ errors }, requestId), executed: true };
    // Bulk import jobs make progress on the emulator's clock; whatever is due lands before this request reads.
    this.bulk.advanceAll();
    const contextValue: RequestContext = {
      store: this.store,
      cursors: this.cursors,
      log: this.log,
      complexity: {
        before: charged.before,
        query: cost,
        after: charged.after,
        reset_in_x_seconds: this.clock.realWholeSeconds(this.budget.resetInMs()),
      },
      request,
      actor,
      users: this.users,
      webhooks: this.webhooks,
      bulk: this.bulk,
    };
    // Every change the request makes carries its user (also after `create_webhook` awaited its challenge).
    const result: ExecutionResult = await this.store.actingAs(actor.user.id, () =>
      execute({
        schema: this.schema,
        document,
        rootValue: this.rootValue,
        contextValue,
        variableValues: body.variables,
        operationName: body.operationName,
      }),
    );
    return { reply: graphqlReply(result, requestId), executed: true };
  }

  private authenticate(req: IncomingMessage): Actor | HttpReply {
    const actor = this.users.authenticate(headerValue(req, "authorization")?.trim());
    return actor ?? errorReply(401, "Not Authenticated", "UNAUTHORIZED");
  }

  private drawFault(isMutation: boolean): FaultKind | undefined {
    if (this.faults.faultsOn === "mutations" && !isMutation) return undefined;
    const fault = this.faultPicker.pick(this.faults.faults);
    if (fault) this.counters.faults[fault]++;
    return fault;
  }

  private async delay(): Promise<void> {
    const jitter = this.options.latencyJitterMs ? this.jitter() * this.options.latencyJitterMs : 0;
    const ms = (this.options.latencyMs ?? 0) + jitter;
    if (ms > 0) await sleep(ms);
  }

  /** A 429 for `kind`, asking to wait `waitMs` of emulator time (sent in real seconds). */
  private limited(kind: LimitKind, waitMs: number, extra: Record<string, unknown> = {}): HttpReply {
    const { code, message } = LIMIT_ERRORS[kind];
    this.counters.countRateLimited(code);
    return rateLimitReply(code, message, this.clock.realSeconds(waitMs), extra);
  }

  private conflict(): HttpReply {
    const retry = String(this.clock.realSeconds(CONCURRENCY_RETRY_MS));
    return {
      ...errorReply(
        409,
        "A request with this Idempotency-Key is still being processed; retry later",
        "IDEMPOTENCY_CONFLICT",
      ),
      headers: { "Retry-After": retry },
    };
  }

  /** A cached response, with today's rate-limit headers (a stale `RateLimit` would mislead pacing). */
  private replay(stored: StoredReply): HttpReply {
    return {
      status: stored.status,
      body: stored.body,
      headers: { ...stored.headers, ...this.rateLimitHeaders(), "Idempotency-Replayed": "true" },
    };
  }

  /** The reply with the headers (and error `request_id`s) every `/v2` response carries (what a replay repeats). */
  withHeaders(reply: HttpReply, requestId: string): StoredReply {
    return {
      status: reply.status,
      body: withRequestId(reply.body, requestId),
      headers: {
        "Request-Id": requestId,
        "API-Version": CURRENT_API_VERSION,
        ...this.rateLimitHeaders(),
        ...reply.headers,
      },
    };
  }

  /**
   * IETF-style `RateLimit-Policy` / `RateLimit` with one item a limit, named as monday names them (docs "Rate
   * limits"): `minuteRate` (requests a minute), `concurrency` and `complexityMinute` (points a minute); windows
   * and resets in real seconds. With limits off every quota reports itself full, so nothing paces on them.
   */
  rateLimitHeaders(): Record<string, string> {
    const window = this.clock.realSeconds(60_000);
    const on = this.limits.enforceLimits;
    const { requestsPerMinute, maxConcurrent } = this.limits;
    const budget = this.budget.limit;
    const requestsLeft = on ? this.requestWindow.remaining(requestsPerMinute) : requestsPerMinute;
    const slotsLeft = on ? Math.max(0, maxConcurrent - this.inFlight) : maxConcurrent;
    const pointsLeft = on ? Math.max(0, this.budget.remaining()) : budget;
    const requestsReset = this.clock.realSeconds(this.requestWindow.resetInMs());
    const pointsReset = this.clock.realSeconds(this.budget.resetInMs());
    return {
      // `qu="content-bytes"` on the complexity quota is copied from monday's documented example.
      "RateLimit-Policy": `"minuteRate";q=${requestsPerMinute};w=${window}, "concurrency";q=${maxConcurrent};qu="concurrent-requests", "complexityMinute";q=${budget};w=${window};qu="content-bytes"`,
      RateLimit: `"minuteRate";r=${requestsLeft};t=${requestsReset}, "concurrency";r=${slotsLeft}, "complexityMinute";r=${pointsLeft};t=${pointsReset}`,
    };
  }
}

/**
 * The per-query cap. monday runs graphql-ruby's max-complexity check, which refuses the query before it
 * runs and answers inside a normal GraphQL response, so: HTTP 200 with `maxComplexityExceeded`, and
 * `status_code` 400 like the other validation errors the emulator sends (not retryable: the same query
 * will always be too big). Nothing is charged, since nothing ran.
 */
function queryCapReply(cost: number, cap: number, requestId: string): HttpReply {
  const message = `Query has complexity of ${cost}, which exceeds max complexity of ${cap}`;
  const extensions = {
    code: "maxComplexityExceeded",
    complexity: cost,
    max_complexity: cap,
    status_code: 400,
    request_id: requestId,
  };
  return { status: 200, body: { errors: [{ message, extensions }], account_id: ACCOUNT_ID } };
}

function limitOptions(options: EmulatorOptions): Partial<LimitSettings> {
  const { enforceLimits, budgetPerMinute, queryComplexityCap, requestsPerMinute, maxConcurrent } = options;
  return { enforceLimits, budgetPerMinute, queryComplexityCap, requestsPerMinute, maxConcurrent };
}

function send(res: ServerResponse, reply: HttpReply): void {
  const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "Content-Type": "application/json; charset=utf-8",
    ...reply.headers,
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Starts a local monday.com API at `http://HOST:PORT/v2`, with admin endpoints under `/__admin/`
 * (`GET /__admin/stats`, `GET|POST /__admin/faults`, `GET|POST /__admin/limits`, `GET|POST
 * /__admin/webhooks/faults`, and board-user edits such as `POST /__admin/items/<id>/column-values`; same token
 * rule). Webhooks registered through the API receive every change of the store (see `webhooks/`).
 * Limits and faults are off by default.
 *
 * @example
 * const emulator = await startEmulator({ port: 0, boards: [{ id: "1", name: "Orders", columns: [] }] });
 * await fetch(emulator.url, { method: "POST", headers: { Authorization: "t", "Content-Type": "application/json" },
 *   body: JSON.stringify({ query: "{ boards { id name } }" }) });
 * await emulator.close();
 *
 * @example
 * // monday's limits, 30× faster, 5% of mutations answered 500, reproducibly
 * await startEmulator({ enforceLimits: true, timeScale: 30, faults: { server_error: 0.05 }, faultsOn: "mutations", seed: 7 });
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const store = options.store ?? new EmulatorStore();
  if (options.boards) seedBoards(store, options.boards);
  const log = new MutationLog();
  const clock = new EmulatorClock(options.timeScale ?? 1, options.now ?? Date.now);
  const budget = new ComplexityBudget(undefined, () => clock.now());
  const handler = new EmulatorHandler(store, log, budget, clock, options);
  const held = new Set<NodeJS.Timeout>();

  const serveApi = async (req: IncomingMessage, res: ServerResponse) => {
    const request = ++log.requests;
    const requestId = randomUUID();
    const outcome = await handler.handleApi(req, res, request, requestId);
    if (outcome.kind === "send") return send(res, handler.withHeaders(outcome.reply, requestId));
    if (outcome.kind === "drop") return void req.socket.destroy();
    const timer = setTimeout(() => req.socket.destroy(), handler.faultSettings().faultTimeoutMs);
    held.add(timer);
    // The client may give up first; then there is nothing left to destroy.
    res.once("close", () => {
      clearTimeout(timer);
      held.delete(timer);
    });
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const isApi = req.method === "POST" && (path === "/v2" || path === "/v2/");
    const serve = isApi
      ? serveApi(req, res)
      : path.startsWith("/__admin/")
        ? handler.handleAdmin(req, path).then((reply) => send(res, reply))
        : path.startsWith("/__bulk/")
          ? handleBulkHttp(handler.bulk, req).then((reply) => send(res, reply))
          : Promise.resolve(send(res, errorReply(404, "Not Found", "NOT_FOUND")));
    serve.catch((error: unknown) => {
      const reply = errorReply(
        500,
        error instanceof Error ? error.message : "Internal server error",
        "INTERNAL_SERVER_ERROR",
      );
      if (!res.headersSent && !res.destroyed)
        send(res, isApi ? handler.withHeaders(reply, randomUUID()) : reply);
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  handler.bulk.origin = origin;
  return {
    url: `${origin}/v2`,
    port,
    store,
    log,
    budget,
    clock,
    users: handler.users,
    webhooks: handler.webhooks,
    bulk: handler.bulk,
    get requestCount() {
      return log.requests;
    },
    stats: () => handler.stats(),
    resetStats: () => {
      handler.counters.reset();
      handler.webhooks.deliveries.resetStats();
      log.requests = 0;
      log.writeRequests = 0;
    },
    setFaults: (faults, faultOptions) => handler.setFaults(faults, faultOptions),
    faultSettings: () => handler.faultSettings(),
    setLimits: (settings) => handler.setLimits(settings),
    limitSettings: () => handler.limitSettings(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of held) clearTimeout(timer);
        held.clear();
        handler.webhooks.close();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
