// The bulk import's root fields: `ingest_items`, `backfill_items` (mutations) and `fetch_job_status` (query).
import type { MutationResolver, RequestContext } from "../resolvers.js";
import type { Args } from "../resolvers/args.js";
import { jobCounts, type BulkJob, type BulkJobBook, type OnMatch } from "./book.js";
import type { BulkKind } from "./limits.js";

function startJob(kind: BulkKind): MutationResolver {
  return (args, ctx) => {
    const book = ctx.bulk;
    const onMatch = (args.on_match ?? undefined) as OnMatch | undefined;
    const job = book.start(kind, String(args.board_id), String(args.group_id), ctx.actor.user.id, onMatch);
    return {
      result: { job_id: job.id, upload_url: book.uploadUrl(job) },
      logged: { boardId: job.boardId },
    };
  };
}

/** `ingest_items(board_id, group_id, on_match)` and `backfill_items(board_id, group_id)` → `UploadJobInit`. */
export const BULK_MUTATIONS: Readonly<Record<string, MutationResolver>> = {
  ingest_items: startJob("ingest"),
  backfill_items: startJob("backfill"),
};

/** `ItemsJobStatus` of a job; a finished job's report URL is fresh on each call (valid 10 minutes). */
function jobStatusView(book: BulkJobBook, job: BulkJob) {
  const counts = jobCounts(job);
  const valid = job.rows.length - counts.invalid!;
  const done = job.status === "COMPLETED";
  return {
    __typename: "ItemsJobStatus",
    status: job.status,
    counts,
    progress_percentage: done ? 100 : valid > 0 ? Math.floor((job.processed / valid) * 100) : 0,
    failure_reason: job.failureReason,
    failure_message: job.failureMessage,
    fully_imported: done && counts.invalid === 0 && counts.failed === 0 && counts.skipped === 0,
    report_created: done,
    report_url: done ? book.reportUrl(job) : null,
  };
}

/** `fetch_job_status(job_id)`: the job processed up to now. */
export const BULK_QUERIES: Readonly<Record<string, (args: Args, ctx: RequestContext) => unknown>> = {
  fetch_job_status: (args, ctx) => {
    const book = ctx.bulk;
    return jobStatusView(book, book.get(String(args.job_id)));
  },
};
