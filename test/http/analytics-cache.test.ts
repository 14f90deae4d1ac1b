// The analytics' aggregate cache with a test clock: fresh answers served as they are, stale ones served
// while one refresh runs, one computation shared by concurrent callers, failures not cached.
import { describe, expect, it } from "vitest";
import { AggregateCache } from "../../src/analytics/index.js";

function setup(ttlMs = 1000) {
  let now = 0;
  let calls = 0;
  const cache = new AggregateCache<number>({ ttlMs, maxStaleMs: 5000, maxEntries: 2 }, () => now);
  const compute = async () => ++calls;
  return { cache, compute, tick: (ms: number) => (now += ms), calls: () => calls };
}

describe("AggregateCache", () => {
  it("serves a fresh answer without computing again", async () => {
    const t = setup();
    expect((await t.cache.get("k", t.compute)).value).toBe(1);
    t.tick(999);
    expect(await t.cache.get("k", t.compute)).toEqual({ value: 1, computedAt: 0, stale: false });
    expect(t.calls()).toBe(1);
  });

  it("serves a stale answer at once and refreshes it behind, once", async () => {
    const t = setup();
    await t.cache.get("k", t.compute);
    t.tick(2000);
    const [a, b] = await Promise.all([t.cache.get("k", t.compute), t.cache.get("k", t.compute)]);
    expect([a.value, a.stale, b.value]).toEqual([1, true, 1]);
    await new Promise((r) => setTimeout(r, 0));
    expect(t.calls()).toBe(2);
    expect(await t.cache.get("k", t.compute)).toEqual({ value: 2, computedAt: 2000, stale: false });
  });

  it("computes again past maxStale, shares one computation, and drops the oldest key", async () => {
    const t = setup();
    await t.cache.get("k", t.compute);
    t.tick(6000);
    const both = await Promise.all([t.cache.get("k", t.compute), t.cache.get("k", t.compute)]);
    expect(both.map((x) => x.value)).toEqual([2, 2]);
    await t.cache.get("a", t.compute);
    await t.cache.get("b", t.compute);
    expect((await t.cache.get("k", t.compute)).value).toBe(5);
  });

  it("warms a key: computes it whatever its age, joins one under way, and serves it fresh after", async () => {
    const t = setup();
    expect(await t.cache.warm("k", t.compute)).toBe(1);
    t.tick(500);
    const [a, b] = await Promise.all([t.cache.warm("k", t.compute), t.cache.get("k", t.compute)]);
    expect([a, b.value]).toEqual([2, 1]);
    expect(t.calls()).toBe(2);
    expect(await t.cache.get("k", t.compute)).toEqual({ value: 2, computedAt: 500, stale: false });
    expect(t.cache.staleLimitMs).toBe(5000);
  });

  it("does not keep a failed computation", async () => {
    const t = setup();
    await expect(t.cache.get("k", () => Promise.reject(new Error("db down")))).rejects.toThrow("db down");
    expect((await t.cache.get("k", t.compute)).value).toBe(1);
  });
});
