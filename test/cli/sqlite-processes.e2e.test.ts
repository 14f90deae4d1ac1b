// Issue 13, item 7: two `sync` processes and a `serve` on one SQLite file, started together three times:
// no customer fails with `database is locked`, and the boards end equal to the database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { loadSettings, type Settings } from "../../src/config/index.js";
import { openDatabase, type Db } from "../../src/db/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { runCli, spawnCli, waitForLine } from "../helpers/cli.js";
import { editConfigFile, getJson, type ServeProcess } from "../helpers/serve.js";
import { boardView, expectBoardsMatchDatabase } from "../helpers/sync-env.js";

const ORDERS = 400;
const ROUNDS = 3;

/** `serve` on a free port; on a loaded 2-core machine three processes starting at once take a while. */
async function startServe(config: string, env: Record<string, string>): Promise<ServeProcess> {
  const child = spawnCli(["serve", "--config", config, "--port", "0"], { env });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const line = await waitForLine(child, /listening on http/, 180_000);
  return { child, url: /(http:\/\/\S+)/.exec(line)?.[1] ?? "", logs: () => stderr, exited };
}

describe("two syncs and a serve on one SQLite file", () => {
  let dir = "";
  let config = "";
  let settings: Settings;
  let db: Db;
  let emulator: Emulator;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "order-sync-three-"));
    expect((await runCli(["init", "--dir", dir, "--orders", String(ORDERS)])).code).toBe(0);
    config = join(dir, "order-sync.yaml");
    editConfigFile(config, (raw) => {
      raw.serve = { schedule: { intervalSeconds: 3600, runOnStart: true }, shutdownGraceSeconds: 60 };
      raw.sync = { concurrency: 2, batchSize: 10, pageSize: 100, lockTtlSeconds: 60 };
    });
    settings = loadSettings(config);
    emulator = await startEmulator({ port: 0, boards: emulatorBoards(settings.config), latencyMs: 5 });
    db = await openDatabase(settings.db);
  }, 120_000);

  afterAll(async () => {
    await emulator?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("never fails with `database is locked`, three times over; the boards equal the database", async () => {
    const env = { MONDAY_API_URL: emulator.url, MONDAY_API_TOKEN: "three" };
    const logs: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0)
        // Real work in every round: a share of the orders changes.
        await sql`update "ORDERS_UNIFIED" set "PO NUMBER" = ${`PO-R${round}`}
          where "AAG ORDER NUMBER" in (select "AAG ORDER NUMBER" from "ORDERS_UNIFIED"
          order by "AAG ORDER NUMBER" limit ${100 * round})`.execute(db.kysely);
      const [serve, ...syncs] = await Promise.all([
        startServe(config, env),
        runCli(["sync", "--json", "--config", config], { env }),
        runCli(["sync", "--json", "--config", config], { env }),
      ]);
      // serve's first run (runOnStart) has finished once /api/sync reports it.
      for (let i = 0; i < 600; i++) {
        const state = await getJson(`${serve!.url}/api/sync`);
        if (state.body.lastFinished) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      serve!.child.kill("SIGTERM");
      expect(await serve!.exited).toBe(0);
      for (const s of syncs) {
        logs.push(s.stderr);
        expect(s.code, s.stderr.slice(-2000)).toBe(0);
        const summary = JSON.parse(s.stdout) as {
          status: string;
          customers: { error?: string; skipped?: boolean }[];
        };
        expect(summary.customers.filter((c) => c.error && !c.skipped)).toEqual([]);
      }
      logs.push(serve!.logs());
    }
    const all = logs.join("\n");
    expect(all).not.toMatch(/database is locked|SQLITE_BUSY/);
    const runs = await db.kysely.selectFrom("MON_SyncRunCustomers").selectAll().execute();
    const byStatus: Record<string, number> = {};
    for (const r of runs) byStatus[r.status ?? ""] = (byStatus[r.status ?? ""] ?? 0) + 1;
    console.log(`customer runs over ${ROUNDS} rounds of 3 processes: ${JSON.stringify(byStatus)}`);
    expect(byStatus.FAILED ?? 0).toBe(0);
    expect(await db.kysely.selectFrom("MON_SyncLocks").selectAll().execute()).toEqual([]);
    const items = await expectBoardsMatchDatabase(boardView(db, emulator, settings), db);
    expect(items).toBeGreaterThan(ORDERS * 0.8);
  }, 600_000);
});
