// monday's limits, enforced: the minute budget, the per-query cap, requests per minute, concurrency; time scale.
import { afterEach, describe, expect, it } from "vitest";
import { EmulatorClock, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";
import { CHEAP_CREATE, emulatorWithBoard, manualClock, postRaw } from "./client.js";

const COMPLEXITY = "{ complexity { before after query reset_in_x_seconds } }";
/** 10,002 points: two fit in a 25,000 budget, the third does not. */
const BUDGET = 25_000;

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: EmulatorOptions): Promise<Emulator> {
  emulator = await emulatorWithBoard({ enforceLimits: true, ...options });
  return emulator;
}

describe("minute complexity budget", () => {
  it("refuses a request that does not fit with monday's 429, headers and nothing executed", async () => {
    const clock = manualClock();
    const em = await start({ budgetPerMinute: BUDGET, now: clock.now });
    expect((await postRaw(em.url, CHEAP_CREATE)).status).toBe(200);
    clock.advance(15_000);
    expect((await postRaw(em.url, CHEAP_CREATE)).status).toBe(200);
    clock.advance(5_000);
    const refused = await postRaw(em.url, CHEAP_CREATE);
    expect(refused.status).toBe(429);
    expect(refused.json()).toEqual({
      errors: [
        {
          message: "Complexity budget exhausted",
          extensions: {
            code: "COMPLEXITY_BUDGET_EXHAUSTED",
            complexity: 10_002,
            complexity_budget_left: BUDGET - 20_004,
            complexity_budget_limit: BUDGET,
            retry_in_seconds: 40,
            status_code: 429,
            request_id: refused.headers.get("request-id"),
          },
        },
      ],
    });
    expect(refused.headers.get("retry-after")).toBe("40");
    expect(refused.headers.get("ratelimit-policy")).toContain(`"complexityMinute";q=${BUDGET};w=60`);
    expect(refused.headers.get("ratelimit")).toContain(`"complexityMinute";r=${BUDGET - 20_004};t=40`);
    expect(em.store.items.size).toBe(2);
    expect(em.log.ofOperation("create_item")).toHaveLength(2);
    expect(em.stats()).toMatchObject({
      rateLimited: { COMPLEXITY_BUDGET_EXHAUSTED: 1 },
      complexityUsed: 20_004,
    });
  });

  it("the window opens with the first call and resets 60 s later", async () => {
    const clock = manualClock();
    const em = await start({ budgetPerMinute: BUDGET, now: clock.now });
    const fresh = await postRaw(em.url, COMPLEXITY);
    expect(fresh.json().data).toEqual({
      complexity: { before: BUDGET, query: 5, after: BUDGET - 5, reset_in_x_seconds: 60 },
    });
    await postRaw(em.url, CHEAP_CREATE);
    await postRaw(em.url, CHEAP_CREATE);
    clock.advance(59_999);
    expect((await postRaw(em.url, CHEAP_CREATE)).json().errors?.[0]?.extensions).toMatchObject({
      code: "COMPLEXITY_BUDGET_EXHAUSTED",
      retry_in_seconds: 1,
    });
    clock.advance(1);
    const after = await postRaw(em.url, CHEAP_CREATE);
    expect(after.status).toBe(200);
    expect(after.headers.get("ratelimit")).toContain(`"complexityMinute";r=${BUDGET - 10_002};t=60`);
    expect(em.store.items.size).toBe(3);
  });

  it("failed calls count: a validation error is charged", async () => {
    const em = await start({ budgetPerMinute: BUDGET });
    const bad = await postRaw(em.url, "{ boards { nope } }");
    expect(bad.json().errors?.[0]?.extensions.code).toBe("undefinedField");
    expect(em.budget.remaining()).toBeLessThan(BUDGET);
  });

  it("is reported full when limits are off (the default), while stats still count the points", async () => {
    emulator = await emulatorWithBoard({ budgetPerMinute: BUDGET });
    for (let i = 0; i < 3; i++) expect((await postRaw(emulator.url, CHEAP_CREATE)).status).toBe(200);
    expect(emulator.stats().complexityUsed).toBe(30_006);
    expect((await postRaw(emulator.url, COMPLEXITY)).json().data).toMatchObject({
      complexity: { before: BUDGET, after: BUDGET },
    });
  });

  it("can be changed at run time", async () => {
    const em = await start({});
    em.setLimits({ budgetPerMinute: 15_000 });
    expect((await postRaw(em.url, CHEAP_CREATE)).status).toBe(200);
    expect((await postRaw(em.url, CHEAP_CREATE)).status).toBe(429);
    em.setLimits({ enforceLimits: false });
    expect((await postRaw(em.url, CHEAP_CREATE)).status).toBe(200);
    expect(() => em.setLimits({ budgetPerMinute: -1 })).toThrow(RangeError);
  });
});

describe("per-query cap", () => {
  const HEAVY =
    "{ boards(limit: 200) { items_page(limit: 500) { items { column_values { id text value } } } } }";

  it("refuses a query above 5,000,000 points before it runs, without charging it", async () => {
    const em = await start({});
    const res = await postRaw(em.url, HEAVY);
    expect(res.status).toBe(200);
    const error = res.json().errors?.[0];
    expect(error?.message).toMatch(/^Query has complexity of \d+, which exceeds max complexity of 5000000$/);
    expect(error?.extensions).toMatchObject({
      code: "maxComplexityExceeded",
      max_complexity: 5_000_000,
      status_code: 400,
    });
    expect(error?.extensions.complexity).toBeGreaterThan(5_000_000);
    expect(res.json().data).toBeUndefined();
    expect(em.budget.remaining()).toBe(10_000_000);
  });

  it("lets a query at the cap through", async () => {
    const em = await start({ queryComplexityCap: 10_002 });
    expect((await postRaw(em.url, CHEAP_CREATE)).status).toBe(200);
    em.setLimits({ queryComplexityCap: 10_001 });
    expect((await postRaw(em.url, CHEAP_CREATE)).json().errors?.[0]?.extensions.code).toBe(
      "maxComplexityExceeded",
    );
  });
});

describe("requests per minute", () => {
  it("answers 429 Rate Limit Exceeded past the limit, until the window resets", async () => {
    const clock = manualClock();
    const em = await start({ requestsPerMinute: 3, now: clock.now });
    for (let i = 0; i < 3; i++) expect((await postRaw(em.url, COMPLEXITY)).status).toBe(200);
    clock.advance(10_000);
    const refused = await postRaw(em.url, COMPLEXITY);
    expect(refused.status).toBe(429);
    expect(refused.json().errors).toEqual([
      {
        message: "Rate Limit Exceeded",
        extensions: {
          code: "RATE_LIMIT_EXCEEDED",
          retry_in_seconds: 50,
          status_code: 429,
          request_id: expect.any(String),
        },
      },
    ]);
    expect(refused.headers.get("retry-after")).toBe("50");
    clock.advance(50_000);
    expect((await postRaw(em.url, COMPLEXITY)).status).toBe(200);
    expect(em.stats().rateLimited).toEqual({ RATE_LIMIT_EXCEEDED: 1 });
  });
});

describe("concurrency", () => {
  it("answers 429 maxConcurrencyExceeded to requests beyond maxConcurrent", async () => {
    const em = await start({ maxConcurrent: 2, latencyMs: 300 });
    const replies = await Promise.all(Array.from({ length: 5 }, () => postRaw(em.url, COMPLEXITY)));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    const refused = replies.find((r) => r.status === 429);
    expect(refused?.json().errors?.[0]?.extensions).toEqual({
      code: "maxConcurrencyExceeded",
      retry_in_seconds: 1,
      status_code: 429,
      request_id: expect.any(String),
    });
    expect(refused?.headers.get("retry-after")).toBe("1");
    // Slots free up when replies go out.
    expect((await postRaw(em.url, COMPLEXITY)).status).toBe(200);
    expect(em.stats().rateLimited).toEqual({ maxConcurrencyExceeded: 3 });
  });
});

describe("time scale", () => {
  it("runs budget windows faster and reports waits in real seconds", async () => {
    const clock = manualClock();
    const em = await start({ budgetPerMinute: BUDGET, timeScale: 30, now: clock.now });
    await postRaw(em.url, CHEAP_CREATE);
    await postRaw(em.url, CHEAP_CREATE);
    clock.advance(500); // 15 emulator seconds
    const refused = await postRaw(em.url, CHEAP_CREATE);
    expect(refused.json().errors?.[0]?.extensions.retry_in_seconds).toBe(1.5);
    expect(refused.headers.get("retry-after")).toBe("1.5");
    expect(refused.headers.get("ratelimit-policy")).toContain(`"complexityMinute";q=${BUDGET};w=2`);
    expect(refused.headers.get("ratelimit")).toContain(`"complexityMinute";r=${BUDGET - 20_004};t=1.5`);
    // reset_in_x_seconds is an Int! in monday's SDL: whole real seconds, rounded up.
    const complexity = (await postRaw(em.url, COMPLEXITY)).json().data?.complexity as Record<string, number>;
    expect(complexity.reset_in_x_seconds).toBe(2);
    clock.advance(1_500);
    expect((await postRaw(em.url, CHEAP_CREATE)).status).toBe(200);
  });

  it("a real client that waits retry_in_seconds gets through", async () => {
    // 60 emulator seconds = 100 real ms.
    const em = await start({ budgetPerMinute: BUDGET, timeScale: 600 });
    await postRaw(em.url, CHEAP_CREATE);
    await postRaw(em.url, CHEAP_CREATE);
    const refused = await postRaw(em.url, CHEAP_CREATE);
    expect(refused.status).toBe(429);
    const wait = refused.json().errors?.[0]?.extensions.retry_in_seconds as number;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(0.1);
    await new Promise((r) => setTimeout(r, wait * 1000));
    expect((await postRaw(em.url, CHEAP_CREATE)).status).toBe(200);
  });

  it("cursors expire after 60 scaled minutes", async () => {
    const clock = manualClock();
    const em = await start({ timeScale: 60, now: clock.now });
    for (let i = 0; i < 3; i++) await postRaw(em.url, CHEAP_CREATE);
    const first = await postRaw(em.url, "{ boards(ids: 100) { items_page(limit: 1) { cursor } } }");
    const boards = first.json().data?.boards as { items_page: { cursor: string } }[];
    const cursor = boards[0]?.items_page.cursor;
    expect(cursor).toBeTruthy();
    const next = `query ($c: String!) { next_items_page(cursor: $c, limit: 1) { cursor } }`;
    expect((await postRaw(em.url, next, {}, { variables: { c: cursor } })).json().errors).toBeUndefined();
    clock.advance(60_001); // one real minute = 60 emulator minutes
    const expired = await postRaw(em.url, next, {}, { variables: { c: cursor } });
    expect(expired.json().errors?.[0]?.extensions.code).toBe("CursorException");
  });

  it("EmulatorClock converts emulator time to real seconds", () => {
    let real = 0;
    const scaled = new EmulatorClock(30, () => real);
    real += 1_000;
    expect(scaled.now()).toBe(30_000);
    expect(scaled.realSeconds(60_000)).toBe(2);
    expect(scaled.realSeconds(52_001)).toBe(1.734);
    expect(new EmulatorClock(1, () => 0).realSeconds(1_001)).toBe(2);
    expect(() => new EmulatorClock(0)).toThrow(RangeError);
  });
});
