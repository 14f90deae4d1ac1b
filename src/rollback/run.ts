import { migrateToLatest } from "../db/index.js";
import type { OrderSnapshot } from "../detect/index.js";
import { MappingError } from "../mapping/index.js";
import { batchChanges, batchesAfter, findRun, laterBatches, type ChangeRecord } from "../runlog/index.js";
import { stageOrders } from "../stage/index.js";
import { holdOrders, loadStateByKeys, releaseHolds, type SyncStateRow } from "../state/index.js";
import {
  clearDone,
  customerContext,
  prepare,
  pushStaged,
  reconcileLeftovers,
  recordResults,
  runSync,
  type CustomerMeters,
  type CustomerPipeline,
  type CustomerRunContext,
  type FoundItem,
  type SharedBoards,
  type SyncDeps,
  type SyncSummary,
} from "../sync/index.js";
import { undoEntry } from "./entries.js";
import {
  planOrder,
  type Conflict,
  type CustomerUndo,
  type OrderFacts,
  type OrderUndo,
  type PlanOptions,
} from "./plan.js";

/** `rollback <batch-id>` names a batch the run log does not hold (exit 2). */
export class UnknownBatchError extends Error {
  override name = "UnknownBatchError";
  readonly outcome = "config";
  constructor(readonly batchId: string) {
    super(`batch ${batchId} is not in the run log (see order-sync runs)`);
  }
}

/** How a rollback is asked for. */
export interface RollbackOptions extends Partial<PlanOptions> {
  /** The batch to undo. */
  batchId: string;
  customers?: readonly string[];
  /** Plan only: list what the rollback would do, write nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** What a rollback did (or, dry, would do): the one JSON object `rollback --json` prints. */
export interface RollbackSummary {
  target: string;
  dryRun: boolean;
  /** The rollback's own batch in the run log (none on a dry run), itself one that can be rolled back. */
  batchId: string | null;
  undo: OrderUndo[];
  conflicts: Conflict[];
  alreadyUndone: number;
  /** The run's summary (counts, requests, status, exit code) when it ran. */
  run?: SyncSummary;
}

/** The batch's change-log entries of one customer, by order: the item's entry and its size lines'. */
function byOrder(
  changes: readonly ChangeRecord[],
): Map<string, { item?: ChangeRecord; subitems: ChangeRecord[] }> {
  const out = new Map<string, { item?: ChangeRecord; subitems: ChangeRecord[] }>();
  for (const c of changes) {
    const entry = out.get(c.orderKey) ?? { subitems: [] };
    if (c.action.startsWith("SUBITEM_")) entry.subitems.push(c);
    else entry.item ??= c;
    out.set(c.orderKey, entry);
  }
  return out;
}

/** The item an order's entry names, among those the board holds under its key (else the first). */
function pick(items: readonly FoundItem[] | undefined, id: string | null): FoundItem | undefined {
  return items?.find((i) => i.id === id) ?? items?.[0];
}

/** A customer's planned undo, with what staging it needs (its orders' facts). */
interface CustomerPlan extends CustomerUndo {
  facts: Map<string, OrderFacts>;
}

/**
 * Plans one customer's part of the rollback: reads the batch's changes, the board (by the key column) and the
 * sync state, and compares them order by order (see {@link planOrder}). Writes nothing.
 */
async function planCustomer(
  ctx: Pick<CustomerRunContext, "db" | "monday" | "board" | "customer">,
  changes: readonly ChangeRecord[],
  options: PlanOptions,
): Promise<CustomerPlan> {
  const orders = byOrder(changes);
  const keys = [...orders.keys()].sort();
  const { board, customer } = ctx;
  const found = new Map<string, FoundItem[]>();
  for (const item of await ctx.monday.findItemsByKey(board.id, board.keyColumn.id, keys))
    found.set(item.key, [...(found.get(item.key) ?? []), item]);
  const states = await loadStateByKeys(ctx.db.kysely, customer.name, keys);
  const last = Math.max(0, ...changes.map((c) => c.changeId));
  const later = await laterBatches(ctx.db, customer.name, keys, last);
  const plan: CustomerPlan = { undo: [], conflicts: [], alreadyUndone: [], facts: new Map() };
  for (const key of keys) {
    const { item, subitems } = orders.get(key)!;
    if (!item) continue;
    const facts: OrderFacts = {
      item,
      subitems,
      found: pick(found.get(key), item.mondayItemId),
      state: states.get(key),
      laterBatches: later.get(key) ?? [],
    };
    const planned = planOrder(board, facts, options);
    plan.conflicts.push(...planned.conflicts);
    if (planned.already) plan.alreadyUndone.push(key);
    if (planned.undo) {
      plan.undo.push(planned.undo);
      plan.facts.set(key, facts);
    }
  }
  return plan;
}

/** The batch being rolled back, and whether it is itself a rollback. */
interface Target {
  batchId: string;
  isRollback: boolean;
}

/** The hold of an undone order: the source's hash that made the change, or GONE for an archived order. */
function holdHash(facts: OrderFacts): string | null {
  return facts.item.action === "ARCHIVE" || facts.item.action === "DELETE"
    ? null
    : (facts.state?.lastHash ?? null);
}

const snapshot = (v: unknown): OrderSnapshot | null => (v as OrderSnapshot | null) ?? null;
const stateValues = (s: SyncStateRow | undefined): OrderSnapshot | null => s?.lastValues ?? null;

/**
 * Holds the undone orders (first, so a crash after some writes still holds them) and stages the undo as
 * PENDING rows of the rollback's batch.
 */
async function stageUndo(ctx: CustomerRunContext, plan: CustomerPlan, target: Target): Promise<void> {
  // Rolling back a rollback puts the batch's values back on purpose: the first rollback's holds end.
  if (target.isRollback)
    await releaseHolds(ctx.db.kysely, { customers: [ctx.customer.name], rollbackBatchId: target.batchId });
  else
    await holdOrders(
      ctx.db,
      plan.undo.map((u) => ({
        customer: u.customer,
        orderKey: u.orderKey,
        batchId: target.batchId,
        rollbackBatchId: ctx.batchId,
        heldHash: holdHash(plan.facts.get(u.orderKey)!),
      })),
    );
  const entries = plan.undo.map((u) => {
    const facts = plan.facts.get(u.orderKey)!;
    const images = {
      state: stateValues(facts.state),
      before: snapshot(facts.item.before),
      after: snapshot(facts.item.after),
    };
    const kept = plan.conflicts.filter((c) => c.orderKey === u.orderKey);
    return undoEntry(ctx.board, ctx.batchId, u, images, kept);
  });
  await stageOrders(ctx.db, entries);
}

/**
 * The rollback's steps for one customer, under its lease: reconcile what an interrupted run left → plan
 * against the board → hold → stage → push → record → clear. Planning again after a crash finds what is
 * already back as it was and leaves it, so nothing is undone twice.
 */
function rollbackPipeline(
  target: Target,
  changes: readonly ChangeRecord[],
  options: PlanOptions,
  plans: CustomerUndo[],
): CustomerPipeline {
  return async (ctx: CustomerRunContext, shared: SharedBoards, { tally, clock }: CustomerMeters) => {
    const reconciled = await clock.time("reconcile", () => reconcileLeftovers(ctx));
    tally.add(reconciled.counts);
    const mine = changes.filter((c) => c.customer === ctx.customer.name);
    const plan = await clock.time("detect", () => planCustomer(ctx, mine, options));
    plans.push(plan);
    await clock.time("stage", () => stageUndo(ctx, plan, target));
    for await (const round of clock.iterate("push", pushStaged(ctx, shared)))
      tally.add(await clock.time("record", () => recordResults(ctx, shared.groups, round)));
    await clock.time("clear", () => clearDone(ctx));
    return undefined;
  };
}

/** The customers a rollback covers: those the batch changed, narrowed to `--customer`. */
function customersOf(changes: readonly ChangeRecord[], only: readonly string[] | undefined): string[] {
  const all = [...new Set(changes.map((c) => c.customer))];
  return only?.length ? all.filter((c) => only.includes(c)) : all;
}

/** The summary's lists, in customer and key order (a dry run and the run that follows list alike). */
function summarize(target: string, plans: readonly CustomerUndo[], dryRun: boolean): RollbackSummary {
  const order = (a: { customer: string; orderKey: string }, b: { customer: string; orderKey: string }) =>
    a.customer === b.customer ? (a.orderKey < b.orderKey ? -1 : 1) : a.customer < b.customer ? -1 : 1;
  return {
    target,
    dryRun,
    batchId: null,
    undo: plans.flatMap((p) => p.undo).sort(order),
    conflicts: plans.flatMap((p) => p.conflicts).sort(order),
    alreadyUndone: plans.reduce((n, p) => n + p.alreadyUndone.length, 0),
  };
}

/** `rollback --dry-run`: the same planning against the same board, nothing written. */
async function dryRun(
  deps: SyncDeps,
  target: string,
  changes: readonly ChangeRecord[],
  customers: string[],
  options: PlanOptions,
): Promise<RollbackSummary> {
  const p = await prepare(deps, customers);
  const plans: CustomerUndo[] = [];
  for (const customer of p.customers) {
    const board = p.boards.get(customer.board);
    if (!board || board instanceof MappingError) throw board ?? new UnknownBatchError(target);
    const ctx = customerContext(deps, p, customer, board);
    plans.push(
      await planCustomer(
        ctx,
        changes.filter((c) => c.customer === customer.name),
        options,
      ),
    );
  }
  return summarize(target, plans, true);
}

/**
 * Rolls back one batch (issue 15): what it created is archived (or deleted), what it updated is restored from
 * the before-images, what it archived is re-created; only where the board still holds the batch's values.
 * The rollback is a run of its own (command `rollback <batch>`), through staging, the push's batching,
 * budget and retries, and the record step, so the change log holds it and it can be rolled back in turn.
 */
export async function runRollback(deps: SyncDeps, options: RollbackOptions): Promise<RollbackSummary> {
  const target = options.batchId;
  const plan: PlanOptions = { force: options.force ?? false, delete: options.delete ?? false };
  await migrateToLatest(deps.db);
  const run = await findRun(deps.db, target);
  const changes = await batchChanges(deps.db, target, options.customers);
  if (!run && changes.length === 0) throw new UnknownBatchError(target);
  const customers = customersOf(changes, options.customers);
  if (customers.length === 0) return summarize(target, [], options.dryRun ?? false);
  if (options.dryRun) return dryRun(deps, target, changes, customers, plan);
  const plans: CustomerUndo[] = [];
  const summary = await runSync(deps, {
    customers,
    command: `rollback ${target}`.slice(0, 32),
    pipeline: rollbackPipeline(
      { batchId: target, isRollback: run?.command?.startsWith("rollback ") ?? false },
      changes,
      plan,
      plans,
    ),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { ...summarize(target, plans, false), batchId: summary.batchId, run: summary };
}

/**
 * `rollback --to <batch-id>`: rolls back every batch that changed something after it, newest first, each as a
 * rollback of its own (the list is taken once, so the rollbacks' own batches are not in it). A dry run plans
 * each against the board as it is now, so only its first entry is exact when later ones touch the same items.
 */
export async function runRollbackTo(
  deps: SyncDeps,
  options: Omit<RollbackOptions, "batchId"> & { to: string },
): Promise<RollbackSummary[]> {
  await migrateToLatest(deps.db);
  if (!(await findRun(deps.db, options.to))) throw new UnknownBatchError(options.to);
  const out: RollbackSummary[] = [];
  for (const batchId of await batchesAfter(deps.db, options.to)) {
    if (options.signal?.aborted) break;
    out.push(await runRollback(deps, { ...options, batchId }));
  }
  return out;
}
