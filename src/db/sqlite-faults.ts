import type { DatabaseConnection, Driver } from "kysely";
import { DatabaseError } from "./open.js";

/**
 * How long a SQLite statement waits for another process's write to finish before `database is locked`,
 * unless `ORDER_SYNC_SQLITE_BUSY_TIMEOUT_MS` (or {@link OpenOptions.busyTimeoutMs}) says otherwise.
 * Write transactions are short (one request's rows), so this is only reached when something is stuck.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 30_000;

/** The busy timeout for a SQLite file: the option, else `ORDER_SYNC_SQLITE_BUSY_TIMEOUT_MS`, else 30 s. */
export function sqliteBusyTimeout(option?: number, env: NodeJS.ProcessEnv = process.env): number {
  if (option !== undefined) return option;
  const text = env.ORDER_SYNC_SQLITE_BUSY_TIMEOUT_MS?.trim();
  if (!text) return SQLITE_BUSY_TIMEOUT_MS;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 0)
    throw new DatabaseError(
      `ORDER_SYNC_SQLITE_BUSY_TIMEOUT_MS must be a whole number of milliseconds, got ${JSON.stringify(text)}`,
      "sqlite",
      "",
    );
  return ms;
}

/** What each family of SQLite result codes means to the user (better-sqlite3 `SqliteError.code`). */
const FAULTS: readonly { prefix: string; say: (file: string, busyMs: number) => string }[] = [
  {
    prefix: "SQLITE_BUSY",
    say: (file, ms) =>
      `SQLite database ${file} is locked: another connection held its write lock longer than the busy timeout (${ms} ms, ORDER_SYNC_SQLITE_BUSY_TIMEOUT_MS); what was not recorded is sent again or adopted by key on the next run, so run again once the other process is done`,
  },
  {
    prefix: "SQLITE_LOCKED",
    say: (file) => `SQLite database ${file} is locked by another statement of this process; run again`,
  },
  {
    prefix: "SQLITE_FULL",
    say: (file) =>
      `SQLite database ${file} cannot grow (database or disk is full): free disk space, then run again; what was not recorded is sent again or adopted by key on the next run`,
  },
  {
    prefix: "SQLITE_IOERR",
    say: (file) =>
      `SQLite database ${file} could not be read or written (disk I/O error): check the disk, then run again`,
  },
];

/**
 * The one-line {@link DatabaseError} (exit 2) for a SQLite error that says the file cannot be used now
 * (locked past the busy timeout, full, an I/O error), or `e` itself for anything else (a constraint, a bug).
 */
export function sqliteFault(e: unknown, file: string, busyMs: number): unknown {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== "string" || !(e instanceof Error)) return e;
  const fault = FAULTS.find((f) => code.startsWith(f.prefix));
  return fault ? new DatabaseError(fault.say(file, busyMs), "sqlite", file, code, { cause: e }) : e;
}

const guarded = new WeakSet<DatabaseConnection>();

/**
 * Makes every statement of the driver's connections throw {@link sqliteFault}'s errors: a lock held past
 * the busy timeout or a full disk ends a customer's run (or the command) in one line instead of a stack.
 */
export function guardSqliteDriver(driver: Driver, file: string, busyMs: number): Driver {
  const acquire = driver.acquireConnection.bind(driver);
  driver.acquireConnection = async () => {
    const connection = await acquire();
    if (guarded.has(connection)) return connection;
    guarded.add(connection);
    const execute = connection.executeQuery.bind(connection);
    connection.executeQuery = async (query) => {
      try {
        return await execute(query);
      } catch (e) {
        throw sqliteFault(e, file, busyMs);
      }
    };
    return connection;
  };
  return driver;
}
