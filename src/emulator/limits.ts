import { MINUTE_BUDGET, QUERY_CAP, WINDOW_MS } from "./complexity.js";

/** monday's limits as the emulator enforces them; all may be changed at run time. */
export interface LimitSettings {
  /** Enforce the limits below (default false: tests and the demo stay fast; the budget only reports). */
  enforceLimits: boolean;
  /** Complexity points per 60-s window (default 10,000,000: a personal token). */
  budgetPerMinute: number;
  /** The most one query may cost (default 5,000,000). */
  queryComplexityCap: number;
  /** Requests per 60-s window (default 5,000: Enterprise). */
  requestsPerMinute: number;
  /** Requests executing at once (default 250: Enterprise). */
  maxConcurrent: number;
}

/** The defaults of {@link LimitSettings}. */
export const DEFAULT_LIMITS: Readonly<LimitSettings> = {
  enforceLimits: false,
  budgetPerMinute: MINUTE_BUDGET,
  queryComplexityCap: QUERY_CAP,
  requestsPerMinute: 5_000,
  maxConcurrent: 250,
};

/** Checks a partial {@link LimitSettings} (from options or the admin endpoint); throws `RangeError`. */
export function checkLimitSettings(settings: Partial<LimitSettings>): Partial<LimitSettings> {
  const checked: Partial<LimitSettings> = {};
  for (const [key, value] of Object.entries(settings) as [keyof LimitSettings, unknown][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_LIMITS)) throw new RangeError(`unknown limit "${key}"`);
    if (key === "enforceLimits") {
      if (typeof value !== "boolean") throw new RangeError("enforceLimits must be a boolean");
      checked.enforceLimits = value;
    } else {
      if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
        throw new RangeError(`${key} must be a positive integer`);
      checked[key] = value;
    }
  }
  return checked;
}

/**
 * Requests per minute: like the complexity budget, a window that opens with its first request and
 * resets 60 s (emulator time) later; every request counts, refused ones too.
 */
export class RequestWindow {
  private windowStart: number | null = null;
  private count = 0;

  constructor(private readonly clock: () => number) {}

  /** Counts one request; returns the emulator ms to wait when it is over `limit`, else undefined. */
  admit(limit: number): number | undefined {
    const now = this.expire();
    this.windowStart ??= now;
    this.count++;
    return this.count > limit ? this.windowStart + WINDOW_MS - now : undefined;
  }

  /** Requests left in the window out of `limit` (what `RateLimit`'s `minuteRate` reports). */
  remaining(limit: number): number {
    this.expire();
    return Math.max(0, limit - this.count);
  }

  /** Emulator ms until the window resets; a whole window when none is open. */
  resetInMs(): number {
    const now = this.expire();
    return this.windowStart === null ? WINDOW_MS : this.windowStart + WINDOW_MS - now;
  }

  /** Closes a window that has run its 60 s; returns the time. */
  private expire(): number {
    const now = this.clock();
    if (this.windowStart !== null && now >= this.windowStart + WINDOW_MS) {
      this.windowStart = null;
      this.count = 0;
    }
    return now;
  }
}

/** The 429s the emulator sends, as monday words them (API-FACTS "Rate limits"; monday's rate-limit docs). */
export const LIMIT_ERRORS = {
  budget: { code: "COMPLEXITY_BUDGET_EXHAUSTED", message: "Complexity budget exhausted" },
  requests: { code: "RATE_LIMIT_EXCEEDED", message: "Rate Limit Exceeded" },
  concurrency: { code: "maxConcurrencyExceeded", message: "Max concurrent requests exceeded" },
} as const;

/** Which limit refused a request. */
export type LimitKind = keyof typeof LIMIT_ERRORS;

/** A refused request waits this long (emulator ms) after a concurrency 429: slots free up as calls end. */
export const CONCURRENCY_RETRY_MS = 1_000;
