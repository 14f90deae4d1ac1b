// Issue 12: a SQLite lock held past the busy timeout, and a full disk, used to end in stack traces
// ("driver has already been destroyed" for the other customers). Now: one line, exit 2, and the next
// run, once the lock is gone or there is room again, leaves the boards equal to the database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wireApp } from "../../src/app.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { loadSettings, type Settings } from "../../src/config/index.js";
import { openDatabase, type Db } from "../../src/db/index.js";
import { outcomeOf } from "../../src/errors/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { runCli } from "../helpers/cli.js";
import { boardView, expectBoardsMatchDatabase } from "../helpers/sync-env.js";

const ORDERS = 60;

/** One line on stderr besides the JSON log lines, no stack frame, nothing about a destroyed driver. */
function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr
    .trim()
    .split("\n")
    .filter((l) => !l.startsWith("{"));
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at |destroyed|unexpected error/);
}

describe("SQLite locked past the busy timeout, and full", () => {
  let dir = "";
  let config = "";
  let settings: Settings;
  let emulator: Emulator;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "order-sync-faults-"));
    expect((await runCli(["init", "--dir", dir, "--orders", String(ORDERS)])).code).toBe(0);
    config = join(dir, "order-sync.yaml");
    settings = loadSettings(config);
    emulator = await startEmulator({ port: 0, boards: emulatorBoards(settings.config) });
    env = {
      MONDAY_API_URL: emulator.url,
      MONDAY_API_TOKEN: "faults",
      ORDER_SYNC_SQLITE_BUSY_TIMEOUT_MS: "300",
    };
    settings = loadSettings(config, { ...process.env, ...env });
  }, 120_000);

  afterAll(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a write lock held by another process: one line, exit 2; the next run syncs everything", async () => {
    const other = new SqliteDatabase(settings.db.url);
    other.exec("begin immediate");
    try {
      const locked = await runCli(["sync", "--config", config], { env });
      expectOneLine(
        locked.stderr,
        /^order-sync: SQLite database .* is locked: another connection held its write lock longer than the busy timeout \(300 ms/,
      );
      expect(locked.code).toBe(2);
      expect(emulator.log.writeRequests).toBe(0);
    } finally {
      other.exec("rollback");
      other.close();
    }
    const after = await runCli(["sync", "--config", config], { env });
    expect(after.code, after.stderr).toBe(0);
    const db = await openDatabase(settings.db);
    try {
      expect(await expectBoardsMatchDatabase(boardView(db, emulator, settings), db)).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  }, 180_000);

  /** A sync in this process on a database that may grow by only `pages` pages (`max_page_count`). */
  async function syncWithRoom(db: Db, pages: number) {
    // No free pages left to reuse: every write of the run needs the file to grow.
    await sql`vacuum`.execute(db.kysely);
    const count = await sql<{ page_count: number }>`pragma page_count`.execute(db.kysely);
    await sql.raw(`pragma max_page_count = ${count.rows[0]!.page_count + pages}`).execute(db.kysely);
    try {
      return await wireApp(settings, db).sync();
    } catch (e) {
      return e;
    } finally {
      await sql.raw("pragma max_page_count = 1073741823").execute(db.kysely);
    }
  }

  /** Whether a sync that ran out of room ended in one-line database errors with exit 2 (asserted). */
  function expectFullEnding(full: unknown): boolean {
    const why = /database or disk is full/;
    if (full instanceof Error) {
      // A DatabaseError, or the migration error that carries its message: exit 2 either way.
      expect(outcomeOf(full)).toBe("config");
      expect(full.message).not.toContain("\n");
      expect(full.message).toMatch(why);
      return true;
    }
    const summary = full as Awaited<ReturnType<ReturnType<typeof wireApp>["sync"]>>;
    const failed = summary.customers.filter((c) => !c.ok);
    for (const c of failed) expect(c.error).toMatch(why);
    if (failed.length) expect(summary.exitCode).toBe(2);
    return failed.length > 0;
  }

  it("a full disk at each point of a run: one-line errors, exit 2; with room again nothing is lost or doubled", async () => {
    const db = await openDatabase(settings.db);
    let failures = 0;
    let failedAfterWrites = 0;
    try {
      // More room each round, until a run fits: the disk fills at a later step every time.
      for (let pages = 0; pages <= 24; pages++) {
        // Work for the run: a third of the orders changed.
        await sql`update "ORDERS_UNIFIED" set "PO NUMBER" = ${`PO-FULL-${pages}`}
          where "AAG ORDER NUMBER" in (select "AAG ORDER NUMBER" from "ORDERS_UNIFIED"
          order by "AAG ORDER NUMBER" limit ${ORDERS / 3})`.execute(db.kysely);
        const writes = emulator.log.writeRequests;
        const failed = expectFullEnding(await syncWithRoom(db, pages));
        const again = await wireApp(settings, db).sync();
        expect(again.exitCode, JSON.stringify(again.customers)).toBe(0);
        await expectBoardsMatchDatabase(boardView(db, emulator, settings), db);
        if (!failed) break;
        failures++;
        if (emulator.log.writeRequests > writes) failedAfterWrites++;
      }
    } finally {
      await db.close();
    }
    expect(failures).toBeGreaterThanOrEqual(3);
    // Runs that wrote to monday and then could not record it: the next run adopted, never doubled.
    expect(failedAfterWrites).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
