import type { Logger } from "pino";
import type { Db } from "../db/index.js";
import { errorMessage } from "../errors/index.js";
import { applyEvent, type Applied, type ApplyContext } from "./apply.js";
import { claimEvent, failEvent, markEvent, pendingEvents, type InboxRow } from "./inbox.js";

/** Counts of what the worker did since it started (metrics and `status` read them). */
export interface WorkerCounts {
  applied: number;
  echo: number;
  ignored: number;
  failed: number;
}

/** Attempts of one event before it is left FAILED for an operator. */
const MAX_ATTEMPTS = 5;
const BATCH = 500;
/** Events applied in one transaction. */
const GROUP = 50;

/**
 * Applies inbox events one at a time, in the order they arrived (so per item in order), each in its own
 * transaction that also marks the inbox row: an event is applied once, and a crash between receipt and
 * apply leaves it PENDING for the next start. `notify()` wakes it when the endpoint stored an event.
 */
export class InboxWorker {
  readonly counts: WorkerCounts = { applied: 0, echo: 0, ignored: 0, failed: 0 };
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private draining: Promise<void> = Promise.resolve();
  private dirty = true;

  constructor(
    private readonly db: Db,
    private readonly ctx: ApplyContext,
    private readonly options: { pollMs?: number; log?: Logger; onEvent?: (status: string) => void } = {},
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  notify(): void {
    this.dirty = true;
    this.wake?.();
  }

  /** Applies every PENDING event now; resolves when none is left. One drain runs at a time. */
  drain(): Promise<void> {
    const next = this.draining.then(() => this.drainOnce());
    this.draining = next.catch(() => undefined);
    return next;
  }

  private async drainOnce(): Promise<void> {
    for (;;) {
      const rows = await pendingEvents(this.db, BATCH);
      if (rows.length === 0) return;
      let progressed = false;
      for (let i = 0; i < rows.length && !this.stopped; i += GROUP) {
        const group = rows.slice(i, i + GROUP);
        // One transaction for the group (a commit per group, not per event); if any event fails, the group
        // is rolled back and applied one event at a time, so one bad event holds back no other.
        if (await this.applyGroup(group)) progressed = true;
        else for (const row of group) progressed = (await this.applyOne(row)) || progressed;
      }
      if (!progressed || this.stopped) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (this.dirty) {
        this.dirty = false;
        try {
          await this.drain();
        } catch (e) {
          this.options.log?.error({ error: errorMessage(e) }, "webhook inbox worker failed; retrying");
          this.dirty = true;
        }
      }
      if (this.stopped) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs ?? 1000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      this.dirty = true;
    }
  }

  /** Applies the rows in one transaction that also marks their inbox rows. */
  private applyRows(rows: readonly InboxRow[]): Promise<Applied[]> {
    return this.db.kysely.transaction().execute(async (tx) => {
      const out: Applied[] = [];
      for (const row of rows) {
        if (!(await claimEvent(tx, row.inboxId))) {
          out.push({ status: "IGNORED", resolution: "already-applied" });
          continue;
        }
        const result = await applyEvent(tx, { ...this.ctx, dialect: this.db.dialect }, row.event);
        const note = result.status === "APPLIED" ? null : result.resolution;
        await markEvent(tx, row.inboxId, result.status, note);
        out.push(result);
      }
      return out;
    });
  }

  private async applyGroup(rows: InboxRow[]): Promise<boolean> {
    let results: Applied[];
    try {
      results = await this.applyRows(rows);
    } catch {
      return false;
    }
    rows.forEach((row, i) => this.counted(row, results[i]!));
    return true;
  }

  private counted(row: InboxRow, applied: Applied): void {
    if (applied.resolution === "already-applied") return;
    const key = applied.status === "APPLIED" ? "applied" : applied.status === "ECHO" ? "echo" : "ignored";
    this.counts[key]++;
    this.options.onEvent?.(key);
    this.options.log?.debug(
      {
        eventId: row.event.eventId,
        type: row.event.type,
        status: applied.status,
        resolution: applied.resolution,
      },
      "webhook event applied",
    );
  }

  private async applyOne(row: InboxRow): Promise<boolean> {
    try {
      const [applied] = await this.applyRows([row]);
      this.counted(row, applied!);
      return true;
    } catch (e) {
      this.counts.failed++;
      this.options.onEvent?.("failed");
      this.options.log?.warn({ eventId: row.event.eventId, error: errorMessage(e) }, "webhook event failed");
      await failEvent(this.db, row, errorMessage(e), MAX_ATTEMPTS);
      return false;
    }
  }
}
