// The resilience layer: any `MondayTransport` wrapped in cockatiel policies (circuit breaker, retries chosen by
// error class) behind a shared complexity budget. Policies are composed, not looped (STYLE #3); events are
// emitted for observe/ to turn into metrics and logs (STYLE #5).
import { randomUUID } from "node:crypto";
import {
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  retry,
  wrap,
} from "cockatiel";
import type { IBackoff, IDefaultPolicyContext, IPolicy, IRetryBackoffContext } from "cockatiel";
import { Kind } from "graphql";
import type { DocumentNode } from "graphql";
import { ComplexityBudget, DEFAULT_LIMIT_PER_MINUTE, budgetReportOf, systemClock } from "./budget.js";
import type { BudgetClock } from "./budget.js";
import { estimateComplexity } from "./complexity.js";
import {
  CircuitOpenError,
  MondayError,
  NetworkError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from "./errors.js";
import { Listeners } from "./listeners.js";
import type { Subscribe } from "./listeners.js";
import type { MondayResponse, MondayTransport, RequestOptions } from "./transport.js";

/** The breaker's state, as the seed names it. */
export type BreakerState = "CLOSED" | "OPEN" | "HALF_OPEN";

/** How a failed attempt is retried, by error class. */
export type RetryStrategy = "wait-retry-in" | "linear" | "exponential" | "none";

/**
 * Error class → retry strategy, first match wins (subclasses before their parents):
 * - rate limits wait exactly the `retry_in_seconds` monday sent, on their own attempt count;
 * - timeouts back off linearly (1 s, 2 s, 3 s, ...): monday was slow, not down;
 * - 5xx / 423 / 409 idempotency conflict / `API_TEMPORARILY_BLOCKED` and lost connections back off
 *   exponentially with decorrelated jitter (a `Retry-After` wins);
 * - everything else (invalid data, column values, not found, auth, daily limit) is never retried.
 */
export const RETRY_STRATEGIES: ReadonlyArray<
  readonly [abstract new (...args: never[]) => Error, RetryStrategy]
> = [
  [RateLimitError, "wait-retry-in"],
  [TimeoutError, "linear"],
  [ServerError, "exponential"],
  [NetworkError, "exponential"],
];

/** The strategy `RETRY_STRATEGIES` assigns to `error`. */
export function retryStrategyFor(error: unknown): RetryStrategy {
  return RETRY_STRATEGIES.find(([type]) => error instanceof type)?.[1] ?? "none";
}

/**
 * Whether `error` means monday is unavailable, which is what the breaker counts: lost connections, timeouts,
 * 5xx and `API_TEMPORARILY_BLOCKED`. Not rate limits, invalid data or auth (monday answered), nor 409/423
 * (an idempotency conflict or a locked board are about one request, not about monday).
 */
export function isOutage(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  return error instanceof ServerError && error.statusCode !== 409 && error.statusCode !== 423;
}

/** Options of `ResilientTransport`; every field has the seed's default. */
export interface ResilienceOptions {
  /** Attempts per request for timeouts, 5xx and network errors, the first included; default 5. */
  maxAttempts?: number;
  /** Rate-limit retries per attempt, on top of `maxAttempts` (they do not use it up); default 10. */
  maxRateLimitRetries?: number;
  /** Consecutive outages (requests that failed after their retries) that open the breaker; default 5. */
  failureThreshold?: number;
  /** How long the breaker stays open before it lets one probe through; default 60 s. */
  recoveryMs?: number;
  /** Linear backoff step for timeouts: attempt n waits n × this; default 1 s. */
  timeoutBackoffMs?: number;
  /** First exponential delay (decorrelated jitter around it); default 1 s. */
  backoffInitialMs?: number;
  /** Cap of any exponential delay; default 30 s. */
  backoffMaxMs?: number;
  /** Wait after a rate limit that did not say how long; default 60 s (one window). */
  rateLimitFallbackMs?: number;
  /** A budget shared with other transports of the same token; a new one by default. */
  budget?: ComplexityBudget;
  /** Points per minute of a new budget (ignored when `budget` is given); default 10,000,000. */
  limitPerMinute?: number;
  /** Clock of a new budget (ignored when `budget` is given). The breaker and retry delays use timers. */
  clock?: BudgetClock;
  /** What a request is expected to cost; `estimateComplexity` by default. */
  estimate?: (document: DocumentNode, variables: Record<string, unknown>) => number;
  /**
   * Give a mutation sent without `idempotencyKey` a fresh key (one per logical request, the same on each of
   * its retries), so a create whose reply was lost is replayed by monday, not run twice; default true.
   */
  autoIdempotencyKey?: boolean;
}

/** Emitted when the breaker changes state. */
export interface BreakerStateChangeEvent {
  from: BreakerState;
  to: BreakerState;
  /** Epoch milliseconds. */
  at: number;
}

/** Emitted before each retry's wait. */
export interface RetryEvent {
  /** The error's class name (`RateLimitError`, `TimeoutError`, `ServerError`, `NetworkError`). */
  errorClass: string;
  error: MondayError;
  strategy: RetryStrategy;
  /** Retry number within its strategy's count: rate limits count apart from the other errors. */
  attempt: number;
  delayMs: number;
}

/** Emitted when a request stops being retried and its last error goes to the caller. */
export interface GiveUpEvent {
  errorClass: string;
  error: unknown;
}

const DEFAULTS = {
  maxAttempts: 5,
  maxRateLimitRetries: 10,
  failureThreshold: 5,
  recoveryMs: 60_000,
  timeoutBackoffMs: 1_000,
  backoffInitialMs: 1_000,
  backoffMaxMs: 30_000,
  rateLimitFallbackMs: 60_000,
} as const;

const STATE_NAMES: Readonly<Record<CircuitState, BreakerState>> = {
  [CircuitState.Closed]: "CLOSED",
  [CircuitState.Open]: "OPEN",
  [CircuitState.HalfOpen]: "HALF_OPEN",
  [CircuitState.Isolated]: "OPEN",
};

/**
 * A `MondayTransport` that waits for complexity budget, retries by error class and stops calling monday while
 * it is down: `wrap(breaker, retry(transient errors), retry(rate limits))` around budget → inner transport.
 * The breaker sees a request only after its retries, so it counts requests that failed for good.
 * Per-alias errors of a batch are data, not failures: they come back in the response untouched.
 *
 * @example
 * const budget = new ComplexityBudget();
 * const transport = new ResilientTransport(new HttpTransport({ url, token, apiVersion: "2026-10" }), { budget });
 * transport.onRetry((e) => log.warn(e, "retrying monday request"));
 * transport.onBreakerStateChange((e) => log.error(e, "monday breaker"));
 * const client = new MondayClient(transport);
 * await client.runBatch(ops, { idempotencyKey: `push-${runId}-${chunk}`, withComplexity: true });
 */
export class ResilientTransport implements MondayTransport {
  readonly budget: ComplexityBudget;
  readonly #inner: MondayTransport;
  readonly #options: Required<
    Pick<ResilienceOptions, keyof typeof DEFAULTS | "autoIdempotencyKey" | "estimate">
  >;
  readonly #policy: IPolicy<IDefaultPolicyContext, never>;
  readonly #failures: ConsecutiveBreaker;
  #state: BreakerState = "CLOSED";
  #openedAt = 0;
  readonly #stateListeners = new Listeners<BreakerStateChangeEvent>();
  readonly #retryListeners = new Listeners<RetryEvent>();
  readonly #giveUpListeners = new Listeners<GiveUpEvent>();

  /** Subscribes to breaker state changes; returns the unsubscribe function. */
  readonly onBreakerStateChange: Subscribe<BreakerStateChangeEvent> = this.#stateListeners.subscribe;
  /** Subscribes to retries; returns the unsubscribe function. */
  readonly onRetry: Subscribe<RetryEvent> = this.#retryListeners.subscribe;
  /** Subscribes to give-ups (retries exhausted); returns the unsubscribe function. */
  readonly onGiveUp: Subscribe<GiveUpEvent> = this.#giveUpListeners.subscribe;

  constructor(inner: MondayTransport, options: ResilienceOptions = {}) {
    this.#inner = inner;
    this.#options = {
      maxAttempts: atLeast(options.maxAttempts ?? DEFAULTS.maxAttempts, 1, "maxAttempts"),
      maxRateLimitRetries: atLeast(
        options.maxRateLimitRetries ?? DEFAULTS.maxRateLimitRetries,
        0,
        "maxRateLimitRetries",
      ),
      failureThreshold: atLeast(options.failureThreshold ?? DEFAULTS.failureThreshold, 1, "failureThreshold"),
      recoveryMs: atLeast(options.recoveryMs ?? DEFAULTS.recoveryMs, 0, "recoveryMs"),
      timeoutBackoffMs: atLeast(options.timeoutBackoffMs ?? DEFAULTS.timeoutBackoffMs, 0, "timeoutBackoffMs"),
      backoffInitialMs: atLeast(options.backoffInitialMs ?? DEFAULTS.backoffInitialMs, 0, "backoffInitialMs"),
      backoffMaxMs: atLeast(options.backoffMaxMs ?? DEFAULTS.backoffMaxMs, 0, "backoffMaxMs"),
      rateLimitFallbackMs: atLeast(
        options.rateLimitFallbackMs ?? DEFAULTS.rateLimitFallbackMs,
        0,
        "rateLimitFallbackMs",
      ),
      autoIdempotencyKey: options.autoIdempotencyKey ?? true,
      estimate: options.estimate ?? estimateComplexity,
    };
    this.budget =
      options.budget ??
      new ComplexityBudget({
        limitPerMinute: options.limitPerMinute ?? DEFAULT_LIMIT_PER_MINUTE,
        clock: options.clock ?? systemClock,
      });

    this.#failures = new ConsecutiveBreaker(this.#options.failureThreshold);
    const breaker = circuitBreaker(handleWhen(isOutage), {
      halfOpenAfter: this.#options.recoveryMs,
      breaker: this.#failures,
    });
    breaker.onStateChange((state) => this.#changeState(STATE_NAMES[state]));

    const transient = retry(
      handleWhen((e) => e instanceof ServerError || e instanceof NetworkError),
      {
        maxAttempts: this.#options.maxAttempts - 1,
        backoff: this.#transientBackoff(),
      },
    );
    const rateLimited = retry(
      handleWhen((e) => e instanceof RateLimitError),
      {
        maxAttempts: this.#options.maxRateLimitRetries,
        backoff: new DelegateBackoff<IRetryBackoffContext<unknown>>((context) =>
          this.#rateLimitDelay(errorOf(context)),
        ),
      },
    );
    for (const policy of [transient, rateLimited]) {
      policy.onRetry((event) => {
        if (!("error" in event) || !(event.error instanceof MondayError)) return;
        this.#retryListeners.emit({
          errorClass: event.error.name,
          error: event.error,
          strategy: retryStrategyFor(event.error),
          attempt: event.attempt,
          delayMs: event.delay,
        });
      });
      policy.onGiveUp((event) => {
        if (!("error" in event)) return;
        this.#giveUpListeners.emit({ errorClass: className(event.error), error: event.error });
      });
    }
    this.#policy = wrap(breaker, transient, rateLimited);
  }

  /** The breaker's state. OPEN turns HALF_OPEN when the first request after `recoveryMs` arrives. */
  get breakerState(): BreakerState {
    return this.#state;
  }

  async request<T>(
    document: DocumentNode,
    variables: Record<string, unknown>,
    options: RequestOptions = {},
  ): Promise<MondayResponse<T>> {
    // Built once per logical request: every retry sends the same Idempotency-Key.
    const requestOptions = this.#withIdempotencyKey(document, options);
    const cost = this.#options.estimate(document, variables);
    try {
      return await this.#policy.execute(
        () => this.#attempt<T>(document, variables, requestOptions, cost),
        options.signal,
      );
    } catch (error) {
      if (isBrokenCircuitError(error)) {
        throw new CircuitOpenError(undefined, {
          cause: error,
          retryAfterMs: Math.max(0, this.#openedAt + this.#options.recoveryMs - Date.now()),
        });
      }
      throw error;
    }
  }

  /** One attempt: wait for budget, send, and tell the budget what monday said. */
  async #attempt<T>(
    document: DocumentNode,
    variables: Record<string, unknown>,
    options: RequestOptions,
    cost: number,
  ): Promise<MondayResponse<T>> {
    const reservation = await this.budget.acquire(cost, options.signal);
    try {
      const response = await this.#inner.request<T>(document, variables, options);
      reservation.complete(budgetReportOf(response));
      return response;
    } catch (error) {
      // monday charges failed calls too: keep the estimate spent, unless the request never left this
      // machine (a refused connection, no DNS): an outage must not use up the minute's budget.
      if (error instanceof NetworkError && !error.mayHaveBeenSent) reservation.release();
      else reservation.complete();
      if (error instanceof RateLimitError) this.budget.exhausted(this.#rateLimitDelay(error) / 1000);
      throw error;
    }
  }

  #withIdempotencyKey(document: DocumentNode, options: RequestOptions): RequestOptions {
    if (options.idempotencyKey !== undefined || !this.#options.autoIdempotencyKey) return options;
    return isMutation(document) ? { ...options, idempotencyKey: randomUUID() } : options;
  }

  #rateLimitDelay(error: unknown): number {
    const seconds = error instanceof RateLimitError ? error.retryInSeconds : undefined;
    return seconds === undefined ? this.#options.rateLimitFallbackMs : Math.max(0, seconds) * 1000;
  }

  /** Linear for timeouts, `Retry-After` when a server error gave one, else exponential with jitter. */
  #transientBackoff(): DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown> | undefined> {
    const exponential = new ExponentialBackoff({
      initialDelay: this.#options.backoffInitialMs,
      maxDelay: this.#options.backoffMaxMs,
    });
    return new DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown> | undefined>(
      (context, previous) => {
        const error = errorOf(context);
        if (retryStrategyFor(error) === "linear") {
          return { delay: context.attempt * this.#options.timeoutBackoffMs, state: previous };
        }
        if (error instanceof ServerError && error.retryInSeconds !== undefined) {
          return { delay: error.retryInSeconds * 1000, state: previous };
        }
        const next = previous ? previous.next(context) : exponential.next();
        return { delay: Math.round(next.duration), state: next };
      },
    );
  }

  #changeState(to: BreakerState): void {
    const from = this.#state;
    if (from === to) return;
    const at = Date.now();
    if (to === "OPEN") this.#openedAt = at;
    this.#state = to;
    this.#stateListeners.emit({ from, to, at });
  }

  /** Consecutive outages the breaker has counted so far (for health checks). */
  get breakerFailures(): number {
    return this.#failures.state;
  }
}

function errorOf(context: IRetryBackoffContext<unknown>): unknown {
  return "error" in context.result ? context.result.error : undefined;
}

function className(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function isMutation(document: DocumentNode): boolean {
  return document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === "mutation");
}

function atLeast(value: number, min: number, name: string): number {
  if (!Number.isFinite(value) || value < min) throw new RangeError(`${name} must be a number ≥ ${min}`);
  return value;
}
