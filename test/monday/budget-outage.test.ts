// A request that never left this machine (the connection refused: an outage, a proxy down) costs no
// complexity budget; otherwise a few seconds of outage with retries used up the minute's budget and the
// run then waited for the window to reset (a 6 s outage stalled a run 60 s).
import { describe, expect, it } from "vitest";
import {
  ComplexityBudget,
  HttpTransport,
  loadDocument,
  NetworkError,
  ResilientTransport,
  TimeoutError,
} from "../../src/monday/index.js";
import { freePort } from "../helpers/ports.js";

describe("the budget during an outage", () => {
  it("is not charged for refused connections, however many retries", async () => {
    const port = await freePort(); // nothing listens there: every connection is refused
    const http = new HttpTransport({
      url: `http://127.0.0.1:${port}/v2`,
      token: "tok-budget",
      apiVersion: "2026-10",
      timeoutMs: 2_000,
    });
    const budget = new ComplexityBudget({ limitPerMinute: 10_000 });
    const resilient = new ResilientTransport(http, {
      budget,
      estimate: () => 4_000,
      maxAttempts: 4,
      backoffInitialMs: 5,
      backoffMaxMs: 10,
      failureThreshold: 100,
    });
    const error = await resilient.request(loadDocument("GetComplexity"), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(http.requests).toBe(4);
    const after = budget.snapshot();
    expect(after.inFlight).toBe(0);
    // 4 attempts at 4,000 would have spent the 10,000 points; none was charged.
    expect(after.remaining === undefined || after.remaining === 10_000).toBe(true);
    // …so the next request is granted at once, not after the window resets.
    const started = Date.now();
    const reservation = await budget.acquire(4_000);
    expect(Date.now() - started).toBeLessThan(100);
    reservation.release();
  });

  it("counts a timeout or a reset connection as sent (monday may have run and charged it)", () => {
    expect(new NetworkError("x", { code: "ECONNREFUSED" }).mayHaveBeenSent).toBe(false);
    expect(new NetworkError("x", { code: "ENOTFOUND" }).mayHaveBeenSent).toBe(false);
    expect(new NetworkError("x", { code: "ECONNRESET" }).mayHaveBeenSent).toBe(true);
    expect(new TimeoutError("x", { code: "TIMEOUT" }).mayHaveBeenSent).toBe(true);
  });
});
