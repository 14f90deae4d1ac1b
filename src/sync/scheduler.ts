import { Cron } from "croner";
import { errorMessage } from "../errors/index.js";
import type { RunOptions, SyncSummary } from "./engine.js";
import { newBatchId } from "./prepare.js";

/** When runs start: a fixed interval, or a cron expression. */
export type Schedule =
  | { kind: "interval"; seconds: number; runOnStart: boolean }
  | { kind: "cron"; expression: string; timezone?: string; runOnStart: boolean };

/** Why a run started. */
export type Trigger = "schedule" | "start" | "api" | "dashboard";

/** The run in progress, as `/api/sync` and the logs describe it. */
export interface ActiveRun {
  batchId: string;
  trigger: Trigger;
  customers?: readonly string[];
  startedAt: string;
}

/** What {@link SyncScheduler.trigger} did. */
export type TriggerResult =
  | { started: true; run: ActiveRun; done: Promise<SyncSummary | undefined> }
  | { started: false; reason: "running"; run: ActiveRun }
  | { started: false; reason: "stopping" };

export interface SchedulerDeps {
  /** Runs one sync (`runSync` bound to the process's settings, database and monday port). */
  run(options: RunOptions): Promise<SyncSummary>;
  /** A run that threw (config, source or database trouble): logged, and the schedule goes on. */
  onError?(error: unknown, run: ActiveRun): void;
  onRunStart?(run: ActiveRun): void;
}

/**
 * Starts sync runs on a schedule and on demand, one at a time in this process (runs of other processes
 * are kept apart per customer by the database lease). A tick that finds a run in progress is skipped,
 * never queued, so a slow run cannot pile runs up. `stop()` stops the schedule, asks the run in progress
 * to finish its request in flight and record it, and waits for it.
 *
 * @example
 * const scheduler = new SyncScheduler({ kind: "interval", seconds: 900, runOnStart: true }, { run: (o) => runSync(deps, o) });
 * scheduler.start();
 * process.on("SIGTERM", () => void scheduler.stop(120_000).then(() => process.exit(0)));
 */
export class SyncScheduler {
  #active:
    { run: ActiveRun; controller: AbortController; done: Promise<SyncSummary | undefined> } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #cron: Cron | undefined;
  #nextAt: Date | undefined;
  #stopping = false;
  #lastFinished: { run: ActiveRun; summary?: SyncSummary; error?: string; finishedAt: string } | undefined;

  constructor(
    readonly schedule: Schedule,
    private readonly deps: SchedulerDeps,
  ) {}

  /** Starts the schedule (and a first run if `runOnStart`). */
  start(): void {
    if (this.schedule.runOnStart) this.trigger("start");
    if (this.schedule.kind === "cron")
      this.#cron = new Cron(
        this.schedule.expression,
        { protect: true, ...(this.schedule.timezone ? { timezone: this.schedule.timezone } : {}) },
        () => void this.trigger("schedule"),
      );
    else this.#arm();
  }

  #arm(): void {
    if (this.schedule.kind !== "interval" || this.#stopping) return;
    this.#nextAt = new Date(Date.now() + this.schedule.seconds * 1000);
    this.#timer = setTimeout(() => {
      this.trigger("schedule");
      this.#arm();
    }, this.schedule.seconds * 1000);
  }

  /** When the schedule fires next (undefined once stopped). */
  nextRunAt(): Date | undefined {
    if (this.#stopping) return undefined;
    if (this.#cron) return this.#cron.nextRun() ?? undefined;
    return this.#nextAt;
  }

  /** The run in progress, if any. */
  get active(): ActiveRun | undefined {
    return this.#active?.run;
  }

  /** The last run that finished in this process. */
  get lastFinished() {
    return this.#lastFinished;
  }

  /** Starts a run now unless one is in progress or the scheduler is stopping. */
  trigger(trigger: Trigger, customers?: readonly string[]): TriggerResult {
    if (this.#stopping) return { started: false, reason: "stopping" };
    if (this.#active) return { started: false, reason: "running", run: this.#active.run };
    const run: ActiveRun = {
      batchId: newBatchId(),
      trigger,
      ...(customers?.length ? { customers } : {}),
      startedAt: new Date().toISOString(),
    };
    const controller = new AbortController();
    this.deps.onRunStart?.(run);
    const done = this.deps
      .run({
        batchId: run.batchId,
        command: trigger === "api" || trigger === "dashboard" ? `serve:${trigger}` : "serve",
        signal: controller.signal,
        ...(customers?.length ? { customers } : {}),
      })
      .then(
        (summary) => {
          this.#lastFinished = { run, summary, finishedAt: new Date().toISOString() };
          return summary;
        },
        (error: unknown) => {
          this.#lastFinished = {
            run,
            error: errorMessage(error),
            finishedAt: new Date().toISOString(),
          };
          this.deps.onError?.(error, run);
          return undefined;
        },
      )
      .finally(() => {
        this.#active = undefined;
      });
    this.#active = { run, controller, done };
    return { started: true, run, done };
  }

  /**
   * Stops the schedule and asks the run in progress to stop after its request in flight; resolves when
   * it has finished and been recorded, or after `graceMs` (then `timedOut` is true).
   */
  async stop(graceMs: number): Promise<{ timedOut: boolean; stoppedRun?: ActiveRun }> {
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#cron?.stop();
    const active = this.#active;
    if (!active) return { timedOut: false };
    active.controller.abort(new Error("the server is shutting down"));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      active.done.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]).finally(() => clearTimeout(timer));
    return { timedOut, stoppedRun: active.run };
  }
}
