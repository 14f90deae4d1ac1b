// The shared complexity budget: reservations, waits until the window resets, feeds from responses and 429s.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ComplexityBudget, budgetReportOf, interpretResponse } from "../../src/monday/index.js";
import type {
  BudgetClock,
  BudgetReservation,
  BudgetUpdateEvent,
  BudgetWaitEvent,
  MondayResponse,
} from "../../src/monday/index.js";

const response = (
  data: unknown,
  headers: MondayResponse<unknown>["headers"] = {},
): MondayResponse<unknown> => ({ data, errors: [], headers, status: 200 });

/** Whether `promise` has settled, after letting pending callbacks run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("ComplexityBudget", () => {
  it("lets the first request through alone while nothing is known, then follows its response", async () => {
    const budget = new ComplexityBudget();
    expect(budget.snapshot()).toMatchObject({ remaining: undefined, limit: 10_000_000 });
    const first = await budget.acquire(10_000);
    const second = budget.acquire(10_000);
    expect(await settled(second)).toBe(false);
    first.complete({ remaining: 9_990_000, resetInSeconds: 50 });
    expect(await settled(second)).toBe(true);
    expect(budget.snapshot()).toMatchObject({
      remaining: 9_990_000,
      resetAt: Date.now() + 50_000,
      inFlight: 10_000,
    });
  });

  it("charges the estimate when a request ends without word from monday", async () => {
    const budget = new ComplexityBudget({ limitPerMinute: 100_000 });
    (await budget.acquire(30_000)).complete();
    expect(budget.snapshot()).toMatchObject({ remaining: 70_000, resetAt: Date.now() + 60_000, inFlight: 0 });
  });

  it("waits until the window resets when the estimate exceeds the remaining points", async () => {
    const budget = new ComplexityBudget();
    const waits: BudgetWaitEvent[] = [];
    budget.onWait((e) => waits.push(e));
    budget.record({ remaining: 5_000, resetInSeconds: 10 });

    const pending = budget.acquire(10_000);
    expect(waits).toEqual([{ cost: 10_000, waitMs: 10_000, available: 5_000, queued: 1 }]);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(await settled(pending)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(pending)).toBe(true);
    // A new window is assumed full.
    expect(budget.snapshot()).toMatchObject({ remaining: 10_000_000, inFlight: 10_000 });
  });

  it("reserves at once what fits", async () => {
    const budget = new ComplexityBudget();
    budget.record({ remaining: 50_000, resetInSeconds: 30 });
    const a = budget.acquire(20_000);
    const b = budget.acquire(20_000);
    expect(await settled(a)).toBe(true);
    expect(await settled(b)).toBe(true);
    expect(budget.snapshot()).toMatchObject({ remaining: 50_000, inFlight: 40_000 });
  });

  it("is updated from a response's complexity field", () => {
    const budget = new ComplexityBudget();
    const updates: BudgetUpdateEvent[] = [];
    budget.onUpdate((e) => updates.push(e));
    const recorded = budget.recordResponse(
      response({
        a0: { id: "1" },
        complexity: { before: 9_000_000, after: 8_990_000, query: 10_000, reset_in_x_seconds: 42 },
      }),
    );
    expect(recorded).toBe(true);
    expect(budget.snapshot()).toMatchObject({ remaining: 8_990_000, resetAt: Date.now() + 42_000 });
    expect(updates).toEqual([
      { remaining: 8_990_000, resetAt: Date.now() + 42_000, limit: 10_000_000, fromServer: true },
    ]);
  });

  it("is updated from the RateLimit headers, and takes the limit from RateLimit-Policy", () => {
    const budget = new ComplexityBudget();
    budget.recordResponse(
      response(
        { boards: [] },
        {
          rateLimit: { name: "complexity", remaining: 700_000, resetSeconds: 12 },
          rateLimitPolicy: { name: "complexity", limit: 1_000_000, windowSeconds: 60 },
        },
      ),
    );
    expect(budget.snapshot()).toMatchObject({
      limit: 1_000_000,
      remaining: 700_000,
      resetAt: Date.now() + 12_000,
    });
  });

  it("reads monday's documented multi-policy headers: the complexityMinute quota, or a used-up one", () => {
    // The example of monday's "Rate limits" docs (API-FACTS "Rate limits").
    const policy =
      '"minuteRate";q=5000;w=60, "concurrency";q=250;qu="concurrent-requests", "complexityMinute";q=5000000;w=60;qu="content-bytes"';
    const read = (rateLimit: string) =>
      budgetReportOf(
        interpretResponse(
          200,
          JSON.stringify({ data: { boards: [] } }),
          new Headers({ "RateLimit-Policy": policy, RateLimit: rateLimit }),
        ),
      );
    expect(read('"minuteRate";r=4999, "concurrency";r=249, "complexityMinute";r=4950000;t=45')).toEqual({
      remaining: 4_950_000,
      resetInSeconds: 45,
      limit: 5_000_000,
    });
    // Out of requests for 20 s: nothing goes out before then, whatever the points say.
    expect(read('"minuteRate";r=0;t=20, "concurrency";r=249, "complexityMinute";r=4950000;t=45')).toEqual({
      remaining: 0,
      resetInSeconds: 20,
      limit: 5_000_000,
    });
    const budget = new ComplexityBudget();
    budget.recordResponse(
      interpretResponse(
        200,
        JSON.stringify({ data: { boards: [] } }),
        new Headers({ "RateLimit-Policy": policy, RateLimit: '"complexityMinute";r=1000;t=30' }),
      ),
    );
    expect(budget.snapshot()).toMatchObject({ limit: 5_000_000, remaining: 1_000 });
  });

  it("reads other quotas' RateLimit only when they are used up", () => {
    const requests = (remaining: number) =>
      response({ x: 1 }, { rateLimit: { name: "requests", remaining, resetSeconds: 7 } });
    expect(budgetReportOf(requests(100))).toBeUndefined();
    expect(budgetReportOf(requests(0))).toEqual({ remaining: 0, resetInSeconds: 7 });
    expect(budgetReportOf(response({ x: 1 }, { rateLimit: { remaining: 5, resetSeconds: 3 } }))).toEqual({
      remaining: 5,
      resetInSeconds: 3,
    });
    // The complexity field wins over the header.
    expect(
      budgetReportOf(
        response(
          { complexity: { before: 10, after: 5, query: 5, reset_in_x_seconds: 9 } },
          { rateLimit: { name: "complexity", remaining: 1, resetSeconds: 1 } },
        ),
      ),
    ).toEqual({ remaining: 5, resetInSeconds: 9 });
  });

  it("after a 429 waits retry_in_seconds, then assumes a full window", async () => {
    const budget = new ComplexityBudget();
    budget.record({ remaining: 9_000_000, resetInSeconds: 50 });
    budget.exhausted(20);
    const pending = budget.acquire(1);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(await settled(pending)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(pending)).toBe(true);
    expect(budget.snapshot().remaining).toBe(10_000_000);
  });

  it("keeps the lower figure when answers of the same window arrive out of order", () => {
    const budget = new ComplexityBudget();
    budget.record({ remaining: 500_000, resetInSeconds: 30 });
    vi.advanceTimersByTime(400);
    budget.record({ remaining: 600_000, resetInSeconds: 30 }); // an older answer, late
    expect(budget.snapshot().remaining).toBe(500_000);
    vi.advanceTimersByTime(31_000);
    budget.record({ remaining: 9_900_000, resetInSeconds: 59 }); // a new window
    expect(budget.snapshot().remaining).toBe(9_900_000);
  });

  it("is shared by concurrent callers first come, first served, without over-committing", async () => {
    const budget = new ComplexityBudget();
    budget.record({ remaining: 25_000, resetInSeconds: 60 });
    const granted: string[] = [];
    const take = (name: string, cost: number) =>
      budget.acquire(cost).then((r) => {
        granted.push(name);
        return r;
      });
    const a = take("a", 10_000);
    const b = take("b", 10_000);
    const c = take("c", 10_000); // 5,000 left: waits
    const d = take("d", 1_000); // would fit, but waits behind c
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toEqual(["a", "b"]);
    expect(budget.snapshot()).toMatchObject({ inFlight: 20_000, waiting: 2 });

    // a finishes: monday says 15,000 left; b still holds 10,000, so c (10,000) still does not fit.
    (await a).complete({ remaining: 15_000, resetInSeconds: 59 });
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toEqual(["a", "b"]);
    // b finishes: 5,000 left and nothing in flight: c still waits, d behind it.
    (await b).complete({ remaining: 5_000, resetInSeconds: 59 });
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toEqual(["a", "b"]);

    await vi.advanceTimersByTimeAsync(59_999);
    expect(granted).toEqual(["a", "b"]);
    await vi.advanceTimersByTimeAsync(1); // the window resets 60 s after the first answer
    expect(granted).toEqual(["a", "b", "c", "d"]);
    const reservations: BudgetReservation[] = [await c, await d];
    expect(budget.snapshot()).toMatchObject({ remaining: 10_000_000, inFlight: 11_000, waiting: 0 });
    for (const r of reservations) r.complete();
  });

  it("never has more in flight than what is left", async () => {
    const budget = new ComplexityBudget({ limitPerMinute: 100_000 });
    budget.record({ remaining: 100_000, resetInSeconds: 60 });
    let maxInFlight = 0;
    const workers = Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 5; i++) {
        const reservation = await budget.acquire(15_000);
        maxInFlight = Math.max(maxInFlight, budget.snapshot().inFlight);
        await new Promise((resolve) => setTimeout(resolve, 100));
        reservation.complete();
      }
    });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    await Promise.all(workers);
    expect(maxInFlight).toBeLessThanOrEqual(100_000);
  });

  it("drops a waiter whose signal aborts and serves the next one", async () => {
    const budget = new ComplexityBudget();
    budget.record({ remaining: 1_000, resetInSeconds: 30 });
    const controller = new AbortController();
    const aborted = budget.acquire(5_000, controller.signal);
    const next = budget.acquire(500);
    aborted.catch(() => undefined);
    controller.abort(new Error("stop"));
    await expect(aborted).rejects.toThrow("stop");
    expect(await settled(next)).toBe(true);
  });

  it("caps a cost above the whole window to the window", async () => {
    const budget = new ComplexityBudget({ limitPerMinute: 1_000 });
    budget.record({ remaining: 1_000, resetInSeconds: 60 });
    const reservation = await budget.acquire(5_000);
    expect(reservation.cost).toBe(1_000);
  });

  it("runs on an injected clock", async () => {
    vi.useRealTimers();
    let now = 0;
    const sleepers: Array<{ until: number; resolve: () => void }> = [];
    const clock: BudgetClock = {
      now: () => now,
      sleep: (ms) => new Promise<void>((resolve) => sleepers.push({ until: now + ms, resolve })),
    };
    const budget = new ComplexityBudget({ clock });
    budget.record({ remaining: 0, resetInSeconds: 5 });
    let granted = false;
    const pending = budget.acquire(100).then(() => (granted = true));
    expect(sleepers.map((s) => s.until)).toEqual([5_000]);
    now = 5_000;
    for (const s of sleepers) s.resolve();
    await pending;
    expect(granted).toBe(true);
  });
});
