export { EXIT, OUTCOMES, outcomeOf, runStatus, worstOutcome } from "./outcomes.js";
export type { FinishedRunStatus, Outcome, OutcomeError } from "./outcomes.js";
export { errorMessage } from "./message.js";
