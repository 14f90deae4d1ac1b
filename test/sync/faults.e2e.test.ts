import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { startEmulator } from "../../src/emulator/index.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { testDatabases } from "../helpers/databases.js";
import {
  expectBoardsMatchDatabase,
  stagedCount,
  syncEnv,
  testConfig,
  type SyncEnv,
} from "../helpers/sync-env.js";

const sqlite = (await testDatabases()).find((d) => d.name === "sqlite")!;

/** Short client timeouts and breaker recovery so injected timeouts and outages cost seconds, not minutes. */
const config = testConfig((raw) => {
  raw.monday = {
    timeoutSeconds: 1.5,
    maxAttempts: 6,
    backoffSeconds: { initial: 0.05, max: 0.5 },
    breaker: { failureThreshold: 5, recoverySeconds: 2 },
  };
  raw.sync = { batchSize: 20 };
});

// SQLite and MariaDB (issue 16); the breaker tests below need no second engine.
for (const engine of (await testDatabases()).filter((d) => d.name !== "postgres")) {
  describe.skipIf(!engine.available)(
    `sync through 20% injected faults of every kind, replies lost after commit included, on ${engine.name}`,
    () => {
      let db: Db;
      let env: SyncEnv;

      beforeAll(async () => {
        db = await engine.open();
        await createOrdersTable(db);
        await writeDemoOrders(db, { count: 120, seed: 5 });
        env = await syncEnv(db, config);
        env.emulator.setFaults(
          { rate_limit: 0.04, server_error: 0.04, bad_gateway: 0.04, timeout: 0.04, drop_after_commit: 0.04 },
          { faultTimeoutMs: 10_000, seed: 42 },
        );
      });
      afterAll(async () => {
        await env?.close();
        await db?.close();
      });

      it("ends with the board equal to the database: no duplicate item, no lost change, staging empty", async () => {
        let summary = await env.sync();
        // Rows whose request failed every attempt stay FAILED; the next run reconciles and finishes them.
        for (let run = 0; run < 3 && summary.exitCode !== 0; run++) summary = await env.sync();
        expect(summary.exitCode).toBe(0);
        const stats = env.emulator.stats();
        for (const kind of [
          "rate_limit",
          "server_error",
          "bad_gateway",
          "timeout",
          "drop_after_commit",
        ] as const)
          expect(stats.faults[kind], kind).toBeGreaterThan(0);
        expect(stats.idempotentReplays).toBeGreaterThan(0);
        console.log("faults injected:", JSON.stringify(stats.faults), "replays:", stats.idempotentReplays);
        env.emulator.setFaults({});
        await expectBoardsMatchDatabase(env, db);
        expect(await stagedCount(db)).toBe(0);
      }, 240_000);
    },
  );
}

describe("the circuit breaker", () => {
  it("opens when monday.com keeps failing, ends the run with exit 4, and the next run finishes", async () => {
    const db = await sqlite.open();
    const env = await syncEnv(db, config);
    try {
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: 60, seed: 9 });
      env.emulator.setFaults({ server_error: 1 }, { faultsOn: "mutations" });
      const t0 = Date.now();
      const down = await env.sync();
      expect(down.exitCode).toBe(4);
      expect(down.customers.some((c) => /circuit breaker is open/.test(c.error ?? ""))).toBe(true);
      expect(down.monday?.breakerState).toBe("OPEN");
      expect(Date.now() - t0).toBeLessThan(90_000);
      const failed = await db.kysely
        .selectFrom("STG_MON_CustMasterSchedule")
        .select("stg_status")
        .where("stg_status", "=", "IN_FLIGHT")
        .execute();
      expect(failed).toEqual([]);
      env.emulator.setFaults({});
      await new Promise((r) => setTimeout(r, 2_100));
      const up = await env.sync();
      expect(up.exitCode).toBe(0);
      await expectBoardsMatchDatabase(env, db);
      expect(await stagedCount(db)).toBe(0);
    } finally {
      await env.close();
      await db.close();
    }
  }, 180_000);

  it("with monday.com down, sync exits 4 and says so", async () => {
    const db = await sqlite.open();
    const emulator = await startEmulator({ port: 0, boards: emulatorBoards(config) });
    const url = emulator.url;
    await emulator.close();
    try {
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: 10, seed: 1 });
      const env = await syncEnv(db, config);
      env.settings.monday.apiUrl = url;
      await env.close();
      await expect(env.sync()).rejects.toThrow(/monday.com is unreachable/);
    } finally {
      await db.close();
    }
  }, 120_000);
});
