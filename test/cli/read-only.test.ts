// Issue 13, item 4: plan, validate, doctor, status, runs and boards never create, migrate or write a
// database; a missing database is an error naming the path; plan on a database without order-sync's
// tables plans as for a first run.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { loadSettings } from "../../src/config/index.js";
import { startEmulator } from "../../src/emulator/index.js";
import { runCli } from "../helpers/cli.js";

let dir: string;
const tables = (file: string) =>
  (
    new SqliteDatabase(file, { readonly: true })
      .prepare("select name from sqlite_master where type = 'table' order by name")
      .all() as { name: string }[]
  ).map((t) => t.name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "order-sync-readonly-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("read-only commands", () => {
  it("a missing database is an error naming the path (exit 2), and no file is created", async () => {
    const sub = join(dir, "missing");
    expect((await runCli(["init", "--dir", sub, "--orders", "5"])).code).toBe(0);
    rmSync(join(sub, "order-sync.db"));
    const env = { MONDAY_API_TOKEN: "t", MONDAY_API_URL: "http://127.0.0.1:9/v2" };
    for (const cmd of ["plan", "validate", "doctor", "status", "runs"]) {
      const r = await runCli([cmd, "--config", join(sub, "order-sync.yaml")], { env });
      expect(r.code, cmd).toBe(2);
      expect(r.stderr.trim()).toBe(
        `order-sync: SQLite database ${join(sub, "order-sync.db")} does not exist (source.url or ORDER_SYNC_DB_URL; \`order-sync init\` writes a demo one)`,
      );
      expect(existsSync(join(sub, "order-sync.db")), cmd).toBe(false);
    }
  }, 300_000);

  it("plan on a database without order-sync's tables plans as for a first run and creates none", async () => {
    const sub = join(dir, "first");
    expect((await runCli(["init", "--dir", sub, "--orders", "30"])).code).toBe(0);
    const db = join(sub, "order-sync.db");
    expect(tables(db)).toEqual(["ORDERS_UNIFIED"]);
    const before = statSync(db).mtimeMs;
    const config = join(sub, "order-sync.yaml");
    const emulator = await startEmulator({ port: 0, boards: emulatorBoards(loadSettings(config).config) });
    onTestFinished(() => emulator.close());
    const env = { MONDAY_API_TOKEN: "t", MONDAY_API_URL: emulator.url };
    const plan = await runCli(["plan", "--json", "--config", config], { env });
    expect(plan.code, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout) as { counts: { created: number }; changes: unknown[] };
    expect(planned.counts.created).toBeGreaterThan(0);
    expect(planned.changes).toHaveLength(planned.counts.created);
    for (const cmd of ["runs", "validate", "doctor"]) {
      const r = await runCli([cmd, "--config", config], { env });
      expect(r.stderr, cmd).not.toMatch(/\n\s+at /);
      expect([0, 1], cmd).toContain(r.code);
    }
    const status = await runCli(["status", "--config", config], { env });
    expect(status.stdout).toContain("no runs yet");
    expect(status.stdout).toContain("has no order-sync tables yet");
    expect(tables(db)).toEqual(["ORDERS_UNIFIED"]);
    expect(statSync(db).mtimeMs).toBe(before);
    // After a real sync, plan sees nothing left to do and still writes nothing.
    const sync = await runCli(["sync", "--json", "--config", config], { env });
    expect(sync.code, sync.stderr).toBe(0);
    const after = tables(db);
    expect(after).toContain("MON_SyncState");
    const synced = statSync(db).mtimeMs;
    const again = await runCli(["plan", "--json", "--config", config], { env });
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { changes: unknown[] }).changes).toEqual([]);
    expect(statSync(db).mtimeMs).toBe(synced);
    expect(tables(db)).toEqual(after);
  }, 300_000);
});
