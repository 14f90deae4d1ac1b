import { EventEmitter } from "node:events";

/** Events the sync emits; logging, the progress display and (later) metrics listen (STYLE.md #5). */
export interface SyncEventMap {
  runStarted: [{ batchId: string; customers: string[] }];
  customerStarted: [{ batchId: string; customer: string }];
  progress: [{ customer: string; phase: "detect" | "push" | "subitems"; done: number }];
  adopted: [{ customer: string; orderKey: string; itemId: string }];
  rowFailed: [{ customer: string; orderKey: string; action: string; error: string; status: string }];
  customerDone: [{ batchId: string; customer: string; ok: boolean; error?: string; durationMs: number }];
  breakerStateChange: [{ from: string; to: string }];
  runDone: [{ batchId: string; status: string; durationMs: number }];
}

/** A typed event emitter for {@link SyncEventMap}. */
export class SyncEvents extends EventEmitter<SyncEventMap> {}
