/**
 * How a customer's run, a run or a command ended, and what that means for the exit code (DESIGN.md:
 * 0 all good; 1 some rows failed; 2 usage or config error; 3 halted by data quality; 4 monday.com
 * unavailable). An error that ends a run carries its outcome (`outcome` below), so no caller tells errors
 * apart by class chains.
 */
export type Outcome = "ok" | "rowsFailed" | "stopped" | "halted" | "config" | "unavailable";

/**
 * Each outcome's exit code and weight: a run's exit code is its heaviest customer outcome's, and rows that
 * failed count as `rowsFailed`. `retryable`: running again unchanged may succeed; `permanent`: someone has
 * to change something first.
 */
export const OUTCOMES: Record<
  Outcome,
  { exitCode: number; weight: number; retryable: boolean; permanent: boolean }
> = {
  ok: { exitCode: 0, weight: 0, retryable: false, permanent: false },
  rowsFailed: { exitCode: 1, weight: 1, retryable: true, permanent: false },
  stopped: { exitCode: 1, weight: 1, retryable: true, permanent: false },
  halted: { exitCode: 3, weight: 2, retryable: false, permanent: true },
  config: { exitCode: 2, weight: 3, retryable: false, permanent: true },
  unavailable: { exitCode: 4, weight: 4, retryable: true, permanent: false },
};

/** Exit codes (DESIGN.md): the CLI returns them, scripts rely on them. */
export const EXIT = {
  ok: OUTCOMES.ok.exitCode,
  rowsFailed: OUTCOMES.rowsFailed.exitCode,
  config: OUTCOMES.config.exitCode,
  halted: OUTCOMES.halted.exitCode,
  mondayUnavailable: OUTCOMES.unavailable.exitCode,
} as const;

/** An error that knows how it ends a run. */
export interface OutcomeError extends Error {
  readonly outcome: Outcome;
}

/** The outcome an error carries, if it carries one (errors without one are bugs or one-off failures). */
export function outcomeOf(e: unknown): Outcome | undefined {
  if (!(e instanceof Error) || !("outcome" in e)) return undefined;
  const outcome = (e as { outcome: unknown }).outcome;
  return typeof outcome === "string" && outcome in OUTCOMES ? (outcome as Outcome) : undefined;
}

/** The heaviest of some outcomes (`ok` for none). */
export function worstOutcome(outcomes: Iterable<Outcome>): Outcome {
  let worst: Outcome = "ok";
  for (const o of outcomes) if (OUTCOMES[o].weight > OUTCOMES[worst].weight) worst = o;
  return worst;
}

/** How a finished run ends in the run log (`MON_SyncRuns.status` without RUNNING). */
export type FinishedRunStatus = "SUCCESS" | "PARTIAL" | "FAILED" | "HALTED" | "STOPPED";

/**
 * A run's status in the run log: STOPPED when any customer stopped; HALTED when a data-quality halt is
 * what decides its exit code (3), so the log, `runs`, /health and metrics show the halt rather than a
 * PARTIAL or FAILED that hides it; else by its exit code and customers.
 */
export function runStatus(
  outcome: Outcome,
  customers: readonly { ok: boolean; stopped?: boolean }[],
): FinishedRunStatus {
  if (customers.some((c) => c.stopped)) return "STOPPED";
  if (OUTCOMES[outcome].exitCode === EXIT.ok) return "SUCCESS";
  if (outcome === "halted") return "HALTED";
  return customers.some((c) => c.ok) ? "PARTIAL" : "FAILED";
}
