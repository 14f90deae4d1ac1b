// SyncScheduler on fake timers with an injected `run` whose promises the test settles: start-up run,
// interval and cron ticks, no overlapping or queued runs, on-demand triggers, and graceful stop.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SyncScheduler, type Schedule } from "../../src/sync/index.js";
import type { RunOptions, SyncSummary } from "../../src/sync/index.js";

interface Call {
  options: RunOptions;
  resolve(summary: SyncSummary): void;
  reject(error: unknown): void;
}

const summaryOf = (batchId: string, status: SyncSummary["status"] = "SUCCESS"): SyncSummary =>
  ({
    batchId,
    status,
    exitCode: status === "SUCCESS" ? 0 : 1,
    counts: {},
    customers: [],
  }) as unknown as SyncSummary;

/** A `run` that records each call and returns a promise the test settles. */
function controllableRun() {
  const calls: Call[] = [];
  const run = vi.fn(
    (options: RunOptions) =>
      new Promise<SyncSummary>((resolve, reject) => {
        calls.push({ options, resolve, reject });
      }),
  );
  const last = () => {
    const c = calls.at(-1);
    if (!c) throw new Error("run was not called");
    return c;
  };
  return { calls, run, last };
}

/** Lets promise callbacks (the scheduler's bookkeeping) run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

const interval = (seconds: number, runOnStart = false): Schedule => ({
  kind: "interval",
  seconds,
  runOnStart,
});

describe("SyncScheduler", () => {
  let scheduler: SyncScheduler | undefined;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-03-01T10:00:00.000Z"));
  });
  afterEach(async () => {
    // Whatever a test left running: stop the schedule without waiting on a run that never ends.
    const stopping = scheduler?.stop(1);
    await vi.advanceTimersByTimeAsync(10);
    await stopping;
    scheduler = undefined;
    vi.useRealTimers();
  });

  it("runs at once on start when runOnStart is set", async () => {
    const { run, last } = controllableRun();
    const onRunStart = vi.fn();
    scheduler = new SyncScheduler(interval(60, true), { run, onRunStart });
    scheduler.start();
    expect(run).toHaveBeenCalledTimes(1);
    const { options } = last();
    expect(options.command).toBe("serve");
    expect(options.signal?.aborted).toBe(false);
    expect(options.customers).toBeUndefined();
    expect(scheduler.active).toMatchObject({ trigger: "start", batchId: options.batchId });
    expect(scheduler.active?.startedAt).toBe("2026-03-01T10:00:00.000Z");
    expect(onRunStart).toHaveBeenCalledWith(scheduler.active);

    last().resolve(summaryOf(options.batchId!));
    await settle();
    expect(scheduler.active).toBeUndefined();
    expect(scheduler.lastFinished).toMatchObject({
      run: { trigger: "start", batchId: options.batchId },
      summary: { batchId: options.batchId, status: "SUCCESS" },
    });
  });

  it("does not run on start without runOnStart; runs on each interval tick", async () => {
    const { run, calls } = controllableRun();
    scheduler = new SyncScheduler(interval(60), { run });
    scheduler.start();
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(1);
    expect(scheduler.active?.trigger).toBe("schedule");
    calls[0]!.resolve(summaryOf("1"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(run).toHaveBeenCalledTimes(2);
    calls[1]!.resolve(summaryOf("2"));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(run).toHaveBeenCalledTimes(3); // the third tick; the fourth is at 240 s
    calls[2]!.resolve(summaryOf("3"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(run).toHaveBeenCalledTimes(4);
    // Every run got its own batch id and signal.
    expect(new Set(calls.map((c) => c.options.batchId)).size).toBe(4);
    expect(new Set(calls.map((c) => c.options.signal)).size).toBe(4);
  });

  it("skips ticks while a run is in progress and never queues them", async () => {
    const { run, calls } = controllableRun();
    scheduler = new SyncScheduler(interval(10, true), { run });
    scheduler.start();
    expect(run).toHaveBeenCalledTimes(1);
    // Five ticks pass while the first run is still going.
    await vi.advanceTimersByTimeAsync(55_000);
    expect(run).toHaveBeenCalledTimes(1);
    calls[0]!.resolve(summaryOf("1"));
    await settle();
    // Finishing does not start a queued run: nothing until the next tick (at 60 s).
    expect(run).toHaveBeenCalledTimes(1);
    expect(scheduler.active).toBeUndefined();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("answers trigger('api') with running while a run is in progress, and starts one when idle", async () => {
    const { run, calls } = controllableRun();
    scheduler = new SyncScheduler(interval(3600, true), { run });
    scheduler.start();
    const active = scheduler.active!;
    const busy = scheduler.trigger("api", ["BLUE HARBOR"]);
    expect(busy).toEqual({ started: false, reason: "running", run: active });
    expect(run).toHaveBeenCalledTimes(1);

    calls[0]!.resolve(summaryOf(active.batchId));
    await settle();
    const started = scheduler.trigger("api", ["BLUE HARBOR", "KESTREL OUTDOOR"]);
    expect(started.started).toBe(true);
    if (!started.started) return;
    expect(started.run).toMatchObject({ trigger: "api", customers: ["BLUE HARBOR", "KESTREL OUTDOOR"] });
    expect(started.run.batchId).not.toBe(active.batchId);
    expect(calls[1]!.options).toMatchObject({
      command: "serve:api",
      batchId: started.run.batchId,
      customers: ["BLUE HARBOR", "KESTREL OUTDOOR"],
    });
    calls[1]!.resolve(summaryOf(started.run.batchId, "PARTIAL"));
    await expect(started.done).resolves.toMatchObject({ batchId: started.run.batchId, status: "PARTIAL" });
    // An empty customer list means all customers.
    const all = scheduler.trigger("api", []);
    expect(all.started && all.run.customers).toBeUndefined();
    expect(calls[2]!.options.customers).toBeUndefined();
  });

  it("records a run that throws, reports it to onError, and keeps the schedule going", async () => {
    const { run, calls } = controllableRun();
    const onError = vi.fn();
    scheduler = new SyncScheduler(interval(30, true), { run, onError });
    scheduler.start();
    const first = scheduler.active!;
    const boom = new Error("source table is gone");
    calls[0]!.reject(boom);
    await settle();
    expect(onError).toHaveBeenCalledWith(boom, first);
    expect(scheduler.active).toBeUndefined();
    expect(scheduler.lastFinished).toMatchObject({ run: first, error: "source table is gone" });
    expect(scheduler.lastFinished?.summary).toBeUndefined();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("stop() aborts the run's signal, waits for it to finish, and no tick runs afterwards", async () => {
    const { run, calls } = controllableRun();
    scheduler = new SyncScheduler(interval(10, true), { run });
    scheduler.start();
    const active = scheduler.active!;
    const signal = calls[0]!.options.signal!;
    let stopped: { timedOut: boolean; stoppedRun?: unknown } | undefined;
    const stopping = scheduler.stop(60_000).then((r) => (stopped = r));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toMatch(/shutting down/);
    // It waits for the run, however long (within the grace period).
    await vi.advanceTimersByTimeAsync(30_000);
    expect(stopped).toBeUndefined();
    expect(run).toHaveBeenCalledTimes(1);
    expect(scheduler.trigger("api")).toEqual({ started: false, reason: "stopping" });
    calls[0]!.resolve(summaryOf(active.batchId, "STOPPED"));
    await stopping;
    expect(stopped).toEqual({ timedOut: false, stoppedRun: active });
    expect(scheduler.lastFinished?.summary?.status).toBe("STOPPED");
    expect(scheduler.active).toBeUndefined();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(run).toHaveBeenCalledTimes(1);
    expect(scheduler.nextRunAt()).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stop() with no run in progress resolves at once and cancels the schedule", async () => {
    const { run } = controllableRun();
    scheduler = new SyncScheduler(interval(10), { run });
    scheduler.start();
    await expect(scheduler.stop(5000)).resolves.toEqual({ timedOut: false });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(run).not.toHaveBeenCalled();
  });

  it("stop() gives up after graceMs on a run that never finishes", async () => {
    const { run } = controllableRun();
    scheduler = new SyncScheduler(interval(10, true), { run });
    scheduler.start();
    const active = scheduler.active!;
    let stopped: { timedOut: boolean; stoppedRun?: unknown } | undefined;
    const stopping = scheduler.stop(5000).then((r) => (stopped = r));
    await vi.advanceTimersByTimeAsync(4999);
    expect(stopped).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(stopped).toEqual({ timedOut: true, stoppedRun: active });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("runs on a six-field cron schedule (every second) and reports the next run time", async () => {
    const { run, calls } = controllableRun();
    scheduler = new SyncScheduler({ kind: "cron", expression: "*/1 * * * * *", runOnStart: false }, { run });
    scheduler.start();
    expect(run).not.toHaveBeenCalled();
    expect(scheduler.nextRunAt()?.toISOString()).toBe("2026-03-01T10:00:01.000Z");
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(1);
    expect(scheduler.active?.trigger).toBe("schedule");
    calls[0]!.resolve(summaryOf("1"));
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(2);
    // While the second run goes on, three ticks are skipped.
    await vi.advanceTimersByTimeAsync(3000);
    expect(run).toHaveBeenCalledTimes(2);
    calls[1]!.resolve(summaryOf("2"));
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(3);
    calls[2]!.resolve(summaryOf("3"));
    await settle();
    await scheduler.stop(1000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(run).toHaveBeenCalledTimes(3);
    expect(scheduler.nextRunAt()).toBeUndefined();
  });

  it("runs on a five-field cron schedule at the minute, with runOnStart", async () => {
    const { run, calls } = controllableRun();
    scheduler = new SyncScheduler({ kind: "cron", expression: "*/5 * * * *", runOnStart: true }, { run });
    scheduler.start();
    expect(run).toHaveBeenCalledTimes(1);
    expect(scheduler.active?.trigger).toBe("start");
    calls[0]!.resolve(summaryOf("1"));
    expect(scheduler.nextRunAt()?.toISOString()).toBe("2026-03-01T10:05:00.000Z");
    await vi.advanceTimersByTimeAsync(5 * 60_000 - 1);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("reports when an interval schedule fires next", async () => {
    const { run } = controllableRun();
    scheduler = new SyncScheduler(interval(900), { run });
    scheduler.start();
    // GET /api/sync shows this as nextRunAt; the default schedule is an interval.
    expect(scheduler.nextRunAt()?.toISOString()).toBe("2026-03-01T10:15:00.000Z");
  });
});
