// Fault injection: each kind, seeded sampling, drop-after-commit, run-time control through the admin endpoints.
import { afterEach, describe, expect, it } from "vitest";
import {
  FaultSpecError,
  parseFaultSpec,
  type Emulator,
  type EmulatorOptions,
} from "../../src/emulator/index.js";
import { CHEAP_CREATE, emulatorWithBoard, postRaw } from "./client.js";

const QUERY = "{ boards { id } }";

const emulators: Emulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = await emulatorWithBoard(options);
  emulators.push(emulator);
  return emulator;
}

function admin(emulator: Emulator, path: string, body?: unknown, token = "test-token") {
  return fetch(new URL(path, emulator.url), {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: token, "Content-Type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

describe("each fault at fraction 1", () => {
  it("rate_limit: 429 with monday's body and a short retry_in_seconds", async () => {
    const em = await start({ faults: { rate_limit: 1 } });
    const res = await postRaw(em.url, CHEAP_CREATE);
    expect(res.status).toBe(429);
    expect(res.json().errors).toEqual([
      {
        message: "Rate Limit Exceeded",
        extensions: {
          code: "RATE_LIMIT_EXCEEDED",
          retry_in_seconds: 1,
          status_code: 429,
          request_id: expect.any(String),
        },
      },
    ]);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("ratelimit")).toBeTruthy();
    expect(em.store.items.size).toBe(0);
    expect(em.stats()).toMatchObject({ faults: { rate_limit: 1 }, rateLimited: { RATE_LIMIT_EXCEEDED: 1 } });
  });

  it("server_error: 500 INTERNAL_SERVER_ERROR, nothing executed", async () => {
    const em = await start({ faults: { server_error: 1 } });
    const res = await postRaw(em.url, CHEAP_CREATE);
    expect(res.status).toBe(500);
    expect(res.json().errors?.[0]?.extensions).toEqual({
      code: "INTERNAL_SERVER_ERROR",
      status_code: 500,
      request_id: res.headers.get("request-id"),
    });
    expect(em.store.items.size).toBe(0);
  });

  it("bad_gateway: 502 with an HTML body", async () => {
    const em = await start({ faults: { bad_gateway: 1 } });
    const res = await postRaw(em.url, CHEAP_CREATE);
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toBe("text/html");
    expect(res.text).toContain("<title>502 Bad Gateway</title>");
    expect(em.store.items.size).toBe(0);
  });

  it("timeout: no answer; the client's own timeout fires first; the socket is destroyed later", async () => {
    const em = await start({ faults: { timeout: 1 }, faultTimeoutMs: 400 });
    const started = Date.now();
    await expect(
      postRaw(em.url, CHEAP_CREATE, {}, { signal: AbortSignal.timeout(150) }),
    ).rejects.toMatchObject({
      name: "TimeoutError",
    });
    expect(Date.now() - started).toBeLessThan(400);
    // Without a client timeout, the emulator gives up after faultTimeoutMs and destroys the socket.
    await expect(postRaw(em.url, CHEAP_CREATE)).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(em.store.items.size).toBe(0);
    expect(em.stats().faults.timeout).toBe(2);
  });

  it("drop_after_commit: the item is created, the client sees a socket error, the log says the reply was lost", async () => {
    const em = await start({ faults: { drop_after_commit: 1 } });
    await expect(postRaw(em.url, CHEAP_CREATE, { "Idempotency-Key": "k-drop" })).rejects.toThrow(
      /fetch failed/,
    );
    expect(em.store.items.size).toBe(1);
    expect(em.log.entries).toEqual([
      expect.objectContaining({ operation: "create_item", ok: true, replyLost: true }),
    ]);
    expect(em.stats().faults.drop_after_commit).toBe(1);
    // The retry with the same key gets what the lost reply said, without a second create.
    em.setFaults({});
    const retry = await postRaw(em.url, CHEAP_CREATE, { "Idempotency-Key": "k-drop" });
    expect(retry.headers.get("idempotency-replayed")).toBe("true");
    const created = retry.json().data?.create_item as { id: string };
    expect(em.store.items.has(created.id)).toBe(true);
    expect(em.store.items.size).toBe(1);
  });
});

describe("sampling", () => {
  async function statuses(seed: number, count: number): Promise<number[]> {
    const em = await start({ faults: { server_error: 0.2 }, seed });
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push((await postRaw(em.url, QUERY)).status);
    expect(em.stats().faults.server_error).toBe(out.filter((s) => s === 500).length);
    return out;
  }

  it("0.2 of 200 requests fail, about 20%, the same ones for the same seed", async () => {
    const first = await statuses(42, 200);
    const failed = first.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThanOrEqual(28);
    expect(failed).toBeLessThanOrEqual(52);
    expect(await statuses(42, 200)).toEqual(first);
    expect(await statuses(43, 200)).not.toEqual(first);
  });

  it("faultsOn mutations spares queries", async () => {
    const em = await start({ faults: { server_error: 1 }, faultsOn: "mutations" });
    expect((await postRaw(em.url, QUERY)).status).toBe(200);
    expect((await postRaw(em.url, CHEAP_CREATE)).status).toBe(500);
  });

  it("defaults inject nothing", async () => {
    const em = await start();
    for (let i = 0; i < 20; i++) expect((await postRaw(em.url, CHEAP_CREATE)).status).toBe(200);
    expect(Object.values(em.stats().faults).every((n) => n === 0)).toBe(true);
  });
});

describe("admin endpoints", () => {
  it("POST /__admin/faults changes faults at run time; GET /__admin/stats reports them", async () => {
    const em = await start({ token: "test-token" });
    expect((await postRaw(em.url, CHEAP_CREATE)).status).toBe(200);
    const set = await admin(em, "/__admin/faults", { faults: "server_error=1", faultsOn: "all", seed: 3 });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({
      faults: { server_error: 1 },
      faultsOn: "all",
      faultTimeoutMs: 30_000,
    });
    expect((await postRaw(em.url, CHEAP_CREATE)).status).toBe(500);
    // Admin requests are never faulted nor counted as API requests.
    const stats = await admin(em, "/__admin/stats");
    expect(stats.status).toBe(200);
    expect(await stats.json()).toMatchObject({
      requests: 2,
      writeRequests: 2,
      faults: { server_error: 1 },
      idempotentReplays: 0,
      conflicts: 0,
    });
    await admin(em, "/__admin/faults", { faults: {} });
    expect((await postRaw(em.url, CHEAP_CREATE)).status).toBe(200);
  });

  it("POST /__admin/limits turns limits on at run time", async () => {
    const em = await start();
    const res = await admin(em, "/__admin/limits", { enforceLimits: true, requestsPerMinute: 1 });
    expect(await res.json()).toMatchObject({ enforceLimits: true, requestsPerMinute: 1 });
    expect((await postRaw(em.url, QUERY)).status).toBe(200);
    expect((await postRaw(em.url, QUERY)).status).toBe(429);
  });

  it("refuses a wrong token, bad input and unknown endpoints", async () => {
    const em = await start({ token: "test-token" });
    expect((await admin(em, "/__admin/stats", undefined, "wrong")).status).toBe(401);
    const bad = await admin(em, "/__admin/faults", { faults: { meteor: 0.5 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('unknown fault "meteor"');
    expect((await admin(em, "/__admin/faults", { faults: { server_error: 0.7, timeout: 0.7 } })).status).toBe(
      400,
    );
    expect((await admin(em, "/__admin/limits", { maxConcurrent: 0 })).status).toBe(400);
    expect((await admin(em, "/__admin/nope")).status).toBe(404);
  });
});

describe("latency", () => {
  it("adds latencyMs plus a seeded jitter of up to latencyJitterMs", async () => {
    const em = await start({ latencyMs: 20, latencyJitterMs: 80 });
    const durations: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      await postRaw(em.url, QUERY);
      durations.push(performance.now() - started);
    }
    expect(Math.min(...durations)).toBeGreaterThanOrEqual(19);
    expect(Math.max(...durations) - Math.min(...durations)).toBeGreaterThan(10);
  });
});

describe("parseFaultSpec", () => {
  it("reads kind=fraction pairs and percentages", () => {
    expect(parseFaultSpec("rate_limit=0.05, server_error=5%,drop_after_commit=0.01")).toEqual({
      rate_limit: 0.05,
      server_error: 0.05,
      drop_after_commit: 0.01,
    });
    expect(parseFaultSpec("")).toEqual({});
  });

  it("refuses unknown kinds, bad fractions and sums above 1", () => {
    expect(() => parseFaultSpec("meteor=0.1")).toThrow(FaultSpecError);
    expect(() => parseFaultSpec("timeout")).toThrow(/kind=fraction/);
    expect(() => parseFaultSpec("timeout=1.5")).toThrow(FaultSpecError);
    expect(() => parseFaultSpec("timeout=0.6,server_error=0.6")).toThrow(/more than 1/);
  });
});
