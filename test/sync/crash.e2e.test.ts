import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings, type Settings } from "../../src/config/index.js";
import { openDatabase, type Db } from "../../src/db/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { createOrdersTable, mulberry32, writeDemoOrders } from "../../src/demo/index.js";
import { createServerDatabase, testDatabases } from "../helpers/databases.js";
import { runCli, spawnCli } from "../helpers/cli.js";
import { boardView, expectBoardsMatchDatabase, stagedCount } from "../helpers/sync-env.js";

const ORDERS = 600;
const KILLS = 5;

/** A server database adds a round trip to every statement of six processes; give it more time. */
const SERVER_TIMEOUT: Partial<Record<string, number>> = { mariadb: 360_000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on("close", (code) => resolve(code)));
}

// SQLite and MariaDB (issue 16): a killed process leaves its rows in a server database too.
for (const engine of (await testDatabases()).filter((d) => d.name !== "postgres")) {
  describe.skipIf(!engine.available)(
    `a sync killed with SIGKILL during the push, several times, then run to completion, on ${engine.name}`,
    () => {
      let dir: string;
      let config: string;
      let emulator: Emulator;
      let settings: Settings;
      let env: Record<string, string>;
      let drop = async (): Promise<void> => undefined;

      beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), "order-sync-crash-"));
        const sqlite = engine.name === "sqlite";
        expect((await runCli(["init", "--dir", dir, "--orders", String(sqlite ? ORDERS : 1)])).code).toBe(0);
        config = join(dir, "order-sync.yaml");
        const dbEnv: Record<string, string> = {};
        if (!sqlite) {
          const created = await createServerDatabase("mariadb", "os_crash");
          drop = created.drop;
          dbEnv.ORDER_SYNC_DB_URL = created.url;
        }
        settings = loadSettings(config, dbEnv);
        if (!sqlite) {
          const db = await openDatabase(settings.db);
          await createOrdersTable(db);
          await writeDemoOrders(db, { count: ORDERS, seed: 42 });
          await db.close();
        }
        // Latency makes the push long enough for the kills to land in the middle of it.
        emulator = await startEmulator({ port: 0, boards: emulatorBoards(settings.config), latencyMs: 60 });
        env = { MONDAY_API_URL: emulator.url, MONDAY_API_TOKEN: "crash-test", ...dbEnv };
      });
      afterAll(async () => {
        await emulator?.close();
        await drop();
      });

      it(
        "ends with exactly one item per order and every value correct",
        async () => {
          const random = mulberry32(20261130);
          const itemsAfterKill: number[] = [];
          for (let i = 0; i < KILLS; i++) {
            const child = spawnCli(["sync", "--config", config], { env });
            let stderr = "";
            child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
            const done = exited(child);
            // Kill at a random point after this run has started writing (process start-up time varies a lot).
            const writesBefore = emulator.log.entries.length;
            const deadline = Date.now() + 60_000;
            while (
              emulator.log.entries.length === writesBefore &&
              child.exitCode === null &&
              Date.now() < deadline
            )
              await sleep(20);
            await sleep(Math.floor(random() * 1000));
            child.kill("SIGKILL");
            const code = await done;
            if (code !== null) console.log(`run ${i} ended by itself with ${code}: ${stderr.slice(-2000)}`);
            const ops: Record<string, number> = {};
            for (const e of emulator.log.entries.slice(writesBefore))
              ops[e.operation] = (ops[e.operation] ?? 0) + 1;
            console.log(`kill ${i}: ${JSON.stringify(ops)}`);
            itemsAfterKill.push(
              emulator.log.entries.filter((e) => e.operation === "create_item" && e.ok).length,
            );
          }
          console.log("items created after each kill:", itemsAfterKill.join(", "));
          const final = await runCli(["sync", "--json", "--config", config], { env });
          console.log("final run:", JSON.stringify((JSON.parse(final.stdout) as { counts: unknown }).counts));
          expect(final.stderr).not.toContain("unexpected error");
          expect(final.code).toBe(0);
          // At least one kill landed while items were being created.
          expect(itemsAfterKill.some((n) => n > 0 && n < ORDERS * 0.97)).toBe(true);

          const db: Db = await openDatabase(settings.db);
          try {
            const view = boardView(db, emulator, settings);
            const items = await expectBoardsMatchDatabase(view, db);
            expect(items).toBeGreaterThan(ORDERS * 0.9);
            expect(await stagedCount(db)).toBe(0);
            const again = await runCli(["sync", "--json", "--config", config], { env });
            expect(JSON.parse(again.stdout)).toMatchObject({
              counts: { created: 0, updated: 0, archived: 0 },
            });
          } finally {
            await db.close();
          }
        },
        SERVER_TIMEOUT[engine.name] ?? 180_000,
      );
    },
  );
}
