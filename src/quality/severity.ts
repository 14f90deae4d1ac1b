import { QUALITY_SEVERITIES, type QualitySeverity } from "../db/types.js";

/** How bad an issue is: INFO and WARNING rows are synced, ERROR rows quarantined, CRITICAL halts the customer. */
export type Severity = QualitySeverity;
export const SEVERITIES = QUALITY_SEVERITIES;

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
  return SEVERITY_EFFECTS[a].rank >= SEVERITY_EFFECTS[b].rank ? a : b;
}

/** Whether `a` is at least as bad as `b`. */
export function atLeast(a: Severity, b: Severity): boolean {
  return SEVERITY_EFFECTS[a].rank >= SEVERITY_EFFECTS[b].rank;
}
