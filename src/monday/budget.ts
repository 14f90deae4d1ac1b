// The per-minute complexity budget of one monday token, shared by every caller in the process, so requests
// wait for budget instead of running into 429 COMPLEXITY_BUDGET_EXHAUSTED.
// monday's window resets 60 s after its first call and failed calls count (API-FACTS "Rate limits").
import { Listeners } from "./listeners.js";
import type { Subscribe } from "./listeners.js";
import type { MondayResponse } from "./transport.js";
import { complexityOf } from "./transport.js";

/** Time as the budget sees it; inject a fake one in tests (vitest fake timers work with the default). */
export interface BudgetClock {
  now(): number;
  /** Resolves after `ms`; may resolve or reject early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** `Date.now` and `setTimeout`. */
export const systemClock: BudgetClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/** A personal token's budget per minute (trial/free accounts: 1,000,000). */
export const DEFAULT_LIMIT_PER_MINUTE = 10_000_000;
/** monday's budget window. */
export const BUDGET_WINDOW_MS = 60_000;
/** `reset_in_x_seconds` and `t` are whole seconds: resets this close together are the same window. */
const SAME_WINDOW_TOLERANCE_MS = 1_500;

/** Options of `ComplexityBudget`. */
export interface ComplexityBudgetOptions {
  /** Points per window; default 10,000,000. A `RateLimit-Policy` naming the complexity quota overrides it. */
  limitPerMinute?: number;
  /** Window length; default 60 s. */
  windowMs?: number;
  clock?: BudgetClock;
}

/** What a response (or error) said about the budget. */
export interface BudgetReport {
  /** Points left in the window after the request. */
  remaining?: number;
  /** Seconds until the window resets. */
  resetInSeconds?: number;
  /** The window's size in points, when the server said (`RateLimit-Policy` `q`). */
  limit?: number;
}

/** Emitted when a caller has to wait for budget. */
export interface BudgetWaitEvent {
  cost: number;
  /** Expected wait (until the window resets); shorter if in-flight requests turn out cheaper. */
  waitMs: number;
  /** Points left (after in-flight reservations) when the caller started waiting. */
  available: number;
  /** Callers waiting, this one included. */
  queued: number;
}

/** Emitted whenever the known remaining points or reset time change. */
export interface BudgetUpdateEvent {
  remaining: number;
  /** Epoch milliseconds at which the window resets. */
  resetAt: number;
  limit: number;
  /** Whether the figures came from monday (response, header, 429) rather than the budget's own bookkeeping. */
  fromServer: boolean;
}

/** The budget's state right now. */
export interface BudgetSnapshot {
  limit: number;
  /** Points left in the window as last known (before in-flight reservations); undefined until known. */
  remaining: number | undefined;
  resetAt: number | undefined;
  /** Points reserved by requests that have not finished. */
  inFlight: number;
  /** Callers waiting for budget. */
  waiting: number;
}

/**
 * Points held for one request between `acquire` and its response. Call `complete` once with what the
 * response said; without a report the estimate is charged (monday charges failed calls too).
 */
export interface BudgetReservation {
  readonly cost: number;
  complete(report?: BudgetReport): void;
  /** The request never left this machine (no connection): frees the points without charging them. */
  release(): void;
}

interface Waiter {
  cost: number;
  resolve: (reservation: BudgetReservation) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * The complexity budget of one token: remaining points and reset time, fed by responses' `complexity`
 * field, the `RateLimit` headers and 429s. `acquire(cost)` reserves the points at once when they fit,
 * otherwise waits (first come, first served) until they do, normally until the window resets. Before anything
 * is known, one request goes through alone to learn the state.
 *
 * @example
 * const budget = new ComplexityBudget({ limitPerMinute: 10_000_000 });
 * budget.onWait((e) => log.info(e, "waiting for monday complexity budget"));
 * const a = new ResilientTransport(httpA, { budget });
 * const b = new ResilientTransport(httpB, { budget }); // same token, same budget
 */
export class ComplexityBudget {
  #limit: number;
  readonly #windowMs: number;
  readonly #clock: BudgetClock;
  /** Points left in the window, not counting in-flight reservations; undefined until known. */
  #remaining: number | undefined;
  #resetAt = 0;
  /** Whether `#remaining`/`#resetAt` came from monday rather than our own assumption. */
  #fromServer = false;
  #inFlight = 0;
  /** A request is out to learn the budget; the others wait for it. */
  #probing = false;
  readonly #queue: Waiter[] = [];
  #wake: { at: number; controller: AbortController } | undefined;
  readonly #waitListeners = new Listeners<BudgetWaitEvent>();
  readonly #updateListeners = new Listeners<BudgetUpdateEvent>();

  /** Subscribes to waits; returns the unsubscribe function. */
  readonly onWait: Subscribe<BudgetWaitEvent> = this.#waitListeners.subscribe;
  /** Subscribes to changes of remaining points / reset time; returns the unsubscribe function. */
  readonly onUpdate: Subscribe<BudgetUpdateEvent> = this.#updateListeners.subscribe;

  constructor(options: ComplexityBudgetOptions = {}) {
    this.#limit = positive(options.limitPerMinute ?? DEFAULT_LIMIT_PER_MINUTE, "limitPerMinute");
    this.#windowMs = positive(options.windowMs ?? BUDGET_WINDOW_MS, "windowMs");
    this.#clock = options.clock ?? systemClock;
  }

  get limitPerMinute(): number {
    return this.#limit;
  }

  snapshot(): BudgetSnapshot {
    this.#expire();
    return {
      limit: this.#limit,
      remaining: this.#remaining,
      resetAt: this.#remaining === undefined ? undefined : this.#resetAt,
      inFlight: this.#inFlight,
      waiting: this.#queue.length,
    };
  }

  /**
   * Reserves `cost` points: at once if they fit in what is left and nobody waits before this caller,
   * otherwise when they do (FIFO). A cost above the whole window is capped to the window.
   * Rejects with the signal's reason when `signal` aborts while waiting.
   */
  acquire(cost: number, signal?: AbortSignal): Promise<BudgetReservation> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const points = Math.min(Math.max(0, Math.ceil(cost)), this.#limit);
    if (this.#queue.length === 0) {
      const reservation = this.#tryReserve(points);
      if (reservation) return Promise.resolve(reservation);
    }
    return new Promise<BudgetReservation>((resolve, reject) => {
      const waiter: Waiter = {
        cost: points,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter);
          if (index < 0) return;
          this.#queue.splice(index, 1);
          reject(signal?.reason);
          this.#pump();
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#queue.push(waiter);
      const now = this.#clock.now();
      this.#waitListeners.emit({
        cost: points,
        waitMs: this.#remaining === undefined ? 0 : Math.max(0, this.#resetAt - now),
        available: this.#available(),
        queued: this.#queue.length,
      });
      this.#schedule();
    });
  }

  /** Takes in what monday said about the budget (a response's complexity or `RateLimit` header). */
  record(report: BudgetReport): void {
    const now = this.#clock.now();
    if (report.limit !== undefined && report.limit > 0) this.#limit = report.limit;
    if (report.remaining === undefined) return this.#pump();
    const remaining = Math.max(0, report.remaining);
    const resetAt =
      report.resetInSeconds === undefined
        ? this.#remaining === undefined
          ? now + this.#windowMs
          : this.#resetAt
        : now + Math.max(0, report.resetInSeconds) * 1000;
    this.#expire(now);
    if (
      this.#remaining === undefined ||
      !this.#fromServer ||
      resetAt > this.#resetAt + SAME_WINDOW_TOLERANCE_MS
    ) {
      // First word from monday, or a new window.
      this.#remaining = remaining;
      this.#resetAt = resetAt;
    } else {
      // Same window (or an older answer arriving late): points only go down within a window.
      this.#remaining = Math.min(this.#remaining, remaining);
      if (resetAt > this.#resetAt) this.#resetAt = resetAt;
    }
    this.#fromServer = true;
    this.#emitUpdate();
    this.#pump();
  }

  /** A 429 said to wait `retryInSeconds`: nothing is left until then (a full window is assumed after). */
  exhausted(retryInSeconds: number): void {
    const now = this.#clock.now();
    this.#expire(now);
    this.#remaining = 0;
    this.#resetAt = now + Math.max(0, retryInSeconds) * 1000;
    this.#fromServer = true;
    this.#emitUpdate();
    this.#pump();
  }

  /** Takes in the budget figures of a response: its `complexity` field, else its `RateLimit` headers. */
  recordResponse(response: MondayResponse<unknown>): boolean {
    const report = budgetReportOf(response);
    if (report === undefined) return false;
    this.record(report);
    return true;
  }

  #tryReserve(cost: number): BudgetReservation | undefined {
    const now = this.#clock.now();
    this.#expire(now);
    if (this.#remaining === undefined) {
      if (this.#probing) return undefined;
      // Nothing known yet: let this one through alone; its response tells the rest.
      this.#probing = true;
      return this.#reservation(cost, true);
    }
    if (cost > this.#available()) return undefined;
    return this.#reservation(cost, false);
  }

  #reservation(cost: number, probe: boolean): BudgetReservation {
    this.#inFlight += cost;
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      this.#inFlight -= cost;
      if (probe) this.#probing = false;
      return true;
    };
    return {
      cost,
      complete: (report) => {
        if (!finish()) return;
        if (report?.remaining !== undefined) return this.record(report);
        if (report?.limit !== undefined && report.limit > 0) this.#limit = report.limit;
        this.#charge(cost);
      },
      release: () => {
        if (!finish()) return;
        this.#emitUpdate();
        this.#pump();
      },
    };
  }

  /** Counts `cost` against the window without word from monday. */
  #charge(cost: number): void {
    const now = this.#clock.now();
    this.#expire(now);
    if (this.#remaining === undefined) this.#startWindow(now);
    this.#remaining = Math.max(0, (this.#remaining ?? this.#limit) - cost);
    this.#emitUpdate();
    this.#pump();
  }

  /** Points free for a new reservation. */
  #available(): number {
    return this.#remaining === undefined ? this.#limit : this.#remaining - this.#inFlight;
  }

  /** Once the window's reset time has passed, assume a full new window. */
  #expire(now = this.#clock.now()): void {
    if (this.#remaining !== undefined && now >= this.#resetAt) this.#startWindow(now);
  }

  #startWindow(now: number): void {
    this.#remaining = this.#limit;
    this.#resetAt = now + this.#windowMs;
    this.#fromServer = false;
  }

  /** Grants waiting callers in order while their cost fits; the first that does not fit blocks the rest. */
  #pump(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0] as Waiter;
      const reservation = this.#tryReserve(head.cost);
      if (!reservation) break;
      this.#queue.shift();
      head.signal?.removeEventListener("abort", head.onAbort);
      head.resolve(reservation);
    }
    this.#schedule();
  }

  /** Wakes the queue when the window resets (completions and reports wake it earlier). */
  #schedule(): void {
    if (this.#queue.length === 0 || this.#remaining === undefined) {
      this.#cancelWake();
      return;
    }
    const at = this.#resetAt;
    if (this.#wake?.at === at) return;
    this.#cancelWake();
    const controller = new AbortController();
    this.#wake = { at, controller };
    const delay = Math.max(0, at - this.#clock.now());
    void this.#clock.sleep(delay, controller.signal).then(
      () => this.#woken(controller),
      () => this.#woken(controller),
    );
  }

  #woken(controller: AbortController): void {
    if (controller.signal.aborted || this.#wake?.controller !== controller) return;
    this.#wake = undefined;
    this.#pump();
  }

  #cancelWake(): void {
    this.#wake?.controller.abort();
    this.#wake = undefined;
  }

  #emitUpdate(): void {
    if (this.#remaining === undefined) return;
    this.#updateListeners.emit({
      remaining: this.#remaining,
      resetAt: this.#resetAt,
      limit: this.#limit,
      fromServer: this.#fromServer,
    });
  }
}

/**
 * What a response says about the complexity budget: its `complexity` field when the document selected it
 * (`after`, `reset_in_x_seconds`), else its `RateLimit` header when that counts complexity points.
 * A `RateLimit` of another quota at `r=0` still means "nothing until `t`".
 */
export function budgetReportOf(response: MondayResponse<unknown>): BudgetReport | undefined {
  const { rateLimit, rateLimitPolicy } = response.headers;
  const policyCountsComplexity = isComplexityQuota(rateLimitPolicy?.name);
  const limit = policyCountsComplexity ? rateLimitPolicy?.limit : undefined;
  const complexity = complexityOf(response.data);
  if (complexity !== undefined && Number.isFinite(complexity.after)) {
    const report: BudgetReport = { remaining: complexity.after };
    if (Number.isFinite(complexity.reset_in_x_seconds)) report.resetInSeconds = complexity.reset_in_x_seconds;
    if (limit !== undefined) report.limit = limit;
    return report;
  }
  if (rateLimit?.remaining === undefined) return limit === undefined ? undefined : { limit };
  const name = rateLimit.name ?? rateLimitPolicy?.name;
  const countsComplexity = name === undefined || isComplexityQuota(name);
  if (!countsComplexity && rateLimit.remaining > 0) return undefined;
  const report: BudgetReport = { remaining: rateLimit.remaining };
  if (rateLimit.resetSeconds !== undefined) report.resetInSeconds = rateLimit.resetSeconds;
  if (limit !== undefined) report.limit = limit;
  return report;
}

function isComplexityQuota(name: string | undefined): boolean {
  return name !== undefined && /complexity/i.test(name);
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number`);
  return value;
}
