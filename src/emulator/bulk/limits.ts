/**
 * The bulk import's documented limits (API-FACTS "Bulk import"; docs "Importing items in bulk" and the
 * `ingest_items` / `backfill_items` reference).
 */

/** `ingest_items` (any editor, counts toward the hourly item budget) or `backfill_items` (admins, create-only). */
export type BulkKind = "ingest" | "backfill";

/** Rows (parents and subitems together) one job may hold: 10,000 ingest, 20,000 backfill. */
export const ROWS_PER_JOB: Readonly<Record<BulkKind, number>> = { ingest: 10_000, backfill: 20_000 };
/** Items an account may ingest an hour; backfill does not consume it. */
export const INGEST_ITEMS_PER_HOUR = 19_000;
/** Successful job starts an account an hour (ingest and backfill together). */
export const JOB_STARTS_PER_HOUR = 100;
/** How long an upload URL (and a report URL) stays valid: 10 minutes. */
export const URL_TTL_MS = 10 * 60_000;
/** The largest file a job takes: 150 MB. */
export const MAX_FILE_BYTES = 150 * 1024 * 1024;
/** One hour of emulator time. */
export const HOUR_MS = 60 * 60_000;
/**
 * Rows a second a job processes when the emulator is not told otherwise. monday does not document its
 * processing speed, so benches run several rates (`bulkRowsPerSecond`).
 */
export const DEFAULT_ROWS_PER_SECOND = 500;

/** A rolling one-hour window of counted events (job starts, ingested items). */
export class HourWindow {
  private entries: { at: number; count: number }[] = [];

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  /** What is left of the hour's allowance now. */
  remaining(): number {
    this.prune();
    return this.limit - this.entries.reduce((sum, e) => sum + e.count, 0);
  }

  /** Emulator ms until `count` more fit (0 when they fit now). */
  waitFor(count: number): number {
    this.prune();
    let left = this.remaining();
    for (const entry of this.entries) {
      if (left >= count) break;
      left += entry.count;
      if (left >= count) return entry.at + HOUR_MS - this.now();
    }
    return 0;
  }

  /** Counts `count` now. */
  add(count: number): void {
    if (count > 0) this.entries.push({ at: this.now(), count });
  }

  private prune(): void {
    const since = this.now() - HOUR_MS;
    this.entries = this.entries.filter((e) => e.at > since);
  }
}
