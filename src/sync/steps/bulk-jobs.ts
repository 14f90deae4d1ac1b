/**
 * The bulk lane's jobs (issue 18; API-FACTS "Bulk import"): which NEW orders a job takes, the CSV, the
 * start → record → upload order that makes a crash recoverable, and polling a job to its end.
 */
import {
  BULK_INGEST_PER_HOUR,
  BULK_JOB_STARTS_PER_HOUR,
  BULK_ROWS_PER_JOB,
  BULK_TERMINAL_STATES,
  BULK_UPLOAD_TTL_MS,
  importable,
  importCsv,
  rowCount,
  type CsvColumn,
  type CsvParent,
} from "../../monday/index.js";
import type { ResolvedColumn } from "../../mapping/index.js";
import {
  bulkUsageSince,
  markBulkJob,
  recordBulkJob,
  type BulkJobRecord,
  type StagedOrder,
  type StagedSubitem,
} from "../../stage/index.js";
import type { CustomerRunContext } from "../customer-context.js";
import { StoppedError } from "../errors.js";
import type { BulkJobState, BulkLane } from "../port.js";

/** The lane a job uses: `ingest_items` or `backfill_items`. */
export type JobKind = "ingest" | "backfill";

/** A job this run started, with the staged rows its file holds (in file order). */
export interface RunningJob {
  jobId: string;
  kind: JobKind;
  orders: StagedOrder[];
  subitems: Map<number, StagedSubitem[]>;
  rows: number;
}

const HOUR_MS = 60 * 60_000;

/** The kind of job `monday.bulk` asks for, or undefined when the lane is off. */
export function jobKindOf(ctx: CustomerRunContext): JobKind | undefined {
  const lane = ctx.settings.config.monday.bulk;
  if (lane === "off" || !ctx.monday.bulk) return undefined;
  // auto never uses backfill: it needs an admin token and skips automations (issue 18's contract).
  return lane === "backfill" ? "backfill" : "ingest";
}

/** Orders a job may claim: whole orders with every size, within the job's documented rows. */
export function ordersPerJob(ctx: CustomerRunContext, kind: JobKind): number {
  return Math.floor(BULK_ROWS_PER_JOB[kind] / (1 + (ctx.board.subitems?.sizes.length ?? 0)));
}

/**
 * Rows below which `auto` keeps the mutation lane: what the mutation lane writes in one poll interval
 * within the complexity budget (about 10,000 points a create), so a job would not finish sooner.
 */
export function autoThreshold(ctx: CustomerRunContext): number {
  const { bulkPollSeconds, budgetPerMinute } = ctx.settings.config.monday;
  return Math.ceil((bulkPollSeconds * budgetPerMinute) / 60 / 10_000);
}

/** What the account's hour has left for this database's jobs (the limits are per account, not per run). */
export async function bulkAllowance(
  ctx: CustomerRunContext,
): Promise<{ starts: number; ingestRows: number }> {
  const used = await bulkUsageSince(ctx.db, new Date(Date.now() - HOUR_MS).toISOString());
  return {
    starts: BULK_JOB_STARTS_PER_HOUR - used.starts,
    ingestRows: BULK_INGEST_PER_HOUR - used.ingestRows,
  };
}

const csvColumn = (c: ResolvedColumn): CsvColumn => ({ id: c.id, type: c.type });

function boardColumns(ctx: CustomerRunContext): CsvColumn[] {
  const all = [ctx.board.keyColumn, ...ctx.board.columns];
  return [...new Map(all.map((c) => [c.id, csvColumn(c)])).values()];
}

function subitemColumns(ctx: CustomerRunContext): CsvColumn[] {
  const sub = ctx.board.subitems;
  if (!sub) return [];
  const all = [sub.quantityColumn, ...sub.columns];
  return [...new Map(all.map((c) => [c.id, csvColumn(c)])).values()];
}

/** Status and dropdown labels a row names that the board lacks: the bulk lane cannot create labels. */
function missingLabel(columns: readonly ResolvedColumn[], values: Record<string, unknown>): boolean {
  for (const column of columns) {
    const value = values[column.id] as { label?: unknown; labels?: unknown } | null | undefined;
    if (!value || (column.type !== "status" && column.type !== "dropdown")) continue;
    const names = column.type === "status" ? [value.label] : Array.isArray(value.labels) ? value.labels : [];
    if (names.some((n) => typeof n !== "string" || !column.labels.includes(n))) return true;
  }
  return false;
}

/** The parent row of a staged order (the name as `create_item` would give it). */
const parentOf = (order: StagedOrder, subitems: readonly StagedSubitem[]): CsvParent => ({
  name: order.itemName ?? order.orderKey,
  columnValues: order.columnValues,
  subitems: subitems.map((s) => ({ name: s.itemName ?? s.size, columnValues: s.columnValues })),
});

/** Whether the order can go through a job exactly as the mutation lane would write it. */
export function fitsBulk(
  ctx: CustomerRunContext,
  order: StagedOrder,
  subitems: readonly StagedSubitem[],
): boolean {
  const parent = parentOf(order, subitems);
  const subColumns = ctx.board.subitems
    ? [ctx.board.subitems.quantityColumn, ...ctx.board.subitems.columns]
    : [];
  return (
    importable(boardColumns(ctx), parent) &&
    parent.subitems.every((s) => importable(subitemColumns(ctx), s)) &&
    !missingLabel([ctx.board.keyColumn, ...ctx.board.columns], order.columnValues) &&
    !subitems.some((s) => missingLabel(subColumns, s.columnValues))
  );
}

/** The job's file: the columns its rows use, item rows with their size lines under them. */
export function jobCsv(ctx: CustomerRunContext, job: Pick<RunningJob, "orders" | "subitems">): string {
  const parents = job.orders.map((o) => parentOf(o, job.subitems.get(o.stgId) ?? []));
  const used = (columns: CsvColumn[], rows: { columnValues: Record<string, unknown> }[]) =>
    columns.filter((c) => rows.some((r) => c.id in r.columnValues));
  return importCsv(
    used(boardColumns(ctx), parents),
    used(
      subitemColumns(ctx),
      parents.flatMap((p) => p.subitems),
    ),
    parents,
  );
}

/** Rows of a job's file. */
export const jobRows = (job: Pick<RunningJob, "orders" | "subitems">): number =>
  rowCount(job.orders.map((o) => parentOf(o, job.subitems.get(o.stgId) ?? [])));

/**
 * Starts one job: `ingest_items`/`backfill_items`, then the job is recorded in MON_BulkJobs, then its CSV
 * is uploaded (so a crash at any point leaves a record the next run finds). Returns undefined when monday
 * refused the start or the upload (the orders then go the mutation way).
 */
export async function startJob(
  ctx: CustomerRunContext,
  lane: BulkLane,
  job: Omit<RunningJob, "jobId">,
  groupId: string,
): Promise<RunningJob | undefined> {
  let started: { jobId: string; uploadUrl: string };
  try {
    started = await lane.start(job.kind, ctx.board.id, groupId);
  } catch {
    return undefined;
  }
  const orderKeys = job.orders.map((o) => o.orderKey);
  const base = { customer: ctx.customer.name, batchId: ctx.batchId, boardId: ctx.board.id, groupId };
  await recordBulkJob(ctx.db, {
    ...base,
    jobId: started.jobId,
    kind: job.kind,
    status: "STARTED",
    rowCount: job.rows,
    orderKeys,
  });
  try {
    await lane.upload(started.uploadUrl, jobCsv(ctx, job));
  } catch (error) {
    // S3 answered and refused (or nothing answered): no file, so the job never processes.
    await markBulkJob(ctx.db, started.jobId, {
      status: "NOT_UPLOADED",
      finished: true,
      failureMessage: String(error),
    });
    return undefined;
  }
  await markBulkJob(ctx.db, started.jobId, { status: "UPLOADED" });
  return { ...job, jobId: started.jobId };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new StoppedError(signal.reason));
      },
      { once: true },
    );
  });

/**
 * How long after its start a job an earlier run recorded STARTED (the run died between the start and the
 * end of its PUT) may still show UPLOAD_PENDING before it counts as never uploaded. Nobody holds its CSV
 * any more, so it can never run; waiting for its URL to expire (10 minutes) would stall the next run that
 * long. monday does not document how soon a finished upload shows in the job's state: 30 s is our margin.
 */
export const ABANDONED_UPLOAD_GRACE_MS = 30_000;

/** One look at a processing job: when (ms) and how far (`progress_percentage`). */
export interface ProgressSample {
  at: number;
  progress: number;
}

/**
 * The wait before the next poll of a processing job. The docs suggest polling about every
 * `monday.bulkPollSeconds` (10 s) and do not document how fast a job processes, so the pace comes from
 * the job itself: the first look after the start comes after a tenth of the interval; once two looks show
 * progress, the next one is due when that pace says the job ends (never sooner than a tenth of the
 * interval, never later than the interval). A job that shows no progress is polled at the interval.
 */
export function nextPollMs(pollMs: number, first: ProgressSample | undefined, last: ProgressSample): number {
  const floor = pollMs / 10;
  if (!first) return floor;
  const progressed = last.progress - first.progress;
  if (progressed <= 0 || last.at <= first.at) return pollMs;
  const remaining = ((100 - last.progress) * (last.at - first.at)) / progressed;
  return Math.min(pollMs, Math.max(floor, remaining));
}

/**
 * Polls a job until it ends (a running job cannot be cancelled), paced by {@link nextPollMs}. A job
 * recorded STARTED whose upload never landed stays UPLOAD_PENDING: past {@link ABANDONED_UPLOAD_GRACE_MS}
 * (or its URL's 10 minutes) it has ended with nothing imported, and its orders go the usual way.
 */
export async function pollToEnd(
  ctx: CustomerRunContext,
  lane: BulkLane,
  job: Pick<BulkJobRecord, "jobId" | "status" | "startedAt">,
): Promise<BulkJobState> {
  const pollMs = ctx.settings.config.monday.bulkPollSeconds * 1000;
  let first: ProgressSample | undefined;
  for (;;) {
    if (ctx.signal?.aborted) throw new StoppedError(ctx.signal.reason);
    const state = await lane.status(job.jobId);
    if (BULK_TERMINAL_STATES.has(state.status)) return state;
    const grace = Math.min(ABANDONED_UPLOAD_GRACE_MS, BULK_UPLOAD_TTL_MS);
    const expired = Date.now() > Date.parse(job.startedAt) + grace;
    if (state.status === "UPLOAD_PENDING" && job.status === "STARTED" && expired) return state;
    if (state.status === "UPLOAD_PENDING") {
      await sleep(pollMs, ctx.signal);
      continue;
    }
    const last = { at: Date.now(), progress: state.progressPercentage ?? 0 };
    const wait = nextPollMs(pollMs, first, last);
    first ??= last;
    await sleep(wait, ctx.signal);
  }
}
