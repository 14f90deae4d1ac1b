/**
 * The bulk lane of the push step (issue 18): NEW orders go to monday as bulk import jobs, one per board and
 * group, while the mutation lane sends the rest; then each job is polled to its end and what it created is
 * adopted by the board's key column, its size lines by name. Rows a job did not import, and orders the CSV
 * cannot carry as the mutation lane would write them, go the mutation way.
 */
import {
  claimNewOrders,
  claimSubitems,
  markBulkJob,
  pendingSubitemsOf,
  unfinishedBulkJobs,
} from "../../stage/index.js";
import type { StagedOrder, StagedSubitem } from "../../stage/index.js";
import type { CustomerRunContext, SharedBoards } from "../customer-context.js";
import type { BulkJobState, BulkLane, FoundItem, WriteOutcome } from "../port.js";
import {
  autoThreshold,
  bulkAllowance,
  fitsBulk,
  jobKindOf,
  jobRows,
  ordersPerJob,
  pollToEnd,
  startJob,
  type JobKind,
  type RunningJob,
} from "./bulk-jobs.js";
import { opsForOrder, opsForSubitem, sendRows, type ClaimedSubitem, type SentRound } from "./push.js";

/** What the bulk lane's first half did: the jobs running, and the orders it claimed but left to mutations. */
export interface BulkStart {
  jobs: RunningJob[];
  mutations: StagedOrder[];
}

/** Orders by group title, in staging order. */
function byGroup(orders: readonly StagedOrder[]): Map<string, StagedOrder[]> {
  const groups = new Map<string, StagedOrder[]>();
  for (const o of orders) {
    const title = o.groupTitle ?? "Orders";
    const group = groups.get(title) ?? [];
    groups.set(title, group);
    group.push(o);
  }
  return groups;
}

function subitemsByOrder(subitems: readonly StagedSubitem[]): Map<number, StagedSubitem[]> {
  const map = new Map<number, StagedSubitem[]>();
  for (const s of subitems) {
    const lines = map.get(s.stgId) ?? [];
    map.set(s.stgId, lines);
    lines.push(s);
  }
  return map;
}

/** Starts the jobs of one claim, a job a group; what does not go into a job is returned for mutations. */
async function startClaimJobs(
  ctx: CustomerRunContext,
  shared: SharedBoards,
  lane: BulkLane,
  kind: JobKind,
  claimed: StagedOrder[],
  allowance: { starts: number; ingestRows: number },
): Promise<BulkStart> {
  const subitems = subitemsByOrder(
    await pendingSubitemsOf(
      ctx.db,
      claimed.map((o) => o.stgId),
    ),
  );
  const fit = claimed.filter((o) => fitsBulk(ctx, o, subitems.get(o.stgId) ?? []));
  const fits = new Set(fit);
  const result: BulkStart = { jobs: [], mutations: claimed.filter((o) => !fits.has(o)) };
  // Each group's job takes its share of the allowance first; then the jobs start side by side (their
  // groups are created, started, recorded and uploaded at once), and a job that did not start gives it back.
  const drafts: Omit<RunningJob, "jobId">[] = [];
  for (const orders of byGroup(fit).values()) {
    const draft = { kind, orders, subitems, rows: 0 };
    draft.rows = jobRows(draft);
    const tooSmall = ctx.settings.config.monday.bulk === "auto" && draft.rows < autoThreshold(ctx);
    const overBudget = kind === "ingest" && draft.rows > allowance.ingestRows;
    if (allowance.starts <= 0 || tooSmall || overBudget) {
      result.mutations.push(...orders);
      continue;
    }
    allowance.starts--;
    if (kind === "ingest") allowance.ingestRows -= draft.rows;
    drafts.push(draft);
  }
  const started = await Promise.all(
    drafts.map(async (draft) => {
      const title = draft.orders[0]!.groupTitle ?? "Orders";
      return startJob(ctx, lane, draft, await shared.groups.groupId(ctx.board.id, title));
    }),
  );
  for (const [i, job] of started.entries()) {
    const draft = drafts[i]!;
    if (job) {
      result.jobs.push(job);
      continue;
    }
    allowance.starts++;
    if (kind === "ingest") allowance.ingestRows += draft.rows;
    result.mutations.push(...draft.orders);
  }
  return result;
}

/**
 * The lane's first half: claims the NEW orders (IN_FLIGHT) a job at a time and starts their jobs, within
 * the hour's 100 job starts and (ingest) 19,000 items; stops claiming once a limit is reached, leaving the
 * rest staged for the mutation lane.
 */
export function startBulkJobs(ctx: CustomerRunContext, shared: SharedBoards): Promise<BulkStart> {
  // Customers run in parallel, but the hour's limits are the account's: one customer at a time reads what
  // is left (MON_BulkJobs) and records its jobs, so two never spend the same allowance.
  const run = startQueue.then(() => startJobsOf(ctx, shared));
  startQueue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

let startQueue: Promise<void> = Promise.resolve();

async function startJobsOf(ctx: CustomerRunContext, shared: SharedBoards): Promise<BulkStart> {
  const kind = jobKindOf(ctx);
  const lane = ctx.monday.bulk;
  const started: BulkStart = { jobs: [], mutations: [] };
  if (!kind || !lane) return started;
  const allowance = await bulkAllowance(ctx);
  const perJob = ordersPerJob(ctx, kind);
  for (;;) {
    const room =
      kind === "ingest"
        ? Math.floor(allowance.ingestRows / (1 + (ctx.board.subitems?.sizes.length ?? 0)))
        : perJob;
    if (allowance.starts <= 0 || room <= 0) break;
    const claimed = await claimNewOrders(ctx.db, ctx.customer.name, ctx.batchId, Math.min(perJob, room));
    if (claimed.length === 0) break;
    const part = await startClaimJobs(ctx, shared, lane, kind, claimed, allowance);
    started.jobs.push(...part.jobs);
    started.mutations.push(...part.mutations);
    if (part.jobs.length === 0) break;
  }
  return started;
}

/** The orders the lane claimed but left to mutations, sent as the push step would (one round a request's worth). */
export async function* sendClaimedByMutation(
  ctx: CustomerRunContext,
  shared: SharedBoards,
  orders: readonly StagedOrder[],
): AsyncGenerator<SentRound> {
  const size = ctx.monday.maxOpsPerRequest ?? ctx.settings.config.sync.batchSize;
  for (let i = 0; i < orders.length; i += size) {
    const rows = orders.slice(i, i + size);
    const ops = await Promise.all(rows.map((r) => opsForOrder(ctx, shared.groups, r)));
    const outcomes = await sendRows(
      ctx,
      shared.locks,
      ops,
      rows.map((r) => `o${r.stgId}`),
    );
    yield { kind: "orders", rows, outcomes };
  }
}

/** The report's reason for each order whose item row was not imported. */
async function rejectedReasons(
  lane: BulkLane,
  job: RunningJob,
  state: BulkJobState,
): Promise<Map<string, string>> {
  const reasons = new Map<string, string>();
  const whole = state.failureReason
    ? `${state.status} ${state.failureReason}: ${state.failureMessage ?? ""}`
    : "";
  const rowOf = new Map<number, string>();
  let row = 1;
  for (const o of job.orders) {
    rowOf.set(row, o.orderKey);
    row += 1 + (job.subitems.get(o.stgId)?.length ?? 0);
  }
  if (whole) for (const o of job.orders) reasons.set(o.orderKey, whole.trim());
  if (!state.reportUrl) return reasons;
  const report = await lane.report(state.reportUrl).catch(() => []);
  for (const line of report) {
    const key = rowOf.get(line.row);
    if (key) reasons.set(key, `${line.result}: ${line.reason}`);
  }
  return reasons;
}

/** The job's orders: adopted where the board has their item, else sent as mutations. */
async function orderOutcomes(
  ctx: CustomerRunContext,
  shared: SharedBoards,
  job: RunningJob,
  found: Map<string, FoundItem>,
  reasons: Map<string, string>,
): Promise<WriteOutcome[]> {
  const missing = job.orders.filter((o) => !found.has(o.orderKey));
  for (const o of missing)
    ctx.events.emit("bulkRowRejected", {
      customer: ctx.customer.name,
      orderKey: o.orderKey,
      reason: reasons.get(o.orderKey) ?? "not on the board after the job",
    });
  const ops = await Promise.all(missing.map((r) => opsForOrder(ctx, shared.groups, r)));
  const sent = await sendRows(
    ctx,
    shared.locks,
    ops,
    missing.map((r) => `o${r.stgId}`),
  );
  const byKey = new Map(missing.map((o, i) => [o.orderKey, sent[i]!]));
  return job.orders.map((o) => {
    const item = found.get(o.orderKey);
    return item ? { ok: true as const, id: item.id } : byKey.get(o.orderKey)!;
  });
}

/** Size lines now claimable (their parents DONE): adopted where the job created them, else sent as mutations. */
async function* subitemRounds(
  ctx: CustomerRunContext,
  shared: SharedBoards,
  found: Map<string, FoundItem>,
): AsyncGenerator<SentRound> {
  // Adopted size lines cost no request: claim many at once (sendRows still splits what it must send).
  const size = 200 * (ctx.monday.maxOpsPerRequest ?? ctx.settings.config.sync.batchSize);
  const used = new Set<string>();
  for (;;) {
    const rows: ClaimedSubitem[] = await claimSubitems(ctx.db, ctx.customer.name, ctx.batchId, size);
    if (rows.length === 0) return;
    const adopted = rows.map((r) => {
      const sub = found
        .get(r.orderKey)
        ?.subitems.find((s) => s.name === (r.itemName ?? r.size) && !used.has(s.id));
      if (sub) used.add(sub.id);
      return sub;
    });
    const rest = rows.filter((_, i) => !adopted[i]);
    const sent = await sendRows(
      ctx,
      shared.locks,
      rest.map((r) => opsForSubitem(ctx, r)),
      rest.map((r) => `s${r.stgSubId}`),
    );
    let at = 0;
    const outcomes = rows.map((_, i): WriteOutcome =>
      adopted[i] ? { ok: true, id: adopted[i].id } : sent[at++]!,
    );
    yield { kind: "subitems", rows, outcomes };
  }
}

/** Marks a job finished with monday's last word and tells the listeners. */
async function finishJob(
  ctx: CustomerRunContext,
  job: { jobId: string; kind: string; rows: number },
  state: BulkJobState,
) {
  await markBulkJob(ctx.db, job.jobId, {
    status: state.status,
    finished: true,
    counts: state.counts,
    failureReason: state.failureReason,
    failureMessage: state.failureMessage,
  });
  ctx.events.emit("bulkJobDone", {
    customer: ctx.customer.name,
    jobId: job.jobId,
    kind: job.kind,
    status: state.status,
    rows: job.rows,
    created: state.counts.created,
    failureReason: state.failureReason,
  });
}

/**
 * The items the jobs created, by key: a key scan of the whole board (about 25 points an item) when the board
 * held few items before the run, else a lookup of just these keys.
 */
async function lookUpCreated(
  ctx: CustomerRunContext,
  shared: SharedBoards,
  keys: readonly string[],
): Promise<Map<string, FoundItem>> {
  const before = shared.itemCounts?.get(ctx.board.id) ?? null;
  const scan = ctx.monday.scanKeys && before !== null && before < keys.length * 10;
  const wanted = new Set(keys);
  const items = scan
    ? (await ctx.monday.scanKeys!(ctx.board.id, ctx.board.keyColumn.id)).filter((i) => wanted.has(i.key))
    : await ctx.monday.findItemsByKey(ctx.board.id, ctx.board.keyColumn.id, [...keys]);
  return new Map(items.map((i) => [i.key, i]));
}

/**
 * The lane's second half: every job polled to its end (they run side by side on monday), then their orders
 * adopted by one key read of the board (the report need not list item ids), their size lines by name; what
 * the jobs did not create is sent as mutations.
 */
export async function* finishBulkJobs(
  ctx: CustomerRunContext,
  shared: SharedBoards,
  jobs: readonly RunningJob[],
): AsyncGenerator<SentRound> {
  const lane = ctx.monday.bulk;
  if (!lane || jobs.length === 0) return;
  const startedAt = new Date().toISOString();
  const states: BulkJobState[] = [];
  for (const job of jobs) {
    const state = await pollToEnd(ctx, lane, { jobId: job.jobId, status: "UPLOADED", startedAt });
    await finishJob(ctx, job, state);
    states.push(state);
  }
  const created = states.some((s) => s.counts.created > 0);
  const keys = jobs.flatMap((j) => j.orders.map((o) => o.orderKey));
  const found = created ? await lookUpCreated(ctx, shared, keys) : new Map<string, FoundItem>();
  for (const [i, job] of jobs.entries()) {
    const reasons = await rejectedReasons(lane, job, states[i]!);
    yield {
      kind: "orders",
      rows: job.orders,
      outcomes: await orderOutcomes(ctx, shared, job, found, reasons),
    };
  }
  yield* subitemRounds(ctx, shared, found);
}

/**
 * Before reconcile: jobs an earlier run left running (it crashed or was stopped) are polled to their end,
 * so the reconcile step's key lookup sees everything they created and adopts it (never a duplicate).
 */
export async function awaitJobsInFlight(ctx: CustomerRunContext): Promise<number> {
  const lane = ctx.monday.bulk;
  if (!lane) return 0;
  const jobs = await unfinishedBulkJobs(ctx.db, ctx.customer.name);
  for (const job of jobs) {
    const state = await pollToEnd(ctx, lane, job);
    await finishJob(ctx, { jobId: job.jobId, kind: job.kind, rows: job.rowCount }, state);
  }
  return jobs.length;
}
