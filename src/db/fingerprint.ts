import { createHash } from "node:crypto";
import type SqliteDatabase from "better-sqlite3";

/**
 * The SQLite function that fingerprints a source row (issue 16): `order_sync_fingerprint(salt, v1, v2, …)`,
 * the MD5 (hex) of the salt and each value as `length:text` (`-` for NULL, `x` + hex for a blob), so two
 * rows fingerprint alike only when every value is alike. Integers arrive exact (BigInt), not as doubles.
 */
export const SQLITE_FINGERPRINT = "order_sync_fingerprint";

function piece(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (Buffer.isBuffer(value)) return `x${value.toString("hex")}`;
  const text = String(value);
  return `${text.length}:${text}`;
}

/** Registers {@link SQLITE_FINGERPRINT} on a better-sqlite3 connection. */
export function registerSqliteFingerprint(database: SqliteDatabase.Database): void {
  database.function(
    SQLITE_FINGERPRINT,
    { deterministic: true, varargs: true, safeIntegers: true },
    (...values: unknown[]) => {
      return createHash("md5").update(values.map(piece).join("")).digest("hex");
    },
  );
}
