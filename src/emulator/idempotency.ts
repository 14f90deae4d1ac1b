/** How long a response stays replayable: 30 minutes of emulator time (API-FACTS "Transport"). */
export const IDEMPOTENCY_TTL_MS = 30 * 60 * 1000;

/** A response as it went out, kept whole for replays. */
export interface StoredReply {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: unknown;
}

/** What {@link IdempotencyCache.begin} decided for a key. */
export type IdempotencyDecision =
  { kind: "execute" } | { kind: "replay"; reply: StoredReply } | { kind: "conflict" };

type Entry = { state: "running" } | { state: "done"; reply: StoredReply; expiresAt: number };

/**
 * `Idempotency-Key` handling: the first request with a key executes and its response is kept for
 * 30 minutes; a later request with the key gets that response again; one that arrives while the first
 * is still running is a conflict (409). Keys are scoped to the token, so two tokens never share a cache.
 */
export class IdempotencyCache {
  private readonly entries = new Map<string, Entry>();
  private lastSweep = -Infinity;

  constructor(private readonly clock: () => number) {}

  /** Claims `key` for `token` (decision `execute`), or says why the request must not run. */
  begin(token: string, key: string): IdempotencyDecision {
    this.sweep();
    const id = scopedKey(token, key);
    let entry = this.entries.get(id);
    if (entry?.state === "done" && entry.expiresAt <= this.clock()) entry = undefined;
    if (entry?.state === "running") return { kind: "conflict" };
    if (entry?.state === "done") return { kind: "replay", reply: entry.reply };
    this.entries.set(id, { state: "running" });
    return { kind: "execute" };
  }

  /** Keeps the response of a claimed key. */
  complete(token: string, key: string, reply: StoredReply): void {
    this.entries.set(scopedKey(token, key), {
      state: "done",
      reply,
      expiresAt: this.clock() + IDEMPOTENCY_TTL_MS,
    });
  }

  /** Frees a claimed key whose request was refused before it ran (a 429), so a retry executes. */
  release(token: string, key: string): void {
    const id = scopedKey(token, key);
    if (this.entries.get(id)?.state === "running") this.entries.delete(id);
  }

  /** Drops expired responses, at most once a minute of emulator time. */
  private sweep(): void {
    const now = this.clock();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [id, entry] of this.entries) {
      if (entry.state === "done" && entry.expiresAt <= now) this.entries.delete(id);
    }
  }
}

function scopedKey(token: string, key: string): string {
  return `${token}\u0000${key}`;
}
