// Issue 18: a first load of 2,000 demo orders through the bulk lane (backfill, then ingest) leaves the
// boards exactly as the mutation lane does, and the next sync writes nothing. On every engine of
// test/helpers/databases.ts (all 2,000 orders on each: 65-90 s for the three here).
import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import type { MondayItem } from "../../src/monday/index.js";
import { testDatabases, type TestDatabase } from "../helpers/databases.js";
import {
  boardItems,
  expectBoardsMatchDatabase,
  syncEnv,
  testConfig,
  type SyncEnv,
} from "../helpers/sync-env.js";

const ORDERS = 2_000;
const SEED = 18;

/** What a board holds, in a form two boards can be compared by: per key, name, group, texts, subitems. */
async function boardSnapshot(env: SyncEnv): Promise<Record<string, unknown>> {
  const view = (i: MondayItem) => ({
    name: i.name,
    group: i.group?.title,
    texts: Object.fromEntries(Object.entries(i.columnValues).map(([id, v]) => [id, v.text || null])),
  });
  const out: Record<string, unknown> = {};
  for (const board of env.settings.config.boards)
    for (const item of await boardItems(env, board.id)) {
      const key = item.columnValues[board.keyColumn.id!]?.text ?? "";
      out[`${board.id}/${key}`] = {
        ...view(item),
        subitems: item.subitems.map(view).sort((a, b) => a.name.localeCompare(b.name)),
      };
    }
  return out;
}

async function firstLoad(engine: TestDatabase, lane: "off" | "ingest" | "backfill") {
  const db: Db = await engine.open();
  await createOrdersTable(db);
  await writeDemoOrders(db, { count: ORDERS, seed: SEED });
  const env = await syncEnv(
    db,
    testConfig((raw) => {
      const monday = raw.monday as Record<string, unknown>;
      monday.bulk = lane;
      monday.bulkPollSeconds = 0.05;
    }),
  );
  env.emulator.bulk.settings = { rowsPerSecond: 50_000 };
  const summary = await env.sync();
  const stats = env.emulator.stats();
  return { db, env, summary, stats, jobs: env.emulator.bulk.stats };
}

const opened: { db: Db; env: SyncEnv }[] = [];
afterAll(async () => {
  for (const { db, env } of opened) {
    await env.close();
    await db.close();
  }
});

for (const engine of await testDatabases())
  describe.skipIf(!engine.available)(
    `the bulk lane end to end against the emulator on ${engine.name}`,
    () => {
      let reference: Record<string, unknown>;

      it("the mutation lane's first load (the reference)", { timeout: 300_000 }, async () => {
        const run = await firstLoad(engine, "off");
        opened.push(run);
        expect(run.summary.exitCode).toBe(0);
        expect(run.jobs.jobsStarted).toBe(0);
        expect(await expectBoardsMatchDatabase(run.env, run.db)).toBeGreaterThan(ORDERS * 0.95);
        reference = await boardSnapshot(run.env);
        console.log(
          `mutations: ${JSON.stringify({ requests: run.stats.requests, writes: run.stats.writeRequests })}`,
        );
      });

      for (const lane of ["backfill", "ingest"] as const)
        it(`through ${lane}: the same boards, then a sync with 0 writes`, { timeout: 300_000 }, async () => {
          const run = await firstLoad(engine, lane);
          opened.push(run);
          expect(run.summary.exitCode).toBe(0);
          expect(run.jobs.jobsStarted).toBeGreaterThan(0);
          expect(await expectBoardsMatchDatabase(run.env, run.db)).toBeGreaterThan(ORDERS * 0.95);
          expect(await boardSnapshot(run.env)).toEqual(reference);
          console.log(
            `${lane}: ${JSON.stringify({ requests: run.stats.requests, writes: run.stats.writeRequests, jobs: run.jobs })}`,
          );
          run.env.emulator.resetStats();
          const again = await run.env.sync();
          expect(again.exitCode).toBe(0);
          expect(run.env.emulator.stats().writeRequests).toBe(0);
        });
    },
  );
