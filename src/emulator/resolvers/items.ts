import { InvalidArgumentError } from "../errors.js";
import type { JobOutcome, JobRecord } from "../jobs.js";
import type { MutationResolver, RequestContext } from "../resolvers.js";
import type { EmulatorStore } from "../store.js";
import { list, requireItemId, type Args, type Views } from "./args.js";

/** monday's cap on `bulk_archive_items`' `item_ids` (the bulk mutations take up to 10,000 ids). */
const MAX_BULK_IDS = 10_000;

/** `AsyncJobStatus` for a job record. */
function jobStatusView(job: JobRecord) {
  return {
    id: job.id,
    status: job.status,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
    error: job.error,
    result: job.outcome && { total: job.total, ...job.outcome },
  };
}

/** Archives each live item of the board (with its subitems); ids that are not live items of it fail. */
function archiveItems(store: EmulatorStore, boardId: string, ids: readonly string[]): JobOutcome {
  const failedIds = ids.filter((id) => {
    const item = store.items.get(id);
    if (!item || item.boardId !== boardId || item.state !== "active") return true;
    store.setItemState(id, "archived");
    return false;
  });
  return {
    succeeded: ids.length - failedIds.length,
    failed: failedIds.length,
    details: { failed_item_ids: failedIds },
  };
}

/** Item mutations beyond the sync's own: `duplicate_item`, `bulk_archive_items` (an async job). */
export function itemMutations(views: Views): Record<string, MutationResolver> {
  return {
    duplicate_item: (args, ctx) => {
      const copy = ctx.store.duplicateItem(String(args.board_id), requireItemId(args));
      return { result: views.item(ctx, copy), logged: { itemId: copy.id } };
    },
    bulk_archive_items: (args, ctx) => {
      const board = ctx.store.getBoard(String(args.board_id));
      const ids = (list<unknown>(args.item_ids) ?? []).map(String);
      if (ids.length > MAX_BULK_IDS)
        throw new InvalidArgumentError(`bulk_archive_items takes at most ${MAX_BULK_IDS} item ids`, {
          max: MAX_BULK_IDS,
        });
      const job = ctx.store.jobs.start(ids.length, () => archiveItems(ctx.store, board.id, ids));
      return { result: { job_id: job.id }, logged: { boardId: board.id } };
    },
  };
}

/** `job_status(job_id)`: PENDING until the job runs, then COMPLETED (or FAILED) with its result. */
export function jobQueries(): Record<string, (args: Args, ctx: RequestContext) => unknown> {
  return {
    job_status: (args, ctx) => jobStatusView(ctx.store.jobs.get(String(args.job_id))),
  };
}
