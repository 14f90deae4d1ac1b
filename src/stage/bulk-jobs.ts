// `MON_BulkJobs` (issue 18, migration 0008_bulk_jobs): the bulk import jobs, the only SQL on the table.
import type { Db } from "../db/index.js";
import { nowIso } from "./staging.js";

/** One job as recorded. `status`: STARTED (CSV not uploaded yet), UPLOADED, then monday's last state. */
export interface BulkJobRecord {
  jobId: string;
  customer: string;
  batchId: string;
  boardId: string;
  groupId: string;
  kind: "ingest" | "backfill";
  status: string;
  rowCount: number;
  orderKeys: string[];
  startedAt: string;
  finishedAt: string | null;
}

const TABLE = "MON_BulkJobs" as const;

/** Records a started job before its CSV is uploaded (a crash after this finds the job on the next run). */
export async function recordBulkJob(
  db: Db,
  job: Omit<BulkJobRecord, "startedAt" | "finishedAt">,
): Promise<void> {
  await db.kysely
    .insertInto(TABLE)
    .values({
      job_id: job.jobId,
      customer: job.customer,
      batch_id: job.batchId,
      board_id: job.boardId,
      group_id: job.groupId,
      kind: job.kind,
      status: job.status,
      row_count: job.rowCount,
      order_keys: JSON.stringify(job.orderKeys),
      started_at: nowIso(),
    })
    .execute();
}

/** Moves a job on: UPLOADED, or finished with monday's last state, counts and failure. */
export async function markBulkJob(
  db: Db,
  jobId: string,
  patch: {
    status: string;
    finished?: boolean;
    counts?: Record<string, number>;
    failureReason?: string | null;
    failureMessage?: string | null;
  },
): Promise<void> {
  await db.kysely
    .updateTable(TABLE)
    .set({
      status: patch.status,
      ...(patch.finished && { finished_at: nowIso() }),
      ...(patch.counts && { counts: JSON.stringify(patch.counts) }),
      ...(patch.failureReason !== undefined && { failure_reason: patch.failureReason }),
      ...(patch.failureMessage !== undefined && { failure_message: patch.failureMessage }),
    })
    .where("job_id", "=", jobId)
    .execute();
}

/** The customer's jobs not known to have ended (a run that crashed while they ran left them). */
export async function unfinishedBulkJobs(db: Db, customer: string): Promise<BulkJobRecord[]> {
  const rows = await db.kysely
    .selectFrom(TABLE)
    .selectAll()
    .where("customer", "=", customer)
    .where("finished_at", "is", null)
    .orderBy("bulk_id")
    .execute();
  return rows.map((r) => ({
    jobId: r.job_id,
    customer: r.customer,
    batchId: r.batch_id,
    boardId: r.board_id,
    groupId: r.group_id,
    kind: r.kind === "backfill" ? "backfill" : "ingest",
    status: r.status,
    rowCount: Number(r.row_count),
    orderKeys: JSON.parse(r.order_keys) as string[],
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  }));
}

/** What the account's limits have left: job starts and ingested rows since `since` (an hour ago). */
export interface BulkUsage {
  starts: number;
  ingestRows: number;
}

/** Jobs started and rows ingested since `since` (ISO), by every customer of this database. */
export async function bulkUsageSince(db: Db, since: string): Promise<BulkUsage> {
  const rows = await db.kysely
    .selectFrom(TABLE)
    .select(["kind", "status", "row_count"])
    .where("started_at", ">", since)
    .execute();
  const ingested = rows.filter((r) => r.kind === "ingest" && r.status !== "REJECTED");
  return { starts: rows.length, ingestRows: ingested.reduce((n, r) => n + Number(r.row_count), 0) };
}
