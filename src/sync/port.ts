import type { OutcomeError } from "../errors/index.js";
import type { LiveBoard } from "../mapping/index.js";

/** One mutation the push step sends; several go into one aliased request. */
export type WriteOp =
  | {
      kind: "create_item";
      boardId: string;
      groupId: string;
      itemName: string;
      columnValues: Record<string, unknown>;
      createLabels: boolean;
    }
  | {
      kind: "change_columns";
      boardId: string;
      itemId: string;
      columnValues: Record<string, unknown>;
      createLabels: boolean;
    }
  | { kind: "move_item"; itemId: string; groupId: string }
  | {
      kind: "create_subitem";
      parentItemId: string;
      itemName: string;
      columnValues: Record<string, unknown>;
      createLabels: boolean;
    }
  | { kind: "archive_item"; itemId: string }
  | { kind: "delete_item"; itemId: string };

/**
 * The result of one op: its item id, or why it failed. `permanent` failures (monday rejected the data)
 * make the row DEAD; others leave it FAILED for the next attempt. `notFound`: the item the op names is gone
 * from the board (the record step drops its state, so the order is created again).
 */
export type WriteOutcome =
  { ok: true; id: string } | { ok: false; permanent: boolean; message: string; notFound?: boolean };

/** One cell as the board holds it: monday's display `text` and raw `value` JSON (parsed; null when empty). */
export interface BoardCell {
  text: string | null;
  value: unknown;
}

/**
 * An item found on a board by its key column, with its subitems (for crash reconciliation); its name,
 * group and cells too, for a rollback that compares the board with a batch's after-image.
 */
export interface FoundItem {
  id: string;
  key: string;
  /** `state`: monday's item state (`active`, `archived`, `deleted`), when read. */
  subitems: { id: string; name: string; state?: string | null; cells?: Record<string, BoardCell> }[];
  name?: string;
  groupTitle?: string | null;
  cells?: Record<string, BoardCell>;
}

/** An item as `reconcile` compares it: its key, name, group, every column's display text, its subitems. */
export interface BoardItem {
  id: string;
  key: string;
  name: string;
  group: string | null;
  /** Column id → the column's display text (null when empty). */
  texts: Record<string, string | null>;
  subitems: { id: string; name: string; texts: Record<string, string | null> }[];
}

/** A bulk import job's state as `fetch_job_status` gives it (API-FACTS "Bulk import"). */
export interface BulkJobState {
  status: string;
  counts: {
    submitted: number;
    invalid: number;
    skipped: number;
    created: number;
    updated: number;
    failed: number;
  };
  /** `progress_percentage` (0–100): paces the polls. */
  progressPercentage?: number;
  failureReason: string | null;
  failureMessage: string | null;
  reportUrl: string | null;
}

/** monday's bulk import (issue 18): start a job, upload its CSV, read its state and report. */
export interface BulkLane {
  start(
    kind: "ingest" | "backfill",
    boardId: string,
    groupId: string,
  ): Promise<{ jobId: string; uploadUrl: string }>;
  upload(uploadUrl: string, csv: string): Promise<void>;
  status(jobId: string): Promise<BulkJobState>;
  /** The report's lines: the 1-based data row of the file, its result and reason. */
  report(reportUrl: string): Promise<{ row: number; result: string; reason: string }[]>;
}

/**
 * What the sync engine needs from monday.com, and nothing else (STYLE.md #2: an injected shape).
 * `MondayClientPort` (`monday-adapter.ts`) implements it over HTTP; the emulator is reached the same way.
 */
export interface SyncMonday {
  getBoards(ids: string[]): Promise<LiveBoard[]>;
  findItemsByKey(boardId: string, keyColumnId: string, keys: string[]): Promise<FoundItem[]>;
  /** Active items of each board (`items_count`; null when monday does not say); a missing board is left out. */
  itemCounts?(boardIds: string[]): Promise<Map<string, number | null>>;
  /** Every active item of a board by its key column (that column only) with its subitems' ids and names. */
  scanKeys?(boardId: string, keyColumnId: string): Promise<FoundItem[]>;
  /** Every active item of a board with all its column values and subitems (`reconcile`'s full comparison). */
  listItems?(boardId: string, keyColumnId: string): Promise<BoardItem[]>;
  createGroup(boardId: string, title: string): Promise<{ id: string; title: string }>;
  /** Sends the ops as one request; one outcome per op, in order. Throws when the whole request fails. */
  write(ops: readonly WriteOp[], idempotencyKey?: string): Promise<WriteOutcome[]>;
  /** HTTP requests sent so far. */
  readonly requests: number;
  /** The bulk import lane, when the port offers it (`monday.bulk` chooses whether the sync uses it). */
  readonly bulk?: BulkLane;
  /** Most ops one request may carry (configured batch size within the per-query complexity cap). */
  readonly maxOpsPerRequest?: number;
  /** Retries, budget waits and the circuit breaker's state, for the run summary. */
  stats?(): MondayStats;
  /** Subscribes to circuit-breaker state changes; returns the unsubscribe function. */
  onBreakerStateChange?(listener: (e: { from: string; to: string }) => void): () => void;
}

/** What metrics and health checks read of monday.com (`observe/`); the pipeline never calls it. */
export interface MondayWatch {
  /** Subscribes to requests, retries, budget waits and breaker changes; returns the unsubscribe function. */
  observe?(observer: MondayObserver): () => void;
  /** The complexity budget as last known (`remaining` undefined until monday has said). */
  budget?(): { limit: number; remaining: number | undefined };
  /** One cheap authenticated request without retries (health checks); throws what monday answered. */
  ping?(): Promise<void>;
  /** Retries, budget waits and the circuit breaker's state. */
  stats?(): MondayStats;
}

/** monday.com as the app wires it: the pipeline's port and what observe/ reads. */
export type MondayPort = SyncMonday & MondayWatch;

/** What the monday.com layer reports as it works; metrics listen (core code never imports prom-client). */
export interface MondayObserver {
  /** Every HTTP request: its GraphQL operation, `"ok"` or the error class, and how long it took. */
  request?(e: {
    operation: string;
    outcome: string;
    httpStatus: number;
    durationMs: number;
    rateLimited: boolean;
  }): void;
  retry?(e: { errorClass: string; delayMs: number }): void;
  budgetWait?(e: { waitMs: number }): void;
  breaker?(e: { from: string; to: string }): void;
}

/** What the resilience layer did during a run. */
export interface MondayStats {
  requests: number;
  breakerState: "CLOSED" | "OPEN" | "HALF_OPEN";
  /** Retries by error class (`RateLimitError`, `ServerError`, `TimeoutError`, `NetworkError`). */
  retries: Record<string, number>;
  budgetWaits: number;
  budgetWaitMs: number;
}

/** A whole-request failure that ends the run: monday unreachable, or the token refused (exit code 4). */
export class MondayUnavailableError extends Error implements OutcomeError {
  override name = "MondayUnavailableError";
  readonly outcome = "unavailable";
}
