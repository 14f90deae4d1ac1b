import type { ValidationResult } from "../quality/index.js";
import { errorMessage, type OutcomeError } from "../errors/index.js";
import { MondayUnavailableError } from "./port.js";

export { errorMessage, MondayUnavailableError };

/**
 * A customer's run stopped between two requests: the process is shutting down (SIGTERM) or its lease was
 * lost. Everything sent so far is recorded; rows not yet claimed stay PENDING for the next run.
 */
export class StoppedError extends Error implements OutcomeError {
  override name = "StoppedError";
  readonly outcome = "stopped";
  constructor(reason?: unknown) {
    super(
      `stopped: ${reason instanceof Error || typeof reason === "string" ? errorMessage(reason) : "shutting down"}`,
    );
  }
}

/** A customer's run stopped by the data-quality framework before anything was staged (exit code 3). */
export class HaltError extends Error implements OutcomeError {
  override name = "HaltError";
  readonly outcome = "halted";
  constructor(
    readonly customer: string,
    readonly rule: string,
    reason: string,
    readonly validation: ValidationResult,
  ) {
    super(`halted by data quality (${rule}): ${reason}`);
  }
}
