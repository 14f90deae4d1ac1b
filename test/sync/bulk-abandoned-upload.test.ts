// Issue 18, crash safety: a job an earlier run recorded STARTED and died before uploading stays
// UPLOAD_PENDING at monday for good. The next run must leave it once the grace has passed, not poll it
// until its URL expires (10 minutes), and must keep polling a job that is really on its way; the polls
// are paced by the job's own progress.
import { describe, expect, it } from "vitest";
import { ABANDONED_UPLOAD_GRACE_MS, nextPollMs, pollToEnd } from "../../src/sync/steps/bulk-jobs.js";
import type { BulkLane, BulkJobState } from "../../src/sync/port.js";
import type { CustomerRunContext } from "../../src/sync/customer-context.js";

const ctx = { settings: { config: { monday: { bulkPollSeconds: 0.01 } } } } as unknown as CustomerRunContext;
const state = (status: string): BulkJobState =>
  ({ status, counts: { created: 0, failed: 0, total: 0 } }) as unknown as BulkJobState;

/** A lane whose job answers the given states in turn (the last one again and again). */
function laneAnswering(states: string[]): BulkLane & { polls: number } {
  const lane = {
    polls: 0,
    status: () => Promise.resolve(state(states[Math.min(lane.polls++, states.length - 1)]!)),
    start: () => Promise.reject(new Error("not used")),
    upload: () => Promise.reject(new Error("not used")),
    report: () => Promise.resolve([]),
  };
  return lane;
}

describe("polling a job an earlier run left", () => {
  it("leaves a STARTED job still UPLOAD_PENDING past the grace at once", async () => {
    const lane = laneAnswering(["UPLOAD_PENDING"]);
    const startedAt = new Date(Date.now() - ABANDONED_UPLOAD_GRACE_MS - 1000).toISOString();
    const end = await pollToEnd(ctx, lane, { jobId: "j1", status: "STARTED", startedAt });
    expect(end.status).toBe("UPLOAD_PENDING");
    expect(lane.polls).toBe(1);
  });

  it("keeps polling a job whose upload landed until it ends", async () => {
    const lane = laneAnswering(["UPLOAD_PENDING", "PROCESSING", "COMPLETED"]);
    const startedAt = new Date().toISOString();
    const end = await pollToEnd(ctx, lane, { jobId: "j2", status: "STARTED", startedAt });
    expect(end.status).toBe("COMPLETED");
    expect(lane.polls).toBe(3);
  });

  it("never leaves a job this run uploaded, however long it stays pending", async () => {
    const lane = laneAnswering(["UPLOAD_PENDING", "UPLOAD_PENDING", "COMPLETED"]);
    const startedAt = new Date(Date.now() - ABANDONED_UPLOAD_GRACE_MS - 1000).toISOString();
    const end = await pollToEnd(ctx, lane, { jobId: "j3", status: "UPLOADED", startedAt });
    expect(end.status).toBe("COMPLETED");
  });
});

describe("the pace of the polls", () => {
  it("looks again after a tenth of the interval, then when the progress says the job ends", () => {
    expect(nextPollMs(10_000, undefined, { at: 0, progress: 0 })).toBe(1_000);
    // 25% in 1 s: 75% left is 3 s more.
    expect(nextPollMs(10_000, { at: 0, progress: 0 }, { at: 1_000, progress: 25 })).toBe(3_000);
    // Never sooner than a tenth of the interval, never later than the interval.
    expect(nextPollMs(10_000, { at: 0, progress: 0 }, { at: 1_000, progress: 99 })).toBe(1_000);
    expect(nextPollMs(10_000, { at: 0, progress: 0 }, { at: 1_000, progress: 1 })).toBe(10_000);
    // No progress since the first look (a job waiting for its turn): the docs' interval.
    expect(nextPollMs(10_000, { at: 0, progress: 0 }, { at: 5_000, progress: 0 })).toBe(10_000);
  });
});
