import { FAULT_KINDS, type FaultKind } from "./faults.js";
import type { MutationLog } from "./mutation-log.js";
import type { WebhookStats } from "./webhooks/deliveries.js";

/** What the emulator did so far, for the benchmark and tests. */
export interface EmulatorStats {
  /** `/v2` requests received (any outcome; admin requests are not counted). */
  requests: number;
  /** Of those, requests carrying a mutation (any outcome). */
  writeRequests: number;
  /** 429s sent, by `extensions.code` (injected `rate_limit` faults included: see `faults.rate_limit`). */
  rateLimited: Record<string, number>;
  /** Complexity points charged (all windows). */
  complexityUsed: number;
  /** Faults injected, by kind. */
  faults: Record<FaultKind, number>;
  /** Requests answered from the idempotency cache. */
  idempotentReplays: number;
  /** Requests refused with 409 `IDEMPOTENCY_CONFLICT`. */
  conflicts: number;
  /** Webhook deliveries: sent, retried, failed, abandoned, and the faults injected into them. */
  webhooks: WebhookStats;
}

/** The counters behind {@link EmulatorStats} (requests and write requests live in the mutation log). */
export class StatsCounter {
  rateLimited: Record<string, number> = {};
  complexityUsed = 0;
  faults = noFaults();
  idempotentReplays = 0;
  conflicts = 0;

  /** Counts one 429 sent with `code`. */
  countRateLimited(code: string): void {
    this.rateLimited[code] = (this.rateLimited[code] ?? 0) + 1;
  }

  /** A copy of the counters with the log's request counts and the webhook deliveries' stats. */
  snapshot(log: MutationLog, webhooks: WebhookStats): EmulatorStats {
    return {
      requests: log.requests,
      writeRequests: log.writeRequests,
      rateLimited: { ...this.rateLimited },
      complexityUsed: this.complexityUsed,
      faults: { ...this.faults },
      idempotentReplays: this.idempotentReplays,
      conflicts: this.conflicts,
      webhooks,
    };
  }

  /** Zeroes every counter. */
  reset(): void {
    this.rateLimited = {};
    this.complexityUsed = 0;
    this.faults = noFaults();
    this.idempotentReplays = 0;
    this.conflicts = 0;
  }
}

function noFaults(): Record<FaultKind, number> {
  return Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
}
