/** One cached aggregate: its value (once computed), when it was computed, and the computation under way. */
interface Entry<T> {
  value?: T;
  at: number;
  running?: Promise<T>;
}

/** When a cached answer was computed, for the page to say so. */
export interface Cached<T> {
  value: T;
  computedAt: number;
  /** True when the answer is older than the TTL and a fresh one is being computed behind it. */
  stale: boolean;
}

/**
 * A small cache of expensive aggregates (the analytics over a large orders table), by key:
 * - an answer younger than `ttlMs` is served as it is;
 * - an older one, up to `maxStaleMs`, is served at once while one refresh runs behind it
 *   (stale-while-revalidate), so a page never waits for a recomputation it has an answer for;
 * - callers asking for the same key while it is computed share that one computation (single flight);
 * - at most `maxEntries` keys are kept, the oldest dropped first.
 *
 * @example
 * const cache = new AggregateCache<Row[]>({ ttlMs: 30_000 });
 * const { value } = await cache.get("wip|{}", () => workInProgress(db, source, filter));
 */
export class AggregateCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly maxEntries: number;

  constructor(
    opts: { ttlMs: number; maxStaleMs?: number; maxEntries?: number },
    private readonly now: () => number = Date.now,
  ) {
    this.ttlMs = opts.ttlMs;
    this.maxStaleMs = opts.maxStaleMs ?? opts.ttlMs * 10;
    this.maxEntries = opts.maxEntries ?? 200;
  }

  /** The answer for `key`, computed with `compute` when there is none young enough. */
  async get(key: string, compute: () => Promise<T>): Promise<Cached<T>> {
    const entry = this.entries.get(key);
    const age = entry && entry.value !== undefined ? this.now() - entry.at : Infinity;
    if (entry && age <= this.ttlMs) return { value: entry.value as T, computedAt: entry.at, stale: false };
    if (entry && age <= this.maxStaleMs) {
      this.refresh(key, entry, compute).catch(() => undefined);
      return { value: entry.value as T, computedAt: entry.at, stale: true };
    }
    const fresh = entry ?? { at: 0 };
    const value = await this.refresh(key, fresh, compute);
    return { value, computedAt: fresh.at, stale: false };
  }

  /**
   * Computes the answer for `key` now, whatever the age of the one held (joining a computation already
   * under way): a warm-up, or a refresh before the answer would be too old to serve.
   */
  warm(key: string, compute: () => Promise<T>): Promise<T> {
    return this.refresh(key, this.entries.get(key) ?? { at: 0 }, compute);
  }

  /** How long an answer may be served while a fresh one is computed (ms). */
  get staleLimitMs(): number {
    return this.maxStaleMs;
  }

  private refresh(key: string, entry: Entry<T>, compute: () => Promise<T>): Promise<T> {
    if (entry.running) return entry.running;
    if (!this.entries.has(key)) this.remember(key, entry);
    entry.running = compute()
      .then((value) => {
        entry.value = value;
        entry.at = this.now();
        return value;
      })
      .finally(() => {
        entry.running = undefined;
        if (entry.value === undefined) this.entries.delete(key);
      });
    return entry.running;
  }

  private remember(key: string, entry: Entry<T>): void {
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
