import { createLogUpdate } from "log-update";
import pc from "picocolors";
import type { SyncCounts, SyncEvents } from "../sync/index.js";
import type { GlobalOptions } from "./context.js";

/** Where a customer's run stands, as its live line shows it. */
type LineState = "waiting" | "running" | "done" | "failed" | "skipped" | "stopped";

interface CustomerLine {
  customer: string;
  state: LineState;
  phase: string;
  done: number;
  /** Rows to push, once detection has staged them (the push phase's total). */
  total?: number;
  /** What detection has staged so far. */
  staged: number;
  /** When the current phase began, and its count then (for the rate). */
  phaseStart: number;
  error?: string;
  /** When finished: what it did, e.g. `113 created, 565 subitems in 11.1 s`. */
  result?: string;
}

const COLOURS: Record<LineState, (s: string) => string> = {
  waiting: pc.dim,
  running: pc.cyan,
  done: pc.green,
  failed: pc.red,
  skipped: pc.yellow,
  stopped: pc.yellow,
};

/** A finished customer's counts in words, the zero ones left out. */
function resultOf(counts: SyncCounts, durationMs: number): string {
  const c = counts;
  const parts = [
    [c.created, "created"],
    [c.updated, "updated"],
    [c.archived, "archived"],
    [c.unchanged, "unchanged"],
    [c.failed + c.dead, "failed"],
    [c.quarantined, "quarantined"],
    [c.subitemsCreated + c.subitemsUpdated + c.subitemsArchived, "subitems"],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, what]) => `${n} ${what}`);
  return `${parts.join(", ") || "nothing to do"} in ${(durationMs / 1000).toFixed(1)} s`;
}

/** `1m 05s`, `12s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/**
 * The live display of a sync on a terminal: one line per customer (phase, done/total, percentage, rate,
 * time left, coloured by state), redrawn at most ten times a second through `log-update`. Anything else
 * written to the terminal goes through {@link LiveProgress.print}, which clears the lines first and
 * draws them again below, so log lines never run into them.
 */
export class LiveProgress {
  private readonly lines = new Map<string, CustomerLine>();
  private readonly update: ReturnType<typeof createLogUpdate>;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.update = createLogUpdate(stream, { showCursor: true });
  }

  /** Follows a run's events; returns the function that stops following and clears the lines. */
  attach(events: SyncEvents): () => void {
    const off = events.subscribe({
      runStarted: (e) => {
        for (const c of e.customers) this.line(c);
      },
      customerStarted: (e) => this.set(e.customer, { state: "running", phase: "reconcile" }),
      progress: (e) => this.progress(e.customer, e.phase, e.done, e.staged),
      customerDone: (e) => {
        const state: LineState = e.skipped ? "skipped" : e.stopped ? "stopped" : e.ok ? "done" : "failed";
        this.set(e.customer, {
          state,
          result: resultOf(e.counts, e.durationMs),
          ...(e.error ? { error: e.error } : {}),
        });
      },
    });
    this.timer = setInterval(() => this.render(), 100);
    this.timer.unref();
    return () => {
      off();
      this.stop();
    };
  }

  /** Writes text above the live lines (a log line, a message): clear, write, draw again. */
  print(text: string): void {
    if (this.stopped) {
      this.stream.write(text);
      return;
    }
    this.update.clear();
    this.stream.write(text);
    this.render();
  }

  /** The lines as they are drawn now (without colour when the stream has none). */
  frame(): string {
    const width = Math.max(40, (this.stream.columns ?? 100) - 1);
    const name = Math.min(24, Math.max(8, ...[...this.lines.keys()].map((c) => c.length)));
    return [...this.lines.values()]
      .map((l) => {
        const text = `${l.customer.slice(0, name).padEnd(name)}  ${this.describe(l)}`.slice(0, width);
        return COLOURS[l.state](text);
      })
      .join("\n");
  }

  /** Stops redrawing and removes the lines (the summary is printed after). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.update.clear();
    this.update.done();
  }

  private render(): void {
    if (!this.stopped && this.lines.size) this.update(this.frame());
  }

  private line(customer: string): CustomerLine {
    let l = this.lines.get(customer);
    if (!l) {
      l = { customer, state: "waiting", phase: "waiting", done: 0, staged: 0, phaseStart: this.now() };
      this.lines.set(customer, l);
    }
    return l;
  }

  private set(customer: string, change: Partial<CustomerLine>): void {
    Object.assign(this.line(customer), change);
  }

  private progress(customer: string, phase: string, done: number, staged?: number): void {
    const l = this.line(customer);
    if (l.phase !== phase) {
      // The push works through what detection staged (leftovers of an earlier run may add a few).
      l.total = phase === "push" && l.staged > 0 ? l.staged : undefined;
      l.phase = phase;
      l.phaseStart = this.now();
    }
    if (staged !== undefined) l.staged = staged;
    if (l.total !== undefined && done > l.total) l.total = done;
    l.state = "running";
    l.done = done;
  }

  private describe(l: CustomerLine): string {
    if (l.state === "waiting") return "waiting";
    if (l.state === "done") return `done      ${l.result ?? ""}`;
    if (l.state !== "running") return `${l.state}${l.error ? `: ${l.error.split("\n")[0]}` : ""}`;
    const elapsed = Math.max(1, this.now() - l.phaseStart);
    const rate = (l.done * 1000) / elapsed;
    const parts = [l.phase.padEnd(9), l.total ? `${l.done}/${l.total}` : String(l.done)];
    if (l.total) parts.push(`${Math.min(100, Math.round((100 * l.done) / l.total))}%`);
    if (l.done > 0) parts.push(`${rate.toFixed(rate < 10 ? 1 : 0)}/s`);
    if (l.total && rate > 0) parts.push(`~${formatDuration(((l.total - l.done) / rate) * 1000)} left`);
    return parts.join("  ");
  }
}

/**
 * The live display, on a terminal only (one whose width is known: log-update wraps to it), and not with
 * `--json` or `--quiet`.
 */
export function liveFor(
  global: GlobalOptions,
  stream: NodeJS.WriteStream = process.stderr,
): LiveProgress | undefined {
  return stream.isTTY && (stream.columns ?? 0) > 0 && !global.json && !global.quiet
    ? new LiveProgress(stream)
    : undefined;
}
