import type { StagedStatus } from "../db/index.js";

/**
 * The staged-row state machine (docs/design.md), as data. A row is written PENDING (orders that fail
 * validation are not staged: `MON_Quarantine` is their one record); a claim moves it to IN_FLIGHT; monday's answer moves it to DONE, FAILED
 * (retryable) or DEAD (permanent). DONE rows are cleared; FAILED rows are dropped by the next run's
 * reconcile step and their orders staged afresh (so "FAILED → PENDING" is a new row carrying the attempts);
 * DEAD rows wait. Every status change in `staging.ts` goes through {@link transition}.
 */
export const STAGED_STATES: Record<
  StagedStatus,
  { initial: boolean; to: Partial<Record<StagedStatus, { countsAttempt: boolean }>> }
> = {
  PENDING: { initial: true, to: { IN_FLIGHT: { countsAttempt: false } } },
  IN_FLIGHT: {
    initial: false,
    to: { DONE: { countsAttempt: true }, FAILED: { countsAttempt: true }, DEAD: { countsAttempt: true } },
  },
  DONE: { initial: false, to: {} },
  FAILED: { initial: false, to: {} },
  DEAD: { initial: false, to: {} },
};

/** A status change the table does not allow: a bug in the caller, never a data problem. */
export class TransitionError extends Error {
  override name = "TransitionError";
  constructor(
    readonly from: StagedStatus | "new",
    readonly to: StagedStatus,
  ) {
    super(`a staged row cannot go from ${from} to ${to}`);
  }
}

/** The states a row may be in to move to `to` (what the UPDATE's WHERE requires). */
export function sourcesOf(to: StagedStatus): StagedStatus[] {
  return (Object.keys(STAGED_STATES) as StagedStatus[]).filter((from) => STAGED_STATES[from].to[to]);
}

/**
 * Checks a move into `to` from any state a row may be in for it, and says whether it counts an attempt.
 *
 * @example transition("DONE") // { from: ["IN_FLIGHT"], countsAttempt: true }
 */
export function transition(to: StagedStatus): { from: StagedStatus[]; countsAttempt: boolean } {
  const from = sourcesOf(to);
  const first = from[0];
  if (first === undefined) throw new TransitionError("new", to);
  return { from, countsAttempt: STAGED_STATES[first].to[to]!.countsAttempt };
}

/** Checks that a new row may start in `status` (only PENDING may). */
export function initialStatus(status: StagedStatus): StagedStatus {
  if (!STAGED_STATES[status].initial) throw new TransitionError("new", status);
  return status;
}
