import { EventEmitter } from "node:events";
import type { SyncCounts } from "./counts.js";

/** The steps of a customer's run (DESIGN's pipeline, each in `src/sync/steps/<step>.ts`), in order. */
export const SYNC_STEPS = [
  "reconcile",
  "read",
  "detect",
  "validate",
  "stage",
  "push",
  "record",
  "clear",
] as const;

/** One step of a customer's run, timed for metrics and logs. */
export type SyncStep = (typeof SYNC_STEPS)[number];

/** Events the sync emits; logging, the progress display and (later) metrics listen (STYLE.md #5). */
export interface SyncEventMap {
  runStarted: [{ batchId: string; customers: string[] }];
  customerStarted: [{ batchId: string; customer: string }];
  /** `staged` (detect): rows staged for the push so far, the push's total. */
  progress: [{ customer: string; phase: "detect" | "push" | "subitems"; done: number; staged?: number }];
  adopted: [{ customer: string; orderKey: string; itemId: string }];
  /**
   * The customer's board compared with the sync state before the run: its active items (`items_count`) and
   * the state's; when they differ, what a key scan found: items on the board the state does not know
   * (`unknown`), and the customer's orders whose item is gone from the board (`missing`: their state is
   * dropped and they are created again).
   */
  boardChecked: [
    {
      customer: string;
      boardId: string;
      itemsOnBoard: number | null;
      itemsInState: number;
      scanned: boolean;
      unknown: number;
      missing: number;
      /** Fields whose board value differs from the state's (only `order-sync reconcile` compares values). */
      differ?: number;
    },
  ];
  rowFailed: [{ customer: string; orderKey: string; action: string; error: string; status: string }];
  /** A bulk import job ended (issue 18): its kind, monday's last state, its counts and failure. */
  bulkJobDone: [
    {
      customer: string;
      jobId: string;
      kind: string;
      status: string;
      rows: number;
      created: number;
      failureReason: string | null;
    },
  ];
  /** A row a bulk job did not import; the order goes the mutation way. */
  bulkRowRejected: [{ customer: string; orderKey: string; reason: string }];
  /**
   * A step of a customer's run: its time summed over the customer's pages and requests, once per step
   * that ran; `ok: false` for the step that ended the run by failing.
   */
  stepDone: [{ batchId: string; customer: string; step: SyncStep; durationMs: number; ok: boolean }];
  /** `skipped`: another process held the customer's lease; `stopped`: shutdown or a lost lease. */
  customerDone: [
    {
      batchId: string;
      customer: string;
      ok: boolean;
      skipped?: boolean;
      stopped?: boolean;
      error?: string;
      durationMs: number;
      counts: SyncCounts;
    },
  ];
  breakerStateChange: [{ from: string; to: string }];
  runDone: [{ batchId: string; status: string; durationMs: number; exitCode: number }];
  /** A run that failed before it could start (config, source, database, monday unreachable). */
  runFailed: [{ batchId?: string; error: string; durationMs: number }];
}

/** Handlers for some of the sync's events, each typed by its event. */
export type SyncEventHandlers = { [K in keyof SyncEventMap]?: (...args: SyncEventMap[K]) => void };

/** A typed event emitter for {@link SyncEventMap}: the hub the sync emits into and observe/ listens to. */
export class SyncEvents extends EventEmitter<SyncEventMap> {
  /**
   * Subscribes every handler at once; returns the function that removes them all.
   *
   * @example const off = events.subscribe({ runDone: (e) => log.info(e.status) }); … off();
   */
  subscribe(handlers: SyncEventHandlers): () => void {
    // Object.entries loses the pairing of each name with its handler's type; the mapped type above keeps it.
    const entries = Object.entries(handlers) as [keyof SyncEventMap, (...args: unknown[]) => void][];
    for (const [name, fn] of entries) this.on(name, fn as never);
    return () => {
      for (const [name, fn] of entries) this.off(name, fn as never);
    };
  }
}
