/**
 * The bulk import lane (API 2026-07+; API-FACTS "Bulk import", docs "Importing items in bulk"): start a job
 * with `ingest_items` or `backfill_items`, `PUT` the CSV to the upload URL, poll `fetch_job_status` until
 * the job ends, read the report. GraphQL goes through the same transport as every other call (budget,
 * retries, breaker); the upload and the report are plain HTTPS to monday's storage.
 */
import { loadDocument, type DocumentName } from "./documents.js";
import { classifyGraphQLError, MondayError, NotFoundError } from "./errors.js";
import { parseCsvRecords } from "./bulk-csv.js";
import type { MondayTransport } from "./transport.js";

/** `ingest_items` (any editor; counts toward 19,000 items an hour) or `backfill_items` (admins only). */
export type BulkLaneKind = "ingest" | "backfill";

/** Rows (parents and subitems) one job may hold (docs: 10,000 ingest, 20,000 backfill). */
export const BULK_ROWS_PER_JOB: Readonly<Record<BulkLaneKind, number>> = { ingest: 10_000, backfill: 20_000 };
/** Items an account may ingest an hour; backfill does not consume it. */
export const BULK_INGEST_PER_HOUR = 19_000;
/** Successful job starts an account an hour, ingest and backfill together. */
export const BULK_JOB_STARTS_PER_HOUR = 100;
/** An upload URL is valid for 10 minutes after the start. */
export const BULK_UPLOAD_TTL_MS = 10 * 60_000;
/** The docs suggest polling `fetch_job_status` about every 10 s. */
export const BULK_POLL_MS = 10_000;

/** `BulkImportState`; 2027-01 adds QUEUED and CANCELLED (treated as still running / ended). */
export type BulkJobState = "UPLOAD_PENDING" | "REJECTED" | "PROCESSING" | "COMPLETED" | "FAILED" | string;

/** States after which a job changes no more. */
export const BULK_TERMINAL_STATES: ReadonlySet<string> = new Set([
  "REJECTED",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
]);

/** `ItemsJobItemCounts`. */
export interface BulkJobCounts {
  submitted: number;
  invalid: number;
  skipped: number;
  created: number;
  updated: number;
  failed: number;
}

/** `ItemsJobStatus`, camel-cased. */
export interface BulkJobStatus {
  status: BulkJobState;
  counts: BulkJobCounts;
  progressPercentage: number;
  failureReason: string | null;
  failureMessage: string | null;
  fullyImported: boolean;
  reportCreated: boolean;
  reportUrl: string | null;
}

/** One line of a job's report: the 1-based data row of the file, what became of it, and why. */
export interface BulkReportRow {
  row: number;
  result: string;
  reason: string;
}

/** The upload or the report failed at the storage (an expired URL is S3's 403). */
export class BulkTransferError extends MondayError {
  override name = "BulkTransferError";
  override get retryable(): boolean {
    return (this.statusCode ?? 0) >= 500;
  }
}

/** Options of {@link BulkImportClient}. */
export interface BulkClientOptions {
  /** The HTTP client for the upload and the report; default the global `fetch` (undici). */
  fetch?: typeof fetch;
  /** Between two polls; default {@link BULK_POLL_MS}. */
  pollMs?: number;
  /** Waits between polls (tests inject fake timers). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface RawStatus {
  status: string | null;
  counts: Partial<BulkJobCounts> | null;
  progress_percentage: number | null;
  failure_reason: string | null;
  failure_message: string | null;
  fully_imported: boolean | null;
  report_created: boolean | null;
  report_url: string | null;
}

const COUNT_KEYS = ["submitted", "invalid", "skipped", "created", "updated", "failed"] as const;

function toStatus(raw: RawStatus): BulkJobStatus {
  const counts = Object.fromEntries(
    COUNT_KEYS.map((k) => [k, raw.counts?.[k] ?? 0]),
  ) as unknown as BulkJobCounts;
  return {
    status: raw.status ?? "UPLOAD_PENDING",
    counts,
    progressPercentage: raw.progress_percentage ?? 0,
    failureReason: raw.failure_reason,
    failureMessage: raw.failure_message,
    fullyImported: raw.fully_imported === true,
    reportCreated: raw.report_created === true,
    reportUrl: raw.report_url,
  };
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

/**
 * The three steps of a bulk import over a transport.
 *
 * @example
 * const bulk = new BulkImportClient(transport);
 * const { jobId, uploadUrl } = await bulk.start("backfill", boardId, groupId);
 * await bulk.upload(uploadUrl, csv);
 * const done = await bulk.waitForEnd(jobId);
 */
export class BulkImportClient {
  private readonly fetch: typeof fetch;
  private readonly pollMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(
    private readonly transport: MondayTransport,
    options: BulkClientOptions = {},
  ) {
    this.fetch = options.fetch ?? fetch;
    this.pollMs = options.pollMs ?? BULK_POLL_MS;
    this.sleep = options.sleep ?? abortableSleep;
  }

  /** Starts a job for one board and group; returns its id and the upload URL (valid 10 minutes). */
  async start(
    kind: BulkLaneKind,
    boardId: string,
    groupId: string,
  ): Promise<{ jobId: string; uploadUrl: string }> {
    const name: DocumentName = kind === "ingest" ? "IngestItems" : "BackfillItems";
    const field = kind === "ingest" ? "ingest_items" : "backfill_items";
    const data = await this.query<
      Record<string, { job_id: string | null; upload_url: string | null } | null>
    >(name, { boardId, groupId });
    const init = data[field];
    if (!init?.job_id || !init.upload_url) throw new NotFoundError(`monday.com started no ${kind} job`);
    return { jobId: String(init.job_id), uploadUrl: init.upload_url };
  }

  /**
   * `PUT`s the file with `Content-Type: text/csv` (and no `x-amz-checksum-crc32`, which S3 answers 403);
   * returns the ETag of the 200.
   */
  async upload(uploadUrl: string, csv: string, signal?: AbortSignal): Promise<string> {
    const res = await this.fetch(uploadUrl, {
      method: "PUT",
      headers: { "Content-Type": "text/csv" },
      body: Buffer.from(csv, "utf8"),
      signal,
    });
    await res.arrayBuffer();
    if (!res.ok)
      throw new BulkTransferError(`bulk upload refused (HTTP ${res.status})`, { statusCode: res.status });
    return res.headers.get("etag") ?? "";
  }

  /** The job's state now. */
  async status(jobId: string): Promise<BulkJobStatus> {
    const data = await this.query<{ fetch_job_status: RawStatus | null }>("FetchJobStatus", { jobId });
    if (!data.fetch_job_status) throw new NotFoundError(`bulk job ${jobId} not found`);
    return toStatus(data.fetch_job_status);
  }

  /** Polls the job until it is REJECTED, COMPLETED or FAILED (a running job cannot be cancelled). */
  async waitForEnd(
    jobId: string,
    options: { signal?: AbortSignal; onPoll?: (s: BulkJobStatus) => void } = {},
  ): Promise<BulkJobStatus> {
    for (;;) {
      const status = await this.status(jobId);
      options.onPoll?.(status);
      if (BULK_TERMINAL_STATES.has(status.status)) return status;
      await this.sleep(this.pollMs, options.signal);
    }
  }

  /** The report's lines (row, result, reason); what monday's report holds beyond that is not documented. */
  async readReport(reportUrl: string, signal?: AbortSignal): Promise<BulkReportRow[]> {
    const res = await this.fetch(reportUrl, { signal });
    const text = await res.text();
    if (!res.ok)
      throw new BulkTransferError(`bulk report refused (HTTP ${res.status})`, { statusCode: res.status });
    const [header, ...records] = parseCsvRecords(text);
    const at = (name: string) => header?.indexOf(name) ?? -1;
    const [row, result, reason] = [at("row"), at("result"), at("reason")];
    return records
      .filter((r) => Number(r[row]) > 0)
      .map((r) => ({ row: Number(r[row]), result: r[result] ?? "", reason: r[reason] ?? "" }));
  }

  private async query<T>(name: DocumentName, variables: Record<string, unknown>): Promise<T> {
    const response = await this.transport.request<T>(loadDocument(name), variables);
    const [first] = response.errors;
    if (first !== undefined)
      throw classifyGraphQLError(first, response.status, { "x-request-id": response.headers.requestId });
    if (response.data === null) throw new NotFoundError(`monday.com returned no data for ${name}`);
    return response.data;
  }
}
