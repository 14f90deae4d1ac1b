// ResilientTransport's policies over a scripted transport, on fake timers: retry strategies by error class,
// the circuit breaker, the complexity budget and Idempotency-Key reuse.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AuthError,
  CircuitOpenError,
  ColumnValueError,
  ComplexityBudget,
  DailyLimitError,
  InvalidDataError,
  MondayClient,
  NetworkError,
  NotFoundError,
  RateLimitError,
  ResilientTransport,
  ServerError,
  TimeoutError,
  createItemOp,
  loadDocument,
} from "../../src/monday/index.js";
import type {
  BreakerStateChangeEvent,
  GiveUpEvent,
  MondayError,
  ResilienceOptions,
  RetryEvent,
} from "../../src/monday/index.js";
import { ScriptedTransport } from "./fake-transport.js";
import type { Step } from "./fake-transport.js";

const CREATE = loadDocument("CreateItem");
const CREATE_VARS = { boardId: "1", itemName: "PO-1", columnValues: "{}" };
const READ = loadDocument("GetComplexity");

const rateLimited = (seconds?: number) =>
  new RateLimitError("Complexity budget exhausted", {
    code: "COMPLEXITY_BUDGET_EXHAUSTED",
    statusCode: 429,
    ...(seconds === undefined ? {} : { retryInSeconds: seconds }),
  });
const serverError = (statusCode = 500, retryInSeconds?: number) =>
  new ServerError(`HTTP ${statusCode}`, { code: `HTTP_${statusCode}`, statusCode, retryInSeconds });
const timeout = () => new TimeoutError("no answer", { code: "TIMEOUT" });
const reset = () => new NetworkError("socket hang up", { code: "ECONNRESET" });

interface Harness {
  inner: ScriptedTransport;
  transport: ResilientTransport;
  retries: RetryEvent[];
  giveUps: GiveUpEvent[];
  states: BreakerStateChangeEvent[];
}

function harness(script: Step[], options: ResilienceOptions = {}): Harness {
  const inner = new ScriptedTransport(script);
  const transport = new ResilientTransport(inner, options);
  const h: Harness = { inner, transport, retries: [], giveUps: [], states: [] };
  transport.onRetry((e) => h.retries.push(e));
  transport.onGiveUp((e) => h.giveUps.push(e));
  transport.onBreakerStateChange((e) => h.states.push(e));
  return h;
}

/** Runs `promise` to completion on fake time (up to `ms`), returning its value or error. */
async function run<T>(promise: Promise<T>, ms = 10 * 60_000): Promise<{ value?: T; error?: unknown }> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.advanceTimersByTimeAsync(ms);
  return outcome;
}

const gaps = (h: Harness) => h.inner.calls.slice(1).map((c, i) => c.at - (h.inner.calls[i]?.at ?? 0));

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("ResilientTransport retries by error class", () => {
  it("waits exactly retry_in_seconds after a rate limit", async () => {
    const h = harness([rateLimited(42)]);
    const pending = h.transport.request(READ, {});
    await vi.advanceTimersByTimeAsync(0);
    expect(h.inner.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(41_999);
    expect(h.inner.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.inner.calls).toHaveLength(2);
    await expect(pending).resolves.toMatchObject({ data: { ok: true } });
    expect(h.retries).toMatchObject([
      { errorClass: "RateLimitError", strategy: "wait-retry-in", attempt: 1, delayMs: 42_000 },
    ]);
  });

  it("does not use up the attempt budget on rate limits, up to their own maximum", async () => {
    const h = harness([rateLimited(1), rateLimited(1), serverError(), rateLimited(1), rateLimited(1)], {
      maxAttempts: 2,
    });
    const { value } = await run(h.transport.request(READ, {}));
    expect(value).toMatchObject({ data: { ok: true } });
    expect(h.inner.calls).toHaveLength(6);

    const capped = harness([rateLimited(1), rateLimited(1), rateLimited(1)], { maxRateLimitRetries: 2 });
    const { error } = await run(capped.transport.request(READ, {}));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(capped.inner.calls).toHaveLength(3);
    expect(capped.giveUps).toMatchObject([{ errorClass: "RateLimitError" }]);
  });

  it("waits a window when a rate limit does not say how long", async () => {
    const h = harness([rateLimited()]);
    await run(h.transport.request(READ, {}));
    expect(gaps(h)).toEqual([60_000]);
  });

  it("backs off linearly after timeouts", async () => {
    const h = harness([timeout(), timeout(), timeout()]);
    const { value } = await run(h.transport.request(READ, {}));
    expect(value).toBeDefined();
    expect(h.retries.map((r) => [r.errorClass, r.strategy, r.delayMs])).toEqual([
      ["TimeoutError", "linear", 1_000],
      ["TimeoutError", "linear", 2_000],
      ["TimeoutError", "linear", 3_000],
    ]);
    expect(gaps(h)).toEqual([1_000, 2_000, 3_000]);
  });

  it("backs off exponentially with jitter after 5xx and lost connections, within bounds", async () => {
    for (let trial = 0; trial < 25; trial++) {
      const h = harness([serverError(502), reset(), serverError(503), serverError(500)], {
        backoffInitialMs: 1_000,
        backoffMaxMs: 30_000,
      });
      await run(h.transport.request(READ, {}));
      expect(h.retries.map((r) => r.strategy)).toEqual(Array(4).fill("exponential"));
      h.retries.forEach((r, k) => {
        // Decorrelated jitter: retry k waits between 0 and initial × 2^(k+1) / 1.4 (and at most the cap).
        expect(r.delayMs).toBeGreaterThanOrEqual(0);
        expect(r.delayMs).toBeLessThanOrEqual(Math.min(30_000, (1_000 * 2 ** (k + 1)) / 1.4));
      });
      expect(gaps(h)).toEqual(h.retries.map((r) => r.delayMs));
    }
  });

  it("grows the exponential delays (jitter pinned)", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const h = harness([serverError(), serverError(), serverError(), serverError()], { maxAttempts: 5 });
    await run(h.transport.request(READ, {}));
    const delays = h.retries.map((r) => r.delayMs);
    expect(delays).toHaveLength(4);
    for (let k = 1; k < delays.length; k++) expect(delays[k]).toBeGreaterThan(delays[k - 1] as number);
    expect(delays[3]).toBeGreaterThan(3 * (delays[0] as number));
  });

  it("honours Retry-After on a 409 idempotency conflict", async () => {
    const conflict = new ServerError("conflict", {
      code: "IDEMPOTENCY_CONFLICT",
      statusCode: 409,
      retryInSeconds: 3,
    });
    const h = harness([conflict]);
    await run(h.transport.request(CREATE, CREATE_VARS, { idempotencyKey: "k" }));
    expect(h.retries).toMatchObject([{ errorClass: "ServerError", delayMs: 3_000 }]);
  });

  it("gives up after maxAttempts and emits onGiveUp", async () => {
    const h = harness(
      Array.from({ length: 10 }, () => serverError()),
      { maxAttempts: 3 },
    );
    const { error } = await run(h.transport.request(READ, {}));
    expect(error).toBeInstanceOf(ServerError);
    expect(h.inner.calls).toHaveLength(3);
    expect(h.retries).toHaveLength(2);
    expect(h.giveUps).toMatchObject([{ errorClass: "ServerError" }]);
  });

  it.each<[string, MondayError]>([
    ["invalid data", new InvalidDataError("bad", { code: "InvalidArgumentException" })],
    ["a column value", new ColumnValueError("label", { code: "ColumnValueException" })],
    ["not found", new NotFoundError("gone", { code: "ResourceNotFoundException" })],
    ["auth", new AuthError("denied", { code: "USER_UNAUTHORIZED", statusCode: 403 })],
    ["the daily limit", new DailyLimitError("daily", { code: "DAILY_LIMIT_EXCEEDED" })],
  ])("never retries %s: thrown at once", async (_name, failure) => {
    const h = harness([failure]);
    await expect(h.transport.request(READ, {})).rejects.toBe(failure);
    expect(h.inner.calls).toHaveLength(1);
    expect(h.retries).toEqual([]);
    expect(h.transport.breakerFailures).toBe(0);
  });

  it("returns per-alias errors with the data, untouched", async () => {
    const errors = [{ message: "label", path: ["a1"], extensions: { code: "ColumnValueException" } }];
    const h = harness([{ data: { a0: { id: "1" }, a1: null }, errors }]);
    const response = await h.transport.request(CREATE, CREATE_VARS);
    expect(response.errors).toEqual(errors);
    expect(h.inner.calls).toHaveLength(1);
  });
});

describe("ResilientTransport circuit breaker", () => {
  const fastFail = { maxAttempts: 1, failureThreshold: 3, recoveryMs: 60_000 };

  it("opens after N consecutive outages and fails fast while open", async () => {
    const h = harness([serverError(), timeout(), reset()], fastFail);
    for (let i = 0; i < 3; i++) await run(h.transport.request(READ, {}), 0);
    expect(h.transport.breakerState).toBe("OPEN");
    expect(h.states).toMatchObject([{ from: "CLOSED", to: "OPEN", at: Date.now() }]);

    vi.advanceTimersByTime(10_000);
    const error = await h.transport.request(READ, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ code: "CIRCUIT_OPEN", retryable: false, retryAfterMs: 50_000 });
    expect(h.inner.calls).toHaveLength(3); // nothing reached the inner transport
  });

  it("goes HALF_OPEN after recoveryMs and closes on a success", async () => {
    const h = harness([serverError(), serverError(), serverError()], fastFail);
    for (let i = 0; i < 3; i++) await run(h.transport.request(READ, {}), 0);
    vi.advanceTimersByTime(59_999);
    await expect(h.transport.request(READ, {})).rejects.toBeInstanceOf(CircuitOpenError);
    vi.advanceTimersByTime(1);
    await expect(h.transport.request(READ, {})).resolves.toMatchObject({ data: { ok: true } });
    expect(h.states.map((s) => `${s.from}->${s.to}`)).toEqual([
      "CLOSED->OPEN",
      "OPEN->HALF_OPEN",
      "HALF_OPEN->CLOSED",
    ]);
    expect(h.transport.breakerState).toBe("CLOSED");
    expect(h.inner.calls).toHaveLength(4);
  });

  it("reopens when the probe fails", async () => {
    const h = harness([serverError(), serverError(), serverError(), serverError()], fastFail);
    for (let i = 0; i < 3; i++) await run(h.transport.request(READ, {}), 0);
    vi.advanceTimersByTime(60_000);
    await expect(h.transport.request(READ, {})).rejects.toBeInstanceOf(ServerError);
    expect(h.states.map((s) => s.to)).toEqual(["OPEN", "HALF_OPEN", "OPEN"]);
    await expect(h.transport.request(READ, {})).rejects.toBeInstanceOf(CircuitOpenError);
    expect(h.inner.calls).toHaveLength(4);
  });

  it("counts a request once, after its retries", async () => {
    const h = harness([serverError(), serverError(), serverError()], { maxAttempts: 3, failureThreshold: 2 });
    await run(h.transport.request(READ, {}));
    expect(h.inner.calls).toHaveLength(3);
    expect(h.transport.breakerFailures).toBe(1);
    expect(h.transport.breakerState).toBe("CLOSED");
  });

  it("does not count rate limits, invalid data, 409 or 423", async () => {
    const h = harness(
      [
        serverError(),
        serverError(),
        rateLimited(1),
        new InvalidDataError("bad", { code: "InvalidArgumentException" }),
        serverError(423),
        new ServerError("conflict", { code: "IDEMPOTENCY_CONFLICT", statusCode: 409 }),
      ],
      { ...fastFail, maxRateLimitRetries: 0 },
    );
    for (let i = 0; i < 6; i++) await run(h.transport.request(READ, {}));
    expect(h.transport.breakerState).toBe("CLOSED");
    expect(h.transport.breakerFailures).toBe(2);
    await h.transport.request(READ, {});
    expect(h.transport.breakerFailures).toBe(0);
  });
});

describe("ResilientTransport and the complexity budget", () => {
  it("waits for budget before sending instead of running into a 429", async () => {
    const h = harness([
      { data: { complexity: { before: 30_000, after: 5_000, query: 25_000, reset_in_x_seconds: 30 } } },
    ]);
    await h.transport.request(READ, {});
    const pending = h.transport.request(CREATE, CREATE_VARS);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(h.inner.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.inner.calls).toHaveLength(2);
    await pending;
  });

  it("feeds the budget from RateLimit headers", async () => {
    const h = harness([
      {
        data: { ok: 1 },
        headers: { rateLimit: { name: "complexity", remaining: 123_456, resetSeconds: 9 } },
      },
    ]);
    await h.transport.request(READ, {});
    expect(h.transport.budget.snapshot()).toMatchObject({ remaining: 123_456, resetAt: Date.now() + 9_000 });
  });

  it("holds every transport sharing the budget after a 429", async () => {
    const budget = new ComplexityBudget();
    budget.record({ remaining: 9_000_000, resetInSeconds: 60 });
    const a = harness([rateLimited(20)], { budget });
    const b = harness([], { budget });
    const first = a.transport.request(READ, {});
    await vi.advanceTimersByTimeAsync(0);
    const second = b.transport.request(CREATE, CREATE_VARS);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(b.inner.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all([first, second]);
    expect(b.inner.calls[0]?.at).toBe((a.inner.calls[0]?.at as number) + 20_000);
    expect(a.inner.calls[1]?.at).toBe((a.inner.calls[0]?.at as number) + 20_000);
  });

  it("reserves the estimate of each request", async () => {
    const inner = new ScriptedTransport([
      () =>
        new Promise((resolve) =>
          setTimeout(() => resolve({ data: {}, errors: [], headers: {}, status: 200 }), 100),
        ),
    ]);
    const transport = new ResilientTransport(inner, { estimate: () => 1_234 });
    const pending = transport.request(READ, {});
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.budget.snapshot().inFlight).toBe(1_234);
    await vi.advanceTimersByTimeAsync(100);
    await pending;
    expect(transport.budget.snapshot()).toMatchObject({ inFlight: 0, remaining: 10_000_000 - 1_234 });
  });
});

describe("ResilientTransport Idempotency-Key", () => {
  it("sends the caller's key on every retry", async () => {
    const h = harness([reset(), serverError(), timeout()]);
    const { value } = await run(h.transport.request(CREATE, CREATE_VARS, { idempotencyKey: "push-7-0" }));
    expect(value).toBeDefined();
    expect(h.inner.calls.map((c) => c.options.idempotencyKey)).toEqual(Array(4).fill("push-7-0"));
  });

  it("gives a mutation without a key one of its own, the same on retries, and none to queries", async () => {
    const h = harness([reset()]);
    await run(h.transport.request(CREATE, CREATE_VARS));
    await h.transport.request(CREATE, CREATE_VARS);
    await h.transport.request(READ, {});
    const [first, retried, second, query] = h.inner.calls.map((c) => c.options.idempotencyKey);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(retried).toBe(first);
    expect(second).not.toBe(first);
    expect(query).toBeUndefined();

    const off = harness([], { autoIdempotencyKey: false });
    await off.transport.request(CREATE, CREATE_VARS);
    expect(off.inner.calls[0]?.options.idempotencyKey).toBeUndefined();
  });

  it("works under MondayClient.runBatch", async () => {
    const h = harness([reset(), { data: { a0: { id: "11" } } }]);
    const client = new MondayClient(h.transport);
    const { value } = await run(
      client.runBatch([createItemOp({ boardId: "1", itemName: "PO-1" })], { idempotencyKey: "batch-1" }),
    );
    expect(value).toEqual([{ ok: true, data: { id: "11" } }]);
    expect(h.inner.calls.map((c) => c.options.idempotencyKey)).toEqual(["batch-1", "batch-1"]);
  });
});
