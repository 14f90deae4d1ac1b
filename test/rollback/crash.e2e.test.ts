import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings, type Settings } from "../../src/config/index.js";
import { openDatabase, type Db } from "../../src/db/index.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { runCli, spawnCli } from "../helpers/cli.js";
import { badBatch, boardSnapshot, withoutIds } from "../helpers/rollback.js";
import { boardView, stagedCount } from "../helpers/sync-env.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exited = (child: ChildProcess) => new Promise<number | null>((r) => child.on("close", (c) => r(c)));

interface RollbackJson {
  batchId: string | null;
  undo: { orderKey: string; action: string }[];
  conflicts: unknown[];
  alreadyUndone: number;
  exitCode: number;
}

describe("a rollback killed with SIGKILL half-way, then run again (CLI, SQLite)", () => {
  let dir: string;
  let config: string;
  let emulator: Emulator;
  let settings: Settings;
  let env: Record<string, string>;
  let db: Db;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "order-sync-rollback-crash-"));
    expect((await runCli(["init", "--dir", dir, "--orders", "200"])).code).toBe(0);
    config = join(dir, "order-sync.yaml");
    settings = loadSettings(config, {});
    emulator = await startEmulator({ port: 0, boards: emulatorBoards(settings.config), latencyMs: 40 });
    env = { MONDAY_API_URL: emulator.url, MONDAY_API_TOKEN: "rollback-crash" };
    db = await openDatabase(settings.db);
  });
  afterAll(async () => {
    await db?.close();
    await emulator?.close();
  });

  it("ends with the board as before the batch: no duplicate, nothing undone twice", async () => {
    expect((await runCli(["sync", "--config", config], { env })).code).toBe(0);
    const view = boardView(db, emulator, settings);
    const before = await boardSnapshot(view);
    const keys = await badBatch(db, { updated: 10, created: 6, cancelled: 4 });
    const batch = await runCli(["sync", "--json", "--config", config], { env });
    expect(batch.code).toBe(0);
    const batchId = (JSON.parse(batch.stdout) as { batchId: string }).batchId;

    // Small requests from here on, so the kill lands between two of them.
    writeFileSync(config, readFileSync(config, "utf8").replace("batchSize: 50", "batchSize: 4"));
    const dry = await runCli(["rollback", batchId, "--dry-run", "--json", "--config", config], { env });
    const planned = JSON.parse(dry.stdout) as RollbackJson;
    expect(planned.undo).toHaveLength(keys.updated.length + keys.created.length + keys.cancelled.length);

    const mark = emulator.log.entries.length;
    const child = spawnCli(["rollback", batchId, "--config", config], { env });
    const done = exited(child);
    const deadline = Date.now() + 30_000;
    while (emulator.log.entries.length - mark < 6 && child.exitCode === null && Date.now() < deadline)
      await sleep(10);
    child.kill("SIGKILL");
    expect(await done).toBeNull();
    const firstWrites = emulator.log.entries.length - mark;
    expect(firstWrites).toBeGreaterThan(0);

    const again = await runCli(["rollback", batchId, "--json", "--config", config], { env });
    expect(again.stderr).not.toContain("unexpected error");
    const second = JSON.parse(again.stdout) as RollbackJson;
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    // The second run did only what the first had not: together, exactly the planned undo.
    expect(second.undo.length).toBeLessThan(planned.undo.length);
    expect(second.undo.length + second.alreadyUndone).toBe(planned.undo.length);
    expect(second.conflicts).toEqual([]);

    expect(withoutIds(await boardSnapshot(view))).toEqual(withoutIds(before));
    expect(await stagedCount(db)).toBe(0);
    // Each cancelled order was re-created once; each created item archived once.
    const ops = emulator.log.entries.slice(mark).filter((e) => e.ok);
    const created = ops.filter((e) => e.operation === "create_item");
    expect(created).toHaveLength(keys.cancelled.length);
    const archived = new Set(ops.filter((e) => e.operation === "archive_item").map((e) => e.itemId));
    expect(archived.size).toBe(ops.filter((e) => e.operation === "archive_item").length);

    // runs show: what the batch did, the same orders the rollback undid, before → after.
    const show = await runCli(["runs", "show", batchId, "--json", "--config", config], { env });
    const changes = (JSON.parse(show.stdout) as { changes: { orderKey: string; action: string }[] }).changes;
    expect(changes.map((c) => c.orderKey).sort()).toEqual(planned.undo.map((u) => u.orderKey).sort());
    expect(changes.filter((c) => c.action === "ARCHIVE")).toHaveLength(keys.cancelled.length);

    // The holds show in status; release --batch ends them.
    const status = await runCli(["status", "--json", "--config", config], { env });
    const held = (JSON.parse(status.stdout) as { held: { batchId: string; count: number }[] }).held;
    expect(held.reduce((n, h) => n + h.count, 0)).toBe(planned.undo.length);
    const release = await runCli(["release", "--batch", batchId, "--json", "--config", config], { env });
    expect(JSON.parse(release.stdout)).toEqual({ released: planned.undo.length });
  }, 240_000);
});
