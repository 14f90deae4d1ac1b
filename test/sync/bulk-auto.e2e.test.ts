// Issue 18: `monday.bulk: auto` sends a group's new orders as an ingest job only when the job has at least
// the rows the mutation lane writes in one poll interval (README "Bulk import"); a first load ends with the
// boards the mutation lane gives, the next sync writes nothing, and a tiny batch starts no job at all.
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

const SEED = 21;
const LARGE = 400;
const TINY = 3;
/** Seconds between polls; with the default 10,000,000 points a minute the threshold is 50 rows. */
const POLL_SECONDS = 3;
/** `auto`'s threshold in rows for a poll interval (README "Bulk import"). */
const thresholdOf = (pollSeconds: number) => Math.ceil((pollSeconds * 10_000_000) / 60 / 10_000);
const THRESHOLD = thresholdOf(POLL_SECONDS);
/** A poll interval whose threshold (110 rows) lies among this seed's group sizes: both lanes in one run. */
const MID_POLL_SECONDS = 6.6;

/** Per board and key: name, group, column texts and the subitems' names and texts. */
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

async function firstLoad(
  engine: TestDatabase,
  lane: "off" | "auto",
  count: number,
  pollSeconds = POLL_SECONDS,
) {
  const db: Db = await engine.open();
  await createOrdersTable(db);
  await writeDemoOrders(db, { count, seed: SEED });
  const env = await syncEnv(
    db,
    testConfig((raw) => {
      const monday = raw.monday as Record<string, unknown>;
      monday.bulk = lane;
      monday.bulkPollSeconds = pollSeconds;
    }),
  );
  opened.push({ db, env });
  env.emulator.bulk.settings = { rowsPerSecond: 50_000 };
  const summary = await env.sync();
  const jobs = await db.kysely.selectFrom("MON_BulkJobs").select(["kind", "row_count"]).execute();
  return { db, env, summary, stats: env.emulator.stats(), jobs, started: env.emulator.bulk.stats };
}

const rowCounts = (jobs: { row_count: unknown }[]) =>
  jobs.map((j) => Number(j.row_count)).sort((a, b) => a - b);

const opened: { db: Db; env: SyncEnv }[] = [];
afterAll(async () => {
  for (const { db, env } of opened) {
    await env.close();
    await db.close();
  }
});

for (const engine of await testDatabases())
  describe.skipIf(!engine.available)(`monday.bulk: auto end to end on ${engine.name}`, () => {
    let reference: Record<string, unknown>;
    /** Row counts of the jobs at the low threshold (every group of this seed has a job there). */
    let lowJobRows: number[] = [];
    it(
      `${LARGE} orders: ingest jobs of >= ${THRESHOLD} rows, the mutation lane's boards, then 0 writes`,
      {
        timeout: 300_000,
      },
      async () => {
        const offRun = await firstLoad(engine, "off", LARGE);
        expect(offRun.summary.exitCode).toBe(0);
        expect(offRun.started.jobsStarted).toBe(0);
        const run = await firstLoad(engine, "auto", LARGE);
        expect(run.summary.exitCode).toBe(0);
        expect(run.started.jobsStarted).toBeGreaterThan(0);
        expect(run.jobs).toHaveLength(run.started.jobsStarted);
        for (const job of run.jobs) {
          expect(job.kind).toBe("ingest");
          expect(Number(job.row_count)).toBeGreaterThanOrEqual(THRESHOLD);
        }
        expect(await expectBoardsMatchDatabase(run.env, run.db)).toBeGreaterThan(LARGE * 0.95);
        reference = await boardSnapshot(offRun.env);
        lowJobRows = rowCounts(run.jobs);
        expect(await boardSnapshot(run.env)).toEqual(reference);
        console.log(
          `auto ${engine.name}: ${JSON.stringify({ requests: run.stats.requests, writes: run.stats.writeRequests, jobs: run.started, mutationWrites: offRun.stats.writeRequests })}`,
        );
        run.env.emulator.resetStats();
        const again = await run.env.sync();
        expect(again.exitCode).toBe(0);
        expect(run.env.emulator.stats().writeRequests).toBe(0);
      },
    );

    it(
      `${LARGE} orders at a ${thresholdOf(MID_POLL_SECONDS)}-row threshold: jobs for the larger groups only`,
      {
        timeout: 300_000,
      },
      async () => {
        const mid = thresholdOf(MID_POLL_SECONDS);
        expect(lowJobRows.some((r) => r < mid) && lowJobRows.some((r) => r >= mid)).toBe(true);
        const run = await firstLoad(engine, "auto", LARGE, MID_POLL_SECONDS);
        expect(run.summary.exitCode).toBe(0);
        // The groups whose job has at least the threshold's rows go by ingest, the others by mutations.
        expect(rowCounts(run.jobs)).toEqual(lowJobRows.filter((r) => r >= mid));
        expect(await boardSnapshot(run.env)).toEqual(reference);
        console.log(
          `auto mid ${engine.name}: ${JSON.stringify({ writes: run.stats.writeRequests, jobs: run.started })}`,
        );
        run.env.emulator.resetStats();
        expect((await run.env.sync()).exitCode).toBe(0);
        expect(run.env.emulator.stats().writeRequests).toBe(0);
      },
    );

    it(
      `${TINY} orders: no job (every group under ${THRESHOLD} rows), all by mutations`,
      {
        timeout: 120_000,
      },
      async () => {
        const run = await firstLoad(engine, "auto", TINY);
        expect(run.summary.exitCode).toBe(0);
        expect(run.started.jobsStarted).toBe(0);
        expect(run.jobs).toHaveLength(0);
        expect(run.stats.writeRequests).toBeGreaterThan(0);
        const items = await expectBoardsMatchDatabase(run.env, run.db);
        expect(items).toBeGreaterThan(0);
        expect(items).toBeLessThanOrEqual(TINY);
      },
    );
  });
