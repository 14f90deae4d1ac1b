/**
 * The account's bulk import jobs (API 2026-07+, API-FACTS "Bulk import"): started by `ingest_items` /
 * `backfill_items`, fed by a `PUT` of the CSV to the upload URL, processed at a configurable rate on the
 * emulator's clock, polled with `fetch_job_status`, with a report once done.
 */
import { randomBytes } from "node:crypto";
import type { EmulatorClock } from "../clock.js";
import {
  InvalidArgumentError,
  JobStartLimitError,
  MondayApiError,
  ResourceNotFoundError,
} from "../errors.js";
import type { BoardRecord } from "../records.js";
import { MAX_ITEMS_PER_BOARD, type EmulatorStore } from "../store.js";
import {
  DEFAULT_ROWS_PER_SECOND,
  HourWindow,
  INGEST_ITEMS_PER_HOUR,
  JOB_STARTS_PER_HOUR,
  MAX_FILE_BYTES,
  ROWS_PER_JOB,
  URL_TTL_MS,
  type BulkKind,
} from "./limits.js";
import { readImportRows, UploadError, type ImportRow, type RowOutcome } from "./rows.js";

/** `BulkImportState` (2026-10; 2027-01 adds QUEUED and CANCELLED). */
export type BulkImportState = "UPLOAD_PENDING" | "REJECTED" | "PROCESSING" | "COMPLETED" | "FAILED";
/** `BulkImportFailureReason`. */
export type BulkFailureReason =
  | "INVALID_UPLOAD"
  | "AUTHORIZATION_FAILED"
  | "PERMISSION_DENIED"
  | "BOARD_CAPACITY_EXCEEDED"
  | "ACCOUNT_CAPACITY_EXCEEDED"
  | "FILE_TOO_LARGE"
  | "INTERNAL_ERROR";

/** `OnMatchInput` of `ingest_items`. */
export interface OnMatch {
  match_column_id: string;
  behaviour: "UPSERT" | "SKIP";
}

/** One job. */
export interface BulkJob {
  id: string;
  kind: BulkKind;
  boardId: string;
  groupId: string;
  userId: string;
  onMatch: OnMatch | undefined;
  status: BulkImportState;
  failureReason: BulkFailureReason | null;
  failureMessage: string | null;
  /** The secret part of the upload URL; valid until `uploadExpiresAt` (emulator ms). */
  uploadToken: string;
  uploadExpiresAt: number;
  /**
   * When processing starts or started (emulator ms): the upload, or later when the account's
   * `concurrentJobs` are all busy then (the job shows PROCESSING at 0% until its turn).
   */
  startedAt: number | undefined;
  rows: ImportRow[];
  /** Valid rows processed so far. */
  processed: number;
  /** Report URLs handed out: token → expiry (emulator ms). */
  reportTokens: Map<string, number>;
}

/** Settings of the bulk lane (`startEmulator({ bulkRowsPerSecond })`). */
export interface BulkSettings {
  /** Rows a second a job processes, in emulator time (undocumented on monday). */
  rowsPerSecond: number;
  /**
   * Jobs the account processes at once; unset: no limit, every job from its upload (undocumented on
   * monday, like whether jobs of different boards or groups run side by side).
   */
  concurrentJobs?: number;
}

/** Counters for benches and tests. */
export interface BulkStats {
  jobsStarted: number;
  uploads: number;
  rowsCreated: number;
}

const token = () => randomBytes(12).toString("hex");

/** The jobs, the job-start limit and the hourly ingest budget. */
export class BulkJobBook {
  private readonly jobs = new Map<string, BulkJob>();
  private readonly starts: HourWindow;
  private readonly ingested: HourWindow;
  private nextId = 1;
  /** `http://host:port` of the emulator; set once it listens. */
  origin = "http://127.0.0.1";
  settings: BulkSettings = { rowsPerSecond: DEFAULT_ROWS_PER_SECOND };
  readonly stats: BulkStats = { jobsStarted: 0, uploads: 0, rowsCreated: 0 };

  constructor(
    private readonly store: EmulatorStore,
    private readonly clock: EmulatorClock,
    private readonly isAdmin: (userId: string) => boolean,
  ) {
    const now = () => clock.now();
    this.starts = new HourWindow(JOB_STARTS_PER_HOUR, now);
    this.ingested = new HourWindow(INGEST_ITEMS_PER_HOUR, now);
  }

  /** Items the account may still ingest this hour. */
  ingestRemaining(): number {
    return this.ingested.remaining();
  }

  /**
   * Starts a job (UPLOAD_PENDING). Backfill by a user who is not an admin is REJECTED with PERMISSION_DENIED
   * (backfill is "account admins only"); that start does not count against the 100 an hour.
   */
  start(kind: BulkKind, boardId: string, groupId: string, userId: string, onMatch?: OnMatch): BulkJob {
    const board = this.store.getBoard(boardId);
    if (board.parentBoardId) throw new InvalidArgumentError("bulk import goes to a top-level board");
    this.store.getGroup(board, groupId);
    if (onMatch) this.store.getColumn(board, onMatch.match_column_id);
    const denied = kind === "backfill" && !this.isAdmin(userId);
    if (!denied && this.starts.remaining() <= 0)
      throw new JobStartLimitError(
        this.clock.realSeconds(this.starts.waitFor(1)) * 1000,
        JOB_STARTS_PER_HOUR,
      );
    const job = this.newJob(kind, board.id, groupId, userId, onMatch);
    if (denied) this.reject(job, "PERMISSION_DENIED", "backfill_items is for account admins only");
    else {
      this.starts.add(1);
      this.stats.jobsStarted++;
    }
    return job;
  }

  private newJob(
    kind: BulkKind,
    boardId: string,
    groupId: string,
    userId: string,
    onMatch?: OnMatch,
  ): BulkJob {
    const job: BulkJob = {
      id: String(this.nextId++),
      kind,
      boardId,
      groupId,
      userId,
      onMatch,
      status: "UPLOAD_PENDING",
      failureReason: null,
      failureMessage: null,
      uploadToken: token(),
      uploadExpiresAt: this.clock.now() + URL_TTL_MS,
      startedAt: undefined,
      rows: [],
      processed: 0,
      reportTokens: new Map(),
    };
    this.jobs.set(job.id, job);
    return job;
  }

  /** The upload URL of a job (what the start returns). */
  uploadUrl(job: BulkJob): string {
    return `${this.origin}/__bulk/upload/${job.id}?X-Amz-Expires=600&X-Amz-Signature=${job.uploadToken}`;
  }

  /** The job `id`, processed up to now; `ResourceNotFoundException` when there is none. */
  get(id: string): BulkJob {
    const job = this.jobs.get(id);
    if (!job) throw new ResourceNotFoundError("Job", id);
    this.advance(job);
    return job;
  }

  /** A job by id without advancing it (the upload and report endpoints). */
  find(id: string): BulkJob | undefined {
    return this.jobs.get(id);
  }

  /** Processes every running job up to now (called before each API request runs). */
  advanceAll(): void {
    for (const job of this.jobs.values()) this.advance(job);
  }

  /** A fresh report URL for a finished job, valid 10 minutes. */
  reportUrl(job: BulkJob): string {
    const secret = token();
    job.reportTokens.set(secret, this.clock.now() + URL_TTL_MS);
    return `${this.origin}/__bulk/report/${job.id}?X-Amz-Signature=${secret}`;
  }

  /** Whether a report token of the job is still valid. */
  reportValid(job: BulkJob, secret: string): boolean {
    const expires = job.reportTokens.get(secret);
    return expires !== undefined && expires > this.clock.now();
  }

  /** Whether an upload to the job is still possible with this token. */
  uploadValid(job: BulkJob, secret: string): boolean {
    return secret === job.uploadToken && this.clock.now() <= job.uploadExpiresAt;
  }

  /** Takes the uploaded file: validates it, then the job is PROCESSING (or REJECTED with a reason). */
  accept(job: BulkJob, bytes: Buffer): void {
    this.stats.uploads++;
    if (job.status !== "UPLOAD_PENDING") return;
    if (bytes.length > MAX_FILE_BYTES)
      return this.reject(job, "FILE_TOO_LARGE", "The uploaded file exceeded the 150 MB maximum");
    const board = this.store.getBoard(job.boardId);
    try {
      job.rows = this.readRows(job, board, bytes);
    } catch (error) {
      if (!(error instanceof UploadError)) throw error;
      return this.reject(job, "INVALID_UPLOAD", error.message);
    }
    const limitFailure = this.capacityFailure(job, board);
    if (limitFailure) return this.reject(job, limitFailure[0], limitFailure[1]);
    if (job.kind === "ingest") this.ingested.add(this.validRows(job).length);
    job.status = "PROCESSING";
    job.startedAt = this.slotFrom(this.clock.now());
  }

  /** Emulator ms a job holds its slot: its valid rows at the rate (fixed when it starts). */
  private runMs(job: BulkJob): number {
    return (this.validRows(job).length * 1000) / this.settings.rowsPerSecond;
  }

  /**
   * When a job uploaded at `at` starts processing: at once without a `concurrentJobs` limit, else once
   * fewer than that many jobs uploaded before it still process (every earlier job has its start already).
   */
  private slotFrom(at: number): number {
    const limit = this.settings.concurrentJobs;
    if (limit === undefined) return at;
    const busy = [...this.jobs.values()]
      .filter((j) => j.status === "PROCESSING" && j.startedAt !== undefined)
      .map((j) => ({ from: j.startedAt!, to: j.startedAt! + this.runMs(j) }));
    let t = at;
    for (;;) {
      const running = busy.filter((b) => b.from <= t && b.to > t);
      if (running.length < limit) return t;
      t = Math.min(...running.map((b) => b.to));
    }
  }

  private readRows(job: BulkJob, board: BoardRecord, bytes: Buffer): ImportRow[] {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: false });
    const rows = readImportRows(text, {
      board,
      subitemsBoard: board.subitemsBoardId ? this.store.getBoard(board.subitemsBoardId) : undefined,
      matchColumnId: job.onMatch?.match_column_id,
      emailToId: () => undefined,
      now: this.store.now(),
    });
    const limit = ROWS_PER_JOB[job.kind];
    if (rows.length > limit)
      throw new UploadError(`the file holds ${rows.length} rows; a ${job.kind} job takes at most ${limit}`);
    return rows;
  }

  /** The board's 10,000 items, and (ingest) the 19,000 items an hour: a job that does not fit is rejected whole. */
  private capacityFailure(job: BulkJob, board: BoardRecord): [BulkFailureReason, string] | undefined {
    const valid = this.validRows(job);
    const items = valid.filter((r) => r.parentRow === undefined).length;
    const live = this.store.itemsOfBoard(board.id, ["active", "archived"]).length;
    if (live + items > MAX_ITEMS_PER_BOARD)
      return ["BOARD_CAPACITY_EXCEEDED", `the board would hold more than ${MAX_ITEMS_PER_BOARD} items`];
    if (job.kind === "ingest" && valid.length > this.ingested.remaining())
      return [
        "ACCOUNT_CAPACITY_EXCEEDED",
        `the job holds ${valid.length} valid rows; ${this.ingested.remaining()} of the ${INGEST_ITEMS_PER_HOUR} items an hour remain`,
      ];
    return undefined;
  }

  private validRows(job: BulkJob): ImportRow[] {
    return job.rows.filter((r) => r.outcome !== "invalid");
  }

  private reject(job: BulkJob, reason: BulkFailureReason, message: string): void {
    job.status = "REJECTED";
    job.failureReason = reason;
    job.failureMessage = message;
  }

  /** Processes the rows due by now at the job's rate. */
  private advance(job: BulkJob): void {
    if (job.status !== "PROCESSING" || job.startedAt === undefined) return;
    const valid = this.validRows(job);
    const due = Math.min(
      valid.length,
      Math.max(0, Math.floor(((this.clock.now() - job.startedAt) * this.settings.rowsPerSecond) / 1000)),
    );
    const byRow = new Map(job.rows.map((r) => [r.row, r]));
    this.store.actingAs(job.userId, () => {
      for (; job.processed < due; job.processed++) this.importRow(job, valid[job.processed]!, byRow);
    });
    if (job.processed >= valid.length) job.status = "COMPLETED";
  }

  private importRow(job: BulkJob, row: ImportRow, byRow: ReadonlyMap<number, ImportRow>): void {
    try {
      const outcome =
        row.parentRow === undefined ? this.importItem(job, row) : this.importSubitem(row, byRow);
      row.outcome = outcome;
      if (outcome === "created") this.stats.rowsCreated++;
    } catch (error) {
      if (!(error instanceof MondayApiError)) throw error;
      row.outcome = "failed";
      row.reason = error.message.split(". Please check")[0];
    }
  }

  private importItem(job: BulkJob, row: ImportRow): RowOutcome {
    const match = job.onMatch && row.matchText !== undefined ? this.matchOf(job, row.matchText) : undefined;
    if (match && job.onMatch?.behaviour === "SKIP") return "skipped";
    if (match) {
      const clears = Object.fromEntries(row.clears.map((id) => [id, null]));
      this.store.changeColumnValues(job.boardId, match, { ...row.values, ...clears, name: row.name });
      row.itemId = match;
      return "updated";
    }
    const item = this.store.createItem({
      boardId: job.boardId,
      groupId: job.groupId,
      name: row.name,
      columnValues: row.values,
    });
    row.itemId = item.id;
    return "created";
  }

  private importSubitem(row: ImportRow, byRow: ReadonlyMap<number, ImportRow>): RowOutcome {
    const parent = byRow.get(row.parentRow ?? -1)?.itemId;
    if (parent === undefined) {
      row.reason = "its item row was not imported";
      return "failed";
    }
    // Subitems are create-only (no on_match).
    row.itemId = this.store.createSubitem(parent, { name: row.name, columnValues: row.values }).id;
    return "created";
  }

  /** `on_match` over the whole board: the most recently created item whose match column reads `text`. */
  private matchOf(job: BulkJob, text: string): string | undefined {
    const columnId = job.onMatch!.match_column_id;
    const items = this.store.itemsOfBoard(job.boardId, ["active"]);
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!;
      const itemText = columnId === "name" ? item.name : item.values.get(columnId)?.text;
      if (itemText === text) return item.id;
    }
    return undefined;
  }
}

/** Counts of a job as `ItemsJobItemCounts` serves them. */
export function jobCounts(job: BulkJob): Record<string, number> {
  const count = (outcome: RowOutcome) => job.rows.filter((r) => r.outcome === outcome).length;
  return {
    submitted: job.rows.length,
    invalid: count("invalid"),
    skipped: count("skipped"),
    created: count("created"),
    updated: count("updated"),
    failed: count("failed"),
  };
}

/** Quotes a report cell as the import's own CSV does. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The job's report as CSV: one line a row that was not created or updated (`row` is the 1-based data row of
 * the uploaded file). What monday's report holds is not documented; it is not relied on to list item ids.
 */
export function jobReport(job: BulkJob): string {
  const lines = job.rows
    .filter((r) => r.outcome !== "created" && r.outcome !== "updated")
    .map((r) => [String(r.row), r.name, r.outcome ?? "", r.reason ?? ""].map(csvCell).join(","));
  return ["row,name,result,reason", ...lines].join("\n") + "\n";
}
