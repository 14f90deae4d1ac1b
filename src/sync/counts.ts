/** Counts for one customer's run (also summed for the whole run). */
export interface SyncCounts {
  created: number;
  updated: number;
  archived: number;
  unchanged: number;
  failed: number;
  dead: number;
  quarantined: number;
  subitemsCreated: number;
  subitemsUpdated: number;
  subitemsArchived: number;
  adopted: number;
  /** Orders left alone because a rollback holds them (issue 15). */
  held: number;
  /** DEAD orders an operator discarded, left alone while their source is unchanged (`order-sync discard`). */
  discarded: number;
}

/** The counts one step adds: only the ones it knows about. */
export type StepCounts = Partial<SyncCounts>;

export const emptyCounts = (): SyncCounts => ({
  created: 0,
  updated: 0,
  archived: 0,
  unchanged: 0,
  failed: 0,
  dead: 0,
  quarantined: 0,
  subitemsCreated: 0,
  subitemsUpdated: 0,
  subitemsArchived: 0,
  adopted: 0,
  held: 0,
  discarded: 0,
});

/**
 * The sum of counts, as a new object: a customer's counts are the sum of its steps', a run's the sum of
 * its customers'.
 *
 * @example sumCounts([{ created: 2 }, { created: 1, failed: 1 }]).created // 3
 */
export function sumCounts(parts: readonly StepCounts[]): SyncCounts {
  const total = emptyCounts();
  for (const part of parts)
    for (const key of Object.keys(total) as (keyof SyncCounts)[]) total[key] += part[key] ?? 0;
  return total;
}

/**
 * A customer's running total: the composer adds each step's counts as the step returns, so a customer that
 * fails midway still reports what its finished steps did. Steps never see it. The sum is kept, not the
 * parts: `plan` adds counts once a change, a million times on a first load (issue 16).
 */
export class CountsTally {
  private readonly sum = emptyCounts();

  add(counts: StepCounts): void {
    for (const key of Object.keys(counts) as (keyof SyncCounts)[]) this.sum[key] += counts[key] ?? 0;
  }

  /** The counts so far, as a new object. */
  get total(): SyncCounts {
    return { ...this.sum };
  }
}
