import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings, type Settings } from "../../src/config/index.js";
import { openDatabase, type Db } from "../../src/db/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { runCli } from "../helpers/cli.js";
import { editConfigFile, startServe } from "../helpers/serve.js";
import { boardView, expectBoardsMatchDatabase, stagedCount } from "../helpers/sync-env.js";

const ORDERS = 600;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SIGTERM while serve is syncing", () => {
  let dir: string;
  let config: string;
  let settings: Settings;
  let emulator: Emulator;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "order-sync-sigterm-"));
    expect((await runCli(["init", "--dir", dir, "--orders", String(ORDERS)])).code).toBe(0);
    config = join(dir, "order-sync.yaml");
    editConfigFile(config, (raw) => {
      raw.serve = { schedule: { intervalSeconds: 3600, runOnStart: true }, shutdownGraceSeconds: 60 };
    });
    settings = loadSettings(config, {});
    // Latency stretches the push so the signal lands in the middle of it.
    emulator = await startEmulator({ port: 0, boards: emulatorBoards(settings.config), latencyMs: 60 });
    env = { MONDAY_API_URL: emulator.url, MONDAY_API_TOKEN: "sigterm-test" };
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("finishes the request in flight, records it, exits 0, and the next run completes the board", async () => {
    const serve = await startServe(config, env);
    // Wait until the scheduled run (runOnStart) is writing items.
    const deadline = Date.now() + 60_000;
    while (emulator.log.writeRequests < 15 && Date.now() < deadline) await sleep(20);
    expect(emulator.log.writeRequests).toBeGreaterThanOrEqual(15);
    const t0 = Date.now();
    serve.child.kill("SIGTERM");
    const code = await serve.exited;
    const stopMs = Date.now() - t0;
    const writesAtStop = emulator.log.writeRequests;
    console.log(`SIGTERM → exit ${code} in ${stopMs} ms after ${writesAtStop} write requests`);
    expect(code, serve.logs().slice(-3000)).toBe(0);
    expect(serve.logs()).toContain("shutting down: finishing the request in flight");

    const db: Db = await openDatabase(settings.db);
    try {
      // Nothing is left IN_FLIGHT: every request sent was answered and recorded before the exit.
      for (const table of ["STG_MON_CustMasterSchedule", "STG_MON_CustMasterSchedule_Subitems"] as const) {
        const inFlight = await db.kysely
          .selectFrom(table)
          .select(db.kysely.fn.countAll<number>().as("n"))
          .where("stg_status", "=", "IN_FLIGHT")
          .executeTakeFirstOrThrow();
        expect(Number(inFlight.n), table).toBe(0);
      }
      const run = await db.kysely
        .selectFrom("MON_SyncRuns")
        .selectAll()
        .orderBy("started_at", "desc")
        .executeTakeFirstOrThrow();
      expect(run.status).toBe("STOPPED");
      expect(run.finished_at).not.toBeNull();
      const customers = await db.kysely.selectFrom("MON_SyncRunCustomers").selectAll().execute();
      expect(customers.some((c) => c.status === "STOPPED")).toBe(true);
      expect(customers.every((c) => c.finished_at !== null)).toBe(true);
      expect(await db.kysely.selectFrom("MON_SyncLocks").selectAll().execute()).toEqual([]);
      // No request went out after the process said it was done.
      await sleep(300);
      expect(emulator.log.writeRequests).toBe(writesAtStop);
      const pendingBefore = await stagedCount(db);
      expect(pendingBefore).toBeGreaterThan(0);

      // The next run picks up where it stopped: no duplicates, every value right.
      const next = await runCli(["sync", "--json", "--config", config], { env });
      expect(next.code, next.stderr.slice(-2000)).toBe(0);
      const summary = JSON.parse(next.stdout) as { counts: Record<string, number> };
      console.log("next run:", JSON.stringify(summary.counts));
      const view = boardView(db, emulator, settings);
      const items = await expectBoardsMatchDatabase(view, db);
      expect(items).toBeGreaterThan(ORDERS * 0.9);
      expect(await stagedCount(db)).toBe(0);
    } finally {
      await db.close();
    }
  }, 180_000);
});
