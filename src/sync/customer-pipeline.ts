import { strayResult, ValidationTally, type ValidationResult } from "../quality/index.js";
import type { CountsTally } from "./counts.js";
import type { CustomerRunContext, SharedBoards } from "./customer-context.js";
import { StoppedError } from "./errors.js";
import type { StepClock } from "./step-clock.js";
import { clearDone } from "./steps/clear.js";
import { detectorFor } from "./steps/detect-in-db.js";
import { pushStaged, type SentRound } from "./steps/push.js";
import { awaitJobsInFlight, finishBulkJobs, sendClaimedByMutation, startBulkJobs } from "./steps/bulk.js";
import { readStray } from "./steps/read.js";
import { matchNewOrders } from "./steps/board-match.js";
import { reconcileLeftovers } from "./steps/reconcile.js";
import { recordResults } from "./steps/record.js";
import { StagingSink, type ChangeSink } from "./steps/stage.js";
import { startValidation, validateChanges } from "./steps/validate.js";

/** How one customer's run is measured: its counts, and its steps' times. */
export interface CustomerMeters {
  tally: CountsTally;
  clock: StepClock;
}

/**
 * read → detect → validate → stage for one customer, into `sink` (the staging tables for `sync`, the plan
 * for `plan`): page by page in key order, each page lined up with the same key range of the sync state.
 * A halt (CRITICAL, or too many ERRORs) goes to the sink, which throws. Each page's validation is added
 * to a {@link ValidationTally} and dropped, so memory holds a page, not the table (issue 16). Returns the
 * customer's validation.
 */
export async function detectIntoSink(
  ctx: CustomerRunContext,
  sink: ChangeSink,
  { tally, clock }: CustomerMeters,
): Promise<ValidationResult> {
  const { quality, first } = await clock.time("validate", () => startValidation(ctx));
  if (first.halt) await clock.time("stage", () => sink.halt(first));
  // The stray rows first: their keys may repeat a page's, so the tally is told them (issue 16).
  const stray = strayResult(await clock.time("read", () => readStray(ctx)), quality);
  const results = new ValidationTally(quality, stray.orderKeys);
  results.add(first);
  const fixed: string[] = [];
  const released: string[] = [];
  let after: string | null = null;
  let staged = 0;
  const detector = await clock.time("detect", () => detectorFor(ctx));
  for await (const page of clock.iterate("read", detector.pages)) {
    const found = await clock.time("detect", () =>
      detector.detect(page, after, quality.previouslyQuarantined ?? new Set()),
    );
    tally.add(found.counts);
    if (found.refresh?.length && sink.refresh)
      await clock.time("detect", () => sink.refresh!(found.refresh!));
    fixed.push(...found.fixed);
    released.push(...found.released);
    const checked = await clock.time("validate", () => validateChanges(quality, found.detected));
    results.add(checked.result);
    if (checked.result.halt) await clock.time("stage", () => sink.halt(checked.result));
    tally.add(checked.counts);
    const done = await clock.time("stage", () =>
      sink.stage([...checked.changes, ...found.gone], checked.quarantined),
    );
    tally.add(done.counts);
    staged += done.staged;
    after = page.lastKey;
    ctx.events.emit("progress", {
      customer: ctx.customer.name,
      phase: "detect",
      done: tally.total.unchanged + staged,
      staged,
    });
  }
  results.add(stray);
  tally.add({ quarantined: stray.counts.QUARANTINE });
  const validation = results.result();
  if (validation.halt) await clock.time("stage", () => sink.halt(validation));
  const gone = await clock.time("detect", () => detector.goneAfter(after));
  tally.add(gone.counts);
  released.push(...gone.released);
  tally.add((await clock.time("stage", () => sink.stage(gone.gone, []))).counts);
  await clock.time("stage", () => sink.finish(validation, fixed, released));
  return validation;
}

/** The progress line after a recorded round: items sent so far, or size lines. */
function pushProgress(ctx: CustomerRunContext, round: SentRound, tally: CountsTally): void {
  const c = tally.total;
  ctx.events.emit(
    "progress",
    round.kind === "orders"
      ? { customer: ctx.customer.name, phase: "push", done: c.created + c.updated + c.archived }
      : { customer: ctx.customer.name, phase: "subitems", done: c.subitemsCreated + c.subitemsUpdated },
  );
}

/**
 * One customer's sync, as DESIGN's diagram: reconcile → read → detect → validate → stage → push → record →
 * clear; the NEW orders staged are matched by key against the board (part of reconcile) before the push. Counts go to `meters.tally` as each step returns (a customer that fails midway keeps what it did).
 * Returns the customer's validation.
 */
export async function runCustomerPipeline(
  ctx: CustomerRunContext,
  shared: SharedBoards,
  meters: CustomerMeters,
): Promise<ValidationResult> {
  const { tally, clock } = meters;
  // Bulk jobs an earlier run left running end first, so reconcile adopts all they created (issue 18).
  await clock.time("reconcile", () => awaitJobsInFlight(ctx));
  const reconciled = await clock.time("reconcile", () => reconcileLeftovers(ctx, shared));
  tally.add(reconciled.counts);
  if (ctx.signal?.aborted) throw new StoppedError(ctx.signal.reason);
  const validation = await detectIntoSink(ctx, new StagingSink(ctx, reconciled.leftovers), meters);
  tally.add(await clock.time("reconcile", () => matchNewOrders(ctx, reconciled.board)));
  // The bulk lane starts its jobs, the mutation lane sends the rest meanwhile, then the jobs are adopted.
  const bulk = await clock.time("push", () => startBulkJobs(ctx, shared));
  const rounds = [
    sendClaimedByMutation(ctx, shared, bulk.mutations),
    pushStaged(ctx, shared),
    finishBulkJobs(ctx, shared, bulk.jobs),
  ];
  for (const lane of rounds)
    for await (const round of clock.iterate("push", lane)) {
      tally.add(await clock.time("record", () => recordResults(ctx, shared.groups, round)));
      pushProgress(ctx, round, tally);
    }
  await clock.time("clear", () => clearDone(ctx));
  return validation;
}
