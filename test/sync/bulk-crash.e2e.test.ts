// Issue 18: a sync killed with SIGKILL while its bulk jobs are processing, then another sync: the jobs are
// polled to their end and what they created is adopted by key; no duplicate, nothing missing. On SQLite,
// PostgreSQL and MariaDB (a server that does not answer is skipped with its reason; an error under CI=true).
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSettings } from "../../src/config/index.js";
import { openDatabase } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { createServerDatabase, testDatabases } from "../helpers/databases.js";
import { runCli, spawnCli } from "../helpers/cli.js";
import { boardView, expectBoardsMatchDatabase, stagedCount } from "../helpers/sync-env.js";

const ORDERS = 600;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) => child.on("close", (code) => r(code)));

let emulator: Emulator | undefined;
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  await emulator?.close();
  for (const drop of drops) await drop();
});

for (const engine of (await testDatabases()).filter((d) => d.name !== "mssql"))
  describe.skipIf(!engine.available)(
    `a sync killed with SIGKILL while bulk jobs process (${engine.name})`,
    () => {
      for (const lane of ["backfill", "ingest"] as const)
        it(
          `${lane}: the next sync adopts what the jobs created; no duplicate, nothing missing`,
          { timeout: 240_000 },
          async () => {
            const dir = mkdtempSync(join(tmpdir(), `order-sync-bulk-crash-${lane}-`));
            const sqlite = engine.name === "sqlite";
            const init = ["init", "--dir", dir, "--orders", String(sqlite ? ORDERS : 1)];
            expect((await runCli(init)).code).toBe(0);
            const config = join(dir, "order-sync.yaml");
            const yaml = readFileSync(config, "utf8").replace(
              "monday:\n",
              `monday:\n  bulk: ${lane}\n  bulkPollSeconds: 0.1\n`,
            );
            writeFileSync(config, yaml);
            // A server engine: a fresh schema (PostgreSQL) or database (MariaDB) for the spawned syncs.
            const dbEnv: Record<string, string> = {};
            if (engine.name === "postgres" || engine.name === "mariadb") {
              const created = await createServerDatabase(engine.name, "os_bulk_crash");
              drops.push(created.drop);
              dbEnv.ORDER_SYNC_DB_URL = created.url;
            }
            const settings = loadSettings(config, dbEnv);
            if (!sqlite) {
              const seeded = await openDatabase(settings.db);
              await createOrdersTable(seeded);
              await writeDemoOrders(seeded, { count: ORDERS, seed: 42 });
              await seeded.close();
            }
            await emulator?.close();
            // 400 rows a second: a job of a few hundred orders runs for seconds, long enough to be killed in.
            emulator = await startEmulator({
              port: 0,
              boards: emulatorBoards(settings.config),
              bulkRowsPerSecond: 400,
            });
            const env = { MONDAY_API_URL: emulator.url, MONDAY_API_TOKEN: "crash-test", ...dbEnv };
            const child = spawnCli(["sync", "--config", config], { env });
            const done = exited(child);
            const deadline = Date.now() + 60_000;
            while (emulator.bulk.stats.uploads < 2 && child.exitCode === null && Date.now() < deadline)
              await sleep(20);
            await sleep(300);
            child.kill("SIGKILL");
            expect(await done).toBeNull();
            const createdAtKill = emulator.bulk.stats.rowsCreated;
            console.log(
              `${engine.name} ${lane}: killed after ${emulator.bulk.stats.uploads} uploads, ${createdAtKill} rows created`,
            );
            const final = await runCli(["sync", "--json", "--config", config], { env });
            expect(final.stderr).not.toContain("unexpected error");
            expect(final.code).toBe(0);
            // The jobs kept running after the kill: the second run found them in flight.
            expect(emulator.bulk.stats.rowsCreated).toBeGreaterThan(createdAtKill);
            const db = await openDatabase(settings.db);
            try {
              const view = boardView(db, emulator, settings);
              expect(await expectBoardsMatchDatabase(view, db)).toBeGreaterThan(ORDERS * 0.9);
              expect(await stagedCount(db)).toBe(0);
              const finished = await db.kysely
                .selectFrom("MON_BulkJobs")
                .select(["status", "finished_at"])
                .execute();
              expect(finished.length).toBeGreaterThan(0);
              expect(finished.every((j) => j.finished_at !== null)).toBe(true);
              const again = await runCli(["sync", "--json", "--config", config], { env });
              expect(JSON.parse(again.stdout)).toMatchObject({
                counts: { created: 0, updated: 0, archived: 0 },
              });
            } finally {
              await db.close();
            }
          },
        );
    },
  );
