import type SqliteDatabase from "better-sqlite3";

/**
 * The SQLite function that fingerprints a source row (issue 16): `order_sync_fingerprint(salt, v1, v2, …)`,
 * 16 hex digits. SQLite has no hash of its own, so the function runs in JavaScript once per source row on
 * every no-op sync: it hashes the values where they arrive instead of joining their text and calling MD5
 * (a third of the time of a million-order no-op went to that). Each value is hashed with its type and
 * length, so two rows fingerprint alike only when every value is alike; integers arrive exact (BigInt).
 *
 * The hash is {@link rowHash64}, a non-cryptographic 64-bit hash: a fingerprint is only ever compared with
 * the same order's previous one, so an edit goes unseen only if its two fingerprints collide, about 1 in
 * 2^64 (nobody chooses the values to make them collide: the salt is the mapping's own fingerprint).
 */
export const SQLITE_FINGERPRINT = "order_sync_fingerprint";

/**
 * Builds {@link rowHash64}. Self-contained (it refers to nothing outside itself), so the SQLite reader
 * threads evaluate its source text ({@link ROW_HASH_SOURCE}) and compute the very same function.
 */
function rowHashFactory(): (salt: string, values: readonly unknown[]) => string {
  /** Type tags mixed in before each value, so NULL, `''`, `1` and `'1'` all differ. */
  const TAG = { null: 1, text: 2, integer: 3, real: 4, blob: 5 } as const;

  /** Two 32-bit lanes, each a multiply–xorshift step (murmur3's constants). */
  class Lanes {
    h1: number;
    h2: number;
    constructor(h1: number, h2: number) {
      this.h1 = h1;
      this.h2 = h2;
    }
    mix(w: number): void {
      let h1 = Math.imul(this.h1 ^ w, 0x85ebca6b);
      let h2 = Math.imul(this.h2 ^ w, 0xc2b2ae35);
      h1 ^= h1 >>> 15;
      h2 ^= h2 >>> 13;
      this.h1 = h1;
      this.h2 = h2;
    }
    /** A text's UTF-16 code units, two a step. */
    text(s: string): void {
      const n = s.length;
      let j = 0;
      for (; j + 1 < n; j += 2) this.mix(s.charCodeAt(j) | (s.charCodeAt(j + 1) << 16));
      if (j < n) this.mix(s.charCodeAt(j));
    }
    bytes(b: Uint8Array): void {
      for (const x of b) this.mix(x);
    }
    hex(): string {
      let h1 = this.h1 ^ (this.h2 >>> 16);
      h1 = Math.imul(h1, 0x85ebca6b);
      h1 ^= h1 >>> 13;
      let h2 = this.h2 ^ (h1 >>> 15);
      h2 = Math.imul(h2, 0xc2b2ae35);
      h2 ^= h2 >>> 16;
      return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
    }
  }

  function value(lanes: Lanes, v: unknown): void {
    if (v === null || v === undefined) return lanes.mix(TAG.null);
    if (typeof v === "string") {
      lanes.mix(TAG.text | (v.length << 3));
      return lanes.text(v);
    }
    if (v instanceof Uint8Array) {
      lanes.mix(TAG.blob | (v.length << 3));
      return lanes.bytes(v);
    }
    const text = String(v);
    lanes.mix((typeof v === "bigint" ? TAG.integer : TAG.real) | (text.length << 3));
    lanes.text(text);
  }

  /** The salt's lanes, kept for the next call (every call of one query passes the same salt). */
  let salted: { salt: string | undefined; h1: number; h2: number } = { salt: undefined, h1: 0, h2: 0 };

  return (salt, values) => {
    if (salted.salt !== salt) {
      const s = new Lanes(0x6a09e667, 0xbb67ae85);
      value(s, salt);
      salted = { salt, h1: s.h1, h2: s.h2 };
    }
    const lanes = new Lanes(salted.h1, salted.h2);
    for (const v of values) value(lanes, v);
    return lanes.hex();
  };
}

/**
 * The 64-bit hash (hex) of a salt and a row's values, as {@link SQLITE_FINGERPRINT} computes it.
 *
 * @example rowHash64("salt", ["AAG-0000001", 74n, null]) // 16 hex digits
 */
export const rowHash64 = rowHashFactory();

/** {@link rowHashFactory}'s source text: an expression whose value is the factory. */
export const ROW_HASH_SOURCE = `(${rowHashFactory.toString()})`;

/** Registers {@link SQLITE_FINGERPRINT} on a better-sqlite3 connection. */
export function registerSqliteFingerprint(database: SqliteDatabase.Database): void {
  database.function(
    SQLITE_FINGERPRINT,
    { deterministic: true, varargs: true, safeIntegers: true },
    (salt: unknown, ...values: unknown[]) => rowHash64(String(salt), values),
  );
}
