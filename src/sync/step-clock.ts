import { SYNC_STEPS, type SyncEvents, type SyncStep } from "./events.js";

/**
 * Times the steps of one customer's run. A step that runs once a page or once a request (read, detect,
 * validate, stage, push, record) adds up over the run, so each step that ran is reported once per customer,
 * in pipeline order; the step that ended the run by failing is reported with `ok: false`.
 */
export class StepClock {
  private readonly ms = new Map<SyncStep, number>();
  private failed: SyncStep | undefined;

  /** Runs `fn` as part of `step`. */
  async time<T>(step: SyncStep, fn: () => Promise<T> | T): Promise<T> {
    const t0 = Date.now();
    try {
      return await fn();
    } catch (e) {
      this.failed ??= step;
      throw e;
    } finally {
      this.ms.set(step, (this.ms.get(step) ?? 0) + Date.now() - t0);
    }
  }

  /** Iterates `source`, timing each wait for its next value as part of `step`. */
  async *iterate<T>(step: SyncStep, source: AsyncIterable<T>): AsyncGenerator<T> {
    const it = source[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        const next = await this.time(step, () => it.next());
        if (next.done) {
          finished = true;
          return;
        }
        yield next.value;
      }
    } finally {
      if (!finished) await it.return?.();
    }
  }

  /** Emits one `stepDone` per step that ran. */
  report(events: SyncEvents, batchId: string, customer: string): void {
    for (const step of SYNC_STEPS) {
      const durationMs = this.ms.get(step);
      if (durationMs !== undefined)
        events.emit("stepDone", { batchId, customer, step, durationMs, ok: step !== this.failed });
    }
  }
}
