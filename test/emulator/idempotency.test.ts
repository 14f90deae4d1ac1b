// Idempotency-Key: cached responses replayed, concurrent duplicates refused, keys scoped to the token.
import { describe, expect, it } from "vitest";
import { CHEAP_CREATE, emulatorPerTest, manualClock, postRaw } from "./client.js";

const start = emulatorPerTest();

const withKey = (key: string, token = "test-token") => ({ "Idempotency-Key": key, Authorization: token });

describe("Idempotency-Key", () => {
  it("a retry with the same key gets the cached response and executes nothing", async () => {
    const em = await start();
    const first = await postRaw(em.url, CHEAP_CREATE, withKey("k-1"));
    expect(first.status).toBe(200);
    expect(first.headers.get("idempotency-replayed")).toBeNull();
    const again = await postRaw(em.url, CHEAP_CREATE, withKey("k-1"));
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(again.headers.get("idempotency-replayed")).toBe("true");
    expect(again.headers.get("request-id")).toBe(first.headers.get("request-id"));
    expect(again.headers.get("ratelimit")).toMatch(/"complexityMinute";r=\d+;t=\d+$/);
    expect(em.store.items.size).toBe(1);
    expect(em.log.ofOperation("create_item")).toHaveLength(1);
    expect(em.stats()).toMatchObject({ idempotentReplays: 1, conflicts: 0 });
  });

  it("caches failed mutations too: the replay carries the same errors", async () => {
    const em = await start();
    const bad = `mutation { create_item(board_id: 999, item_name: "x") { id } }`;
    const first = await postRaw(em.url, bad, withKey("k-bad"));
    const again = await postRaw(em.url, bad, withKey("k-bad"));
    expect(again.json().errors?.[0]?.extensions.code).toBe("InvalidBoardIdException");
    expect(again.text).toBe(first.text);
    expect(em.log.entries).toHaveLength(1);
  });

  it("scopes keys to the token", async () => {
    const em = await start();
    await postRaw(em.url, CHEAP_CREATE, withKey("shared", "token-a"));
    const other = await postRaw(em.url, CHEAP_CREATE, withKey("shared", "token-b"));
    expect(other.headers.get("idempotency-replayed")).toBeNull();
    expect(em.store.items.size).toBe(2);
  });

  it("a concurrent duplicate gets 409 IDEMPOTENCY_CONFLICT with Retry-After", async () => {
    const em = await start({ latencyMs: 300 });
    const [a, b] = await Promise.all([
      postRaw(em.url, CHEAP_CREATE, withKey("k-race")),
      new Promise((r) => setTimeout(r, 50)).then(() => postRaw(em.url, CHEAP_CREATE, withKey("k-race"))),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(409);
    expect(b.json().errors).toEqual([
      {
        message: expect.any(String) as string,
        extensions: { code: "IDEMPOTENCY_CONFLICT", status_code: 409, request_id: expect.any(String) },
      },
    ]);
    expect(b.headers.get("retry-after")).toBe("1");
    expect(em.store.items.size).toBe(1);
    expect(em.stats().conflicts).toBe(1);
    // Once the first has answered, the key replays.
    const later = await postRaw(em.url, CHEAP_CREATE, withKey("k-race"));
    expect(later.headers.get("idempotency-replayed")).toBe("true");
  });

  it("expires after 30 (scaled) minutes", async () => {
    const clock = manualClock();
    const em = await start({ now: clock.now, timeScale: 60 });
    await postRaw(em.url, CHEAP_CREATE, withKey("k-old"));
    clock.advance(29_000); // 29 emulator minutes
    expect((await postRaw(em.url, CHEAP_CREATE, withKey("k-old"))).headers.get("idempotency-replayed")).toBe(
      "true",
    );
    clock.advance(1_000);
    expect(
      (await postRaw(em.url, CHEAP_CREATE, withKey("k-old"))).headers.get("idempotency-replayed"),
    ).toBeNull();
    expect(em.store.items.size).toBe(2);
  });

  it("a request refused by a limit does not use up its key", async () => {
    const clock = manualClock();
    const em = await start({ enforceLimits: true, budgetPerMinute: 15_000, now: clock.now });
    await postRaw(em.url, CHEAP_CREATE);
    expect((await postRaw(em.url, CHEAP_CREATE, withKey("k-429"))).status).toBe(429);
    clock.advance(60_000);
    const retried = await postRaw(em.url, CHEAP_CREATE, withKey("k-429"));
    expect(retried.status).toBe(200);
    expect(retried.headers.get("idempotency-replayed")).toBeNull();
    expect(em.store.items.size).toBe(2);
  });

  it("is ignored on queries and absent keys change nothing", async () => {
    const em = await start();
    const query = "{ boards { id } }";
    await postRaw(em.url, query, withKey("k-q"));
    expect((await postRaw(em.url, query, withKey("k-q"))).headers.get("idempotency-replayed")).toBeNull();
    await postRaw(em.url, CHEAP_CREATE);
    await postRaw(em.url, CHEAP_CREATE);
    expect(em.store.items.size).toBe(2);
  });
});
