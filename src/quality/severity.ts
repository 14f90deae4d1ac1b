import { atLeast, type Severity } from "../config/index.js";

export { atLeast, SEVERITIES, type Severity } from "../config/index.js";

/** What happens to an order after validation. */
export type OrderAction = "SYNC" | "SYNC_WITH_WARNING" | "QUARANTINE";

/** Severities as data: their rank, the action they force on the order, and whether they halt the customer. */
export const SEVERITY_EFFECTS: Readonly<
  Record<Severity, { rank: number; action: OrderAction; halts: boolean }>
> = {
  INFO: { rank: 0, action: "SYNC", halts: false },
  WARNING: { rank: 1, action: "SYNC_WITH_WARNING", halts: false },
  ERROR: { rank: 2, action: "QUARANTINE", halts: false },
  CRITICAL: { rank: 3, action: "QUARANTINE", halts: true },
};

/** The worse of two severities. */
export function worst(a: Severity, b: Severity): Severity {
  return atLeast(a, b) ? a : b;
}
