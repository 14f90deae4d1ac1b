import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings, type Settings } from "../../src/config/index.js";
import { openDatabase, type Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { runCli } from "../helpers/cli.js";
import { createServerDatabase, testDatabases } from "../helpers/databases.js";
import { editConfigFile, startServe, type ServeProcess } from "../helpers/serve.js";
import { boardView, expectBoardsMatchDatabase } from "../helpers/sync-env.js";

const ORDERS = 600;
const ROUNDS = 4;

// PostgreSQL and MariaDB: two processes need a server database.
for (const engine of (await testDatabases()).filter((d) => d.name !== "sqlite")) {
  describe.skipIf(!engine.available)(`two serve processes on one ${engine.name} database`, () => {
    let dropSchema = async (): Promise<void> => undefined;
    let settings: Settings;
    let db: Db;
    let emulator: Emulator;
    let servers: ServeProcess[] = [];
    let configPath = "";

    beforeAll(async () => {
      const serverDb = await createServerDatabase(engine.name as "postgres" | "mariadb", "os_two");
      dropSchema = serverDb.drop;
      const dir = mkdtempSync(join(tmpdir(), "order-sync-two-"));
      expect((await runCli(["init", "--dir", dir, "--orders", "1"])).code).toBe(0);
      const config = join(dir, "order-sync.yaml");
      configPath = config;
      editConfigFile(config, (raw) => {
        // Both start a run at once, and tick every 2 s: they contend for the same customers all the time.
        raw.serve = { schedule: { intervalSeconds: 2, runOnStart: true }, shutdownGraceSeconds: 60 };
        raw.sync = { concurrency: 2, batchSize: 25, pageSize: 1000, lockTtlSeconds: 30 };
      });
      settings = loadSettings(config, { ORDER_SYNC_DB_URL: serverDb.url });
      db = await openDatabase(settings.db);
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: ORDERS, seed: 7 });
      emulator = await startEmulator({ port: 0, boards: emulatorBoards(settings.config), latencyMs: 25 });
      const env = {
        MONDAY_API_URL: emulator.url,
        MONDAY_API_TOKEN: "two-servers",
        ORDER_SYNC_DB_URL: serverDb.url,
        ORDER_SYNC_API_TOKEN: "two-servers-api",
      };
      servers = await Promise.all([startServe(config, env), startServe(config, env)]);
    }, 120_000);

    afterAll(async () => {
      for (const s of servers) if (s.child.exitCode === null) s.child.kill("SIGKILL");
      await emulator?.close();
      await db?.close();
      await dropSchema();
    });

    it("never syncs the same customer in both at once, and the boards end exactly right", async () => {
      const trigger = (s: ServeProcess) =>
        fetch(`${s.url}/api/sync`, { method: "POST", headers: { Authorization: "Bearer two-servers-api" } });
      for (let round = 0; round < ROUNDS; round++) {
        // Change some orders so each round has real work, then poke both servers at the same moment.
        // (A derived table: MariaDB allows no LIMIT in an IN subquery, nor the updated table in one.)
        await sql`update "ORDERS_UNIFIED" set "PO NUMBER" = ${`PO-R${round}`}
          where "AAG ORDER NUMBER" in (select k from (select "AAG ORDER NUMBER" as k from "ORDERS_UNIFIED" order by "AAG ORDER NUMBER" limit ${40 * (round + 1)}) as first_orders)`.execute(
          db.kysely,
        );
        await Promise.all(servers.map(trigger));
        await new Promise((r) => setTimeout(r, 2500));
      }
      // Let the last runs finish, then stop both (SIGTERM) and run one final pass to make sure all is applied.
      await new Promise((r) => setTimeout(r, 3000));
      for (const s of servers) s.child.kill("SIGTERM");
      expect(await Promise.all(servers.map((s) => s.exited))).toEqual([0, 0]);

      const rows = await db.kysely
        .selectFrom("MON_SyncRunCustomers")
        .selectAll()
        .orderBy("customer")
        .orderBy("started_at")
        .execute();
      const owners = new Set(rows.map((r) => r.owner));
      const ran = rows.filter((r) => r.status !== "SKIPPED");
      const skipped = rows.filter((r) => r.status === "SKIPPED");
      console.log(
        `customer runs: ${ran.length} ran, ${skipped.length} skipped (lease held by the other server), owners ${owners.size}`,
      );
      // For each customer, the intervals in which a server held it never overlap.
      let overlaps = 0;
      for (const customer of new Set(ran.map((r) => r.customer))) {
        const spans = ran
          .filter((r) => r.customer === customer)
          .map((r) => ({
            start: Date.parse(r.started_at),
            end: Date.parse(r.finished_at ?? ""),
            owner: r.owner,
          }))
          .sort((a, b) => a.start - b.start);
        for (let i = 1; i < spans.length; i++) if (spans[i]!.start < spans[i - 1]!.end) overlaps++;
        expect(spans.every((s) => Number.isFinite(s.end))).toBe(true);
      }
      console.log(`overlapping customer runs: ${overlaps}`);
      expect(overlaps).toBe(0);
      // Both servers worked, and they did collide (so the lease was put to the test).
      expect(owners.size).toBe(2);
      expect(new Set(ran.map((r) => r.owner)).size).toBe(2);
      expect(skipped.length).toBeGreaterThan(0);
      expect(await db.kysely.selectFrom("MON_SyncLocks").selectAll().execute()).toEqual([]);

      const view = boardView(db, emulator, settings);
      // Whatever a stopped run left staged is applied by one more run; then the boards equal the database.
      const final = await runCli(["sync", "--json", "--config", configPath], {
        env: { MONDAY_API_URL: emulator.url, MONDAY_API_TOKEN: "t", ORDER_SYNC_DB_URL: settings.db.url },
      });
      expect(final.code, final.stderr.slice(-2000)).toBe(0);
      const items = await expectBoardsMatchDatabase(view, db);
      expect(items).toBeGreaterThan(ORDERS * 0.9);
    }, 180_000);
  });
}
