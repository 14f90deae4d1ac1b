// Issue 13, item 9: retention. `prune [--dry-run] [--json]` removes superseded change-log entries, old
// finished runs with no change log left and old per-run report files, keeping what rollback needs.
import {
  existsSync,
  lutimesSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { loadSettings } from "../../src/config/index.js";
import { openDatabase } from "../../src/db/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import type { PruneReport } from "../../src/retention/index.js";
import { runCli, spawnCli } from "../helpers/cli.js";

const DAY = 86_400_000;
let dir = "";
let config = "";
let emulator: Emulator;
let env: Record<string, string>;
let batches: string[] = [];

interface LogRow {
  change_id: number;
  batch_id: string;
  customer: string;
  order_key: string;
}

async function sync(): Promise<void> {
  const r = await runCli(["sync", "--json", "--config", config], { env });
  expect(r.code, r.stderr).toBe(0);
}

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadSettings(config).db);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const changeOrders = (keys: string[]) =>
  withDb((db) =>
    sql`update "ORDERS_UNIFIED" set "COLOR" = "COLOR" || ' X' where "AAG ORDER NUMBER" in (${sql.join(keys)})`.execute(
      db.kysely,
    ),
  );

/** Every run and change 200 days old, in their order. */
const backdate = () =>
  withDb(async (db) => {
    const old = Date.now() - 200 * DAY;
    for (const [i, b] of batches.entries()) {
      const at = new Date(old + i * 60_000).toISOString();
      await db.kysely
        .updateTable("MON_SyncRuns")
        .set({ started_at: at, finished_at: at })
        .where("batch_id", "=", b)
        .execute();
      await db.kysely
        .updateTable("MON_ChangeLog")
        .set({ changed_at: at })
        .where("batch_id", "=", b)
        .execute();
    }
  });

const changeLog = () =>
  withDb((db) =>
    db.kysely
      .selectFrom("MON_ChangeLog")
      .select(["change_id", "batch_id", "customer", "order_key"])
      .orderBy("change_id")
      .execute(),
  ) as Promise<LogRow[]>;

/** The entries a later batch of the same order superseded (the rule, computed here over the whole log). */
function superseded(rows: readonly LogRow[]): LogRow[] {
  return rows.filter((r) =>
    rows.some(
      (n) =>
        n.customer === r.customer &&
        n.order_key === r.order_key &&
        n.change_id > r.change_id &&
        n.batch_id !== r.batch_id,
    ),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "order-sync-prune-"));
  expect((await runCli(["init", "--dir", dir, "--orders", "30"])).code).toBe(0);
  config = join(dir, "order-sync.yaml");
  // The starter config sets retention: { runs: 90d, changeLog: 180d, reports: 30d }.
  expect(loadSettings(config).config.retention).toEqual({ runs: "90d", changeLog: "180d", reports: "30d" });
  emulator = await startEmulator({ port: 0, boards: emulatorBoards(loadSettings(config).config) });
  env = { MONDAY_API_TOKEN: "test-token", MONDAY_API_URL: emulator.url };
  // Batch 1 creates every order; batches 2 and 3 change orders 1 and 2; batch 4 changes nothing.
  await sync();
  await changeOrders(["AAG-0000001", "AAG-0000002"]);
  await sync();
  await changeOrders(["AAG-0000001", "AAG-0000002"]);
  await sync();
  await sync();
  batches = await withDb(async (db) =>
    (await db.kysely.selectFrom("MON_SyncRuns").select("batch_id").orderBy("started_at").execute()).map(
      (r) => r.batch_id,
    ),
  );
  expect(batches).toHaveLength(4);
  await backdate();
}, 300_000);
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("prune", () => {
  it("--dry-run --json: what would go, removing nothing; a batch a rollback hold names stays", async () => {
    const before = await changeLog();
    const expected = superseded(before);
    expect(new Set(expected.map((r) => r.batch_id))).toEqual(new Set([batches[0], batches[1]]));
    expect(expected.filter((r) => r.batch_id === batches[1])).toHaveLength(
      before.filter((r) => r.batch_id === batches[1]).length,
    );
    const dry = await runCli(["prune", "--dry-run", "--json", "--config", config], { env });
    expect(dry.code, dry.stderr).toBe(0);
    const report = JSON.parse(dry.stdout) as PruneReport;
    expect(report.rows.MON_ChangeLog).toBe(expected.length);
    // Batch 2 loses every entry, batch 4 had none: both runs go; batches 1 and 3 keep entries.
    expect(report.rows.MON_SyncRuns).toBe(2);
    expect(report.rows.MON_SyncRunCustomers).toBeGreaterThan(0);
    expect(await changeLog()).toEqual(before);

    await withDb((db) =>
      db.kysely
        .insertInto("MON_RollbackHolds")
        .values({
          customer: "NORTHWIND APPAREL",
          order_key: "AAG-0000009",
          batch_id: batches[1]!,
          rollback_batch_id: "R-1",
          held_hash: null,
          held_at: new Date().toISOString(),
        })
        .execute(),
    );
    const held = JSON.parse(
      (await runCli(["prune", "--dry-run", "--json", "--config", config], { env })).stdout,
    ) as PruneReport;
    expect(held.rows.MON_ChangeLog).toBe(expected.filter((r) => r.batch_id !== batches[1]).length);
    expect(held.rows.MON_SyncRuns).toBe(1);
    await withDb((db) => db.kysely.deleteFrom("MON_RollbackHolds").execute());
  }, 120_000);

  it("removes them, keeps each order's newest batch, and the newest batch can still be rolled back", async () => {
    const before = await changeLog();
    const gone = superseded(before);
    const r = await runCli(["prune", "--config", config], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^MON_ChangeLog\\s+${gone.length} rows\\s+older than `, "m"));
    expect(r.stdout).toMatch(/^MON_SyncRuns\s+2 rows\s+older than /m);
    const after = await changeLog();
    expect(after).toEqual(before.filter((row) => !gone.includes(row)));
    const runs = await withDb((db) => db.kysely.selectFrom("MON_SyncRuns").select("batch_id").execute());
    expect(runs.map((x) => x.batch_id).sort()).toEqual([batches[0], batches[2]].sort());
    const rollback = await runCli(["rollback", batches[2]!, "--dry-run", "--config", config], { env });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain("AAG-0000001");
    const again = JSON.parse(
      (await runCli(["prune", "--json", "--config", config], { env })).stdout,
    ) as PruneReport;
    expect(again.rows).toEqual({ MON_ChangeLog: 0, MON_SyncRuns: 0, MON_SyncRunCustomers: 0 });
  }, 120_000);

  it("report files: only old per-run reports inside the folder, never latest, never through a symlink", async () => {
    const reports = join(dir, "validation-reports");
    mkdirSync(reports, { recursive: true });
    const outside = join(dir, "outside.json");
    writeFileSync(outside, "{}");
    const files = {
      old: join(reports, "validation-B-old.json"),
      oldHtml: join(reports, "validation-B-old.html"),
      fresh: join(reports, "validation-B-new.json"),
      latest: join(reports, "validation-latest.html"),
      other: join(reports, "notes.txt"),
      link: join(reports, "validation-B-link.json"),
    };
    for (const f of [files.old, files.oldHtml, files.fresh, files.latest, files.other]) writeFileSync(f, "x");
    symlinkSync(outside, files.link);
    const old = new Date(Date.now() - 40 * DAY);
    for (const f of [files.old, files.oldHtml, files.latest, files.other, outside]) utimesSync(f, old, old);
    lutimesSync(files.link, old, old);
    const r = JSON.parse(
      (await runCli(["prune", "--json", "--config", config], { env })).stdout,
    ) as PruneReport;
    expect(r.reportFiles.sort()).toEqual([files.oldHtml, files.old].sort());
    expect(existsSync(files.old) || existsSync(files.oldHtml)).toBe(false);
    for (const f of [files.fresh, files.latest, files.other, files.link, outside])
      expect(existsSync(f)).toBe(true);
  }, 60_000);

  it("a report folder that is a symlink is left alone; a bad age is a config error naming the key", async () => {
    const target = mkdtempSync(join(tmpdir(), "order-sync-prune-target-"));
    const victim = join(target, "validation-B-victim.json");
    writeFileSync(victim, "x");
    const old = new Date(Date.now() - 40 * DAY);
    utimesSync(victim, old, old);
    const linked = join(dir, "linked.yaml");
    writeFileSync(linked, `${readFileSync(config, "utf8")}quality: { reportDir: linked-reports }\n`);
    symlinkSync(target, join(dir, "linked-reports"));
    const r = await runCli(["prune", "--config", linked], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/note: report folder .*linked-reports is a symlink: not pruned/);
    expect(existsSync(victim)).toBe(true);
    rmSync(target, { recursive: true, force: true });

    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, readFileSync(config, "utf8").replace("runs: 90d", "runs: 3 months"));
    const b = await runCli(["prune", "--config", bad], { env });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/retention\.runs: must be a whole number of hours, days or weeks/);
  }, 60_000);

  it("serve prunes after its scheduled run: an old finished run with no change log goes", async () => {
    const old = new Date(Date.now() - 200 * DAY).toISOString();
    await withDb((db) =>
      db.kysely
        .insertInto("MON_SyncRuns")
        .values({
          batch_id: "B-ancient",
          started_at: old,
          finished_at: old,
          status: "SUCCESS",
          customers: "[]",
          counts: "{}",
          api_requests: 0,
          error: null,
          command: "sync",
        })
        .execute(),
    );
    const child = spawnCli(["serve", "--config", config, "--port", "0", "--log-format", "json"], { env });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buffer = "";
        const timer = setTimeout(() => reject(new Error(`no "pruned" log line; stderr: ${buffer}`)), 120_000);
        child.stderr?.on("data", (d: Buffer) => {
          buffer += d.toString();
          const found = buffer.split("\n").find((l) => l.includes('"msg":"pruned"'));
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        });
      });
      const entry = JSON.parse(line) as { rows: PruneReport["rows"] };
      expect(entry.rows.MON_SyncRuns).toBeGreaterThanOrEqual(1);
      const left = await withDb((db) =>
        db.kysely.selectFrom("MON_SyncRuns").select("batch_id").where("batch_id", "=", "B-ancient").execute(),
      );
      expect(left).toEqual([]);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("close", r));
    }
  }, 180_000);
});
