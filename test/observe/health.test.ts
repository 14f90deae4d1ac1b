// HealthChecker against real databases and the monday.com emulator over HTTP: database, monday_api,
// staging_tables and last_batch, their thresholds, and readiness (migrations applied).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateToLatest, type Db, type RunStatus } from "../../src/db/index.js";
import { mondayFor } from "../../src/app.js";
import { HealthChecker, type HealthOptions } from "../../src/observe/index.js";
import type { SyncMonday } from "../../src/sync/index.js";
import { testDatabases } from "../helpers/databases.js";
import { stagedOrderRow, syncEnv, type SyncEnv } from "../helpers/sync-env.js";

const OPTIONS: HealthOptions = {
  pendingMaxAgeHours: 24,
  lastBatchMaxAgeMinutes: 60,
  mondayCheckCacheSeconds: 0,
};
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

function stagedRow(createdAt: string, status: "PENDING" | "FAILED" | "DONE" = "PENDING", key = "AAG-1") {
  return stagedOrderRow({
    order_key: key,
    item_name: `${key} Crew`,
    stg_status: status,
    stg_created_date: createdAt,
    stg_updated_date: createdAt,
  });
}

async function addRun(
  db: Db,
  batchId: string,
  status: RunStatus,
  finishedAt: string | null,
  error: string | null = null,
) {
  await db.kysely
    .insertInto("MON_SyncRuns")
    .values({
      batch_id: batchId,
      started_at: finishedAt ?? new Date().toISOString(),
      finished_at: finishedAt,
      status,
      customers: "[]",
      counts: null,
      api_requests: 0,
      error,
      command: "serve",
    })
    .execute();
}

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`HealthChecker on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    let monday: SyncMonday;

    beforeAll(async () => {
      db = await engine.open();
      await migrateToLatest(db);
      env = await syncEnv(db);
      monday = mondayFor(env.settings);
    });
    afterEach(async () => {
      await db.kysely.deleteFrom("STG_MON_CustMasterSchedule").execute();
      await db.kysely.deleteFrom("MON_SyncRuns").execute();
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("is healthy on a fresh migrated database with monday.com answering", async () => {
      const onResult = vi.fn();
      const health = new HealthChecker({ db, monday, onResult }, OPTIONS);
      const before = Date.now();
      const report = await health.check();
      expect(report.status).toBe("healthy");
      expect(Date.parse(report.timestamp)).toBeGreaterThanOrEqual(before - 1);
      expect(Object.keys(report.checks).sort()).toEqual([
        "board_drift",
        "database",
        "last_batch",
        "monday_api",
        "staging_tables",
      ]);
      for (const [name, c] of Object.entries(report.checks))
        expect(c.healthy, `${name}: ${c.message}`).toBe(true);
      expect(report.checks.database).toMatchObject({ message: "OK", latencyMs: expect.any(Number) });
      expect(report.checks.monday_api).toMatchObject({
        message: "OK",
        breaker: "CLOSED",
        latencyMs: expect.any(Number),
      });
      expect(report.checks.staging_tables).toMatchObject({ old_pending_records: 0, oldest_pending: null });
      expect(report.checks.last_batch.message).toMatch(/no run has finished/);
      expect(onResult.mock.calls.sort()).toEqual([
        ["board_drift", true],
        ["database", true],
        ["last_batch", true],
        ["monday_api", true],
        ["staging_tables", true],
      ]);
      // The ping is a real request to the emulator.
      const requests = env.emulator.requestCount;
      await health.check();
      expect(env.emulator.requestCount).toBeGreaterThan(requests);
    });

    it("staging_tables fails while a PENDING row is older than the threshold, and recovers when it goes", async () => {
      const health = new HealthChecker({ db, monday }, OPTIONS);
      const old = ago(25 * HOUR);
      await db.kysely
        .insertInto("STG_MON_CustMasterSchedule")
        .values([
          stagedRow(old, "PENDING", "AAG-OLD"),
          stagedRow(ago(1 * HOUR), "PENDING", "AAG-NEW"),
          stagedRow(ago(48 * HOUR), "FAILED", "AAG-FAILED"),
          stagedRow(ago(48 * HOUR), "DONE", "AAG-DONE"),
        ])
        .execute();
      const onResult = vi.fn();
      const report = await new HealthChecker({ db, monday, onResult }, OPTIONS).check();
      expect(report.status).toBe("unhealthy");
      expect(report.checks.staging_tables).toMatchObject({
        healthy: false,
        old_pending_records: 1,
        oldest_pending: old,
      });
      expect(report.checks.staging_tables.message).toMatch(/1 records pending >24 hours/);
      expect(report.checks.database.healthy).toBe(true);
      expect(onResult).toHaveBeenCalledWith("staging_tables", false);
      // A wider threshold accepts it.
      const lenient = await new HealthChecker({ db, monday }, { ...OPTIONS, pendingMaxAgeHours: 26 }).check();
      expect(lenient.checks.staging_tables).toMatchObject({ healthy: true, old_pending_records: 0 });

      await db.kysely.deleteFrom("STG_MON_CustMasterSchedule").where("order_key", "=", "AAG-OLD").execute();
      const after = await health.check();
      expect(after.checks.staging_tables).toMatchObject({
        healthy: true,
        old_pending_records: 0,
        message: "OK",
      });
      expect(after.status).toBe("healthy");
    });

    it("last_batch fails when the newest finished run FAILED, and recovers on the next success", async () => {
      const health = new HealthChecker({ db, monday }, OPTIONS);
      await addRun(db, "b-ok", "SUCCESS", ago(20 * 60_000));
      expect((await health.check()).checks.last_batch).toMatchObject({
        healthy: true,
        batch_id: "b-ok",
        batch_status: "SUCCESS",
      });
      await addRun(
        db,
        "b-failed",
        "FAILED",
        ago(10 * 60_000),
        "BLUE HARBOR: monday.com unreachable\nmore detail",
      );
      // A run still RUNNING has not finished and does not count.
      await addRun(db, "b-running", "RUNNING", null);
      const report = await health.check();
      expect(report.status).toBe("unhealthy");
      expect(report.checks.last_batch).toMatchObject({
        healthy: false,
        batch_id: "b-failed",
        batch_status: "FAILED",
      });
      expect(report.checks.last_batch.message).toBe(
        "last run b-failed ended FAILED: BLUE HARBOR: monday.com unreachable",
      );
      await addRun(db, "b-HALTED", "HALTED", ago(6 * 60_000));
      expect((await health.check()).checks.last_batch).toMatchObject({
        healthy: false,
        batch_status: "HALTED",
      });
      // PARTIAL because a customer failed: unhealthy, naming it.
      await addRun(db, "b-partial-customer", "PARTIAL", ago(5 * 60_000));
      const customerRow = (customer: string, batch: string, status: string) => ({
        batch_id: batch,
        customer,
        owner: "h:1:x",
        started_at: ago(6 * 60_000),
        finished_at: ago(5 * 60_000),
        status,
        counts: null,
        error: status === "FAILED" ? 'board 5001000001: no column with id "po_number"' : null,
      });
      await db.kysely
        .insertInto("MON_SyncRunCustomers")
        .values([
          customerRow("BLUE HARBOR", "b-partial-customer", "FAILED"),
          customerRow("KESTREL OUTDOOR", "b-partial-customer", "SUCCESS"),
        ])
        .execute();
      expect((await health.check()).checks.last_batch).toMatchObject({
        healthy: false,
        batch_status: "PARTIAL",
        failed_customers: ["BLUE HARBOR"],
      });
      // PARTIAL only because rows were quarantined or DEAD inside finished customer runs: a data problem
      // (with alerts of its own), not an unhealthy service.
      await addRun(db, "b-partial-rows", "PARTIAL", ago(4 * 60_000));
      await db.kysely
        .insertInto("MON_SyncRunCustomers")
        .values([customerRow("BLUE HARBOR", "b-partial-rows", "SUCCESS")])
        .execute();
      expect((await health.check()).checks.last_batch).toMatchObject({
        healthy: true,
        batch_status: "PARTIAL",
      });
      await addRun(db, "b-stopped", "STOPPED", ago(60_000));
      expect((await health.check()).checks.last_batch).toMatchObject({
        healthy: true,
        batch_status: "STOPPED",
      });
      await addRun(db, "b-ok2", "SUCCESS", ago(1000));
      expect((await health.check()).checks.last_batch).toMatchObject({ healthy: true, batch_id: "b-ok2" });
    });

    it("last_batch fails when no run has finished within lastBatchMaxAgeMinutes", async () => {
      await addRun(db, "b-old", "SUCCESS", ago(90 * 60_000));
      const report = await new HealthChecker({ db, monday }, OPTIONS).check();
      expect(report.status).toBe("unhealthy");
      expect(report.checks.last_batch).toMatchObject({
        healthy: false,
        batch_id: "b-old",
        batch_status: "SUCCESS",
      });
      expect(report.checks.last_batch.message).toMatch(/no run has finished for 90 minutes \(limit 60\)/);
      const lenient = await new HealthChecker(
        { db, monday },
        { ...OPTIONS, lastBatchMaxAgeMinutes: 120 },
      ).check();
      expect(lenient.checks.last_batch.healthy).toBe(true);
    });

    it("last_batch fails when this process's latest run could not start, until a later run finishes", async () => {
      await addRun(db, "b-ok", "SUCCESS", ago(10 * 60_000));
      let local: { at: string; error: string } | undefined = {
        at: ago(60_000),
        error: "source table missing",
      };
      const health = new HealthChecker({ db, monday, lastLocalFailure: () => local }, OPTIONS);
      expect((await health.check()).checks.last_batch).toMatchObject({
        healthy: false,
        message: "the last run could not start: source table missing",
      });
      await addRun(db, "b-ok2", "SUCCESS", new Date().toISOString());
      expect((await health.check()).checks.last_batch).toMatchObject({ healthy: true, batch_id: "b-ok2" });
      local = undefined;
      expect((await health.check()).checks.last_batch.healthy).toBe(true);
    });

    it("monday_api fails while the circuit breaker is open, without a request", async () => {
      const ping = vi.fn(async () => undefined);
      const open = {
        ping,
        stats: () => ({
          requests: 0,
          breakerState: "OPEN" as const,
          retries: {},
          budgetWaits: 0,
          budgetWaitMs: 0,
        }),
      };
      const report = await new HealthChecker({ db, monday: open }, OPTIONS).check();
      expect(report.status).toBe("unhealthy");
      expect(report.checks.monday_api).toMatchObject({ healthy: false, breaker: "OPEN" });
      expect(report.checks.monday_api.message).toMatch(/circuit breaker is open/);
      expect(ping).not.toHaveBeenCalled();
    });

    it("a check that hangs fails after timeoutMs instead of hanging /health", async () => {
      const hanging = { ping: () => new Promise<void>(() => undefined) };
      const t0 = Date.now();
      const report = await new HealthChecker({ db, monday: hanging }, { ...OPTIONS, timeoutMs: 200 }).check();
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(report.checks.monday_api.healthy).toBe(false);
      expect(report.checks.monday_api.message).toMatch(/did not answer within 200 ms/);
      expect(report.checks.database.healthy).toBe(true);
    });

    it("monday_api fails once monday.com is unreachable; a cached result is reused within the cache time", async () => {
      const own = await syncEnv(db);
      try {
        const port = mondayFor(own.settings);
        const fresh = new HealthChecker({ db, monday: port }, OPTIONS);
        const cached = new HealthChecker({ db, monday: port }, { ...OPTIONS, mondayCheckCacheSeconds: 60 });
        expect((await fresh.check()).checks.monday_api.healthy).toBe(true);
        expect((await cached.check()).checks.monday_api.healthy).toBe(true);
        const requests = own.emulator.requestCount;
        await own.emulator.close();

        const report = await fresh.check();
        expect(report.status).toBe("unhealthy");
        expect(report.checks.monday_api.healthy).toBe(false);
        expect(report.checks.monday_api.message).toMatch(/^monday\.com: ./);
        expect(report.checks.database.healthy).toBe(true);
        // Within its cache time the other checker answers from the last result, without a request.
        expect((await cached.check()).checks.monday_api.healthy).toBe(true);
        expect(own.emulator.requestCount).toBe(requests);
      } finally {
        await own.close().catch(() => undefined);
      }
    });

    it("database fails with a message (and check() does not throw) once the database is closed", async () => {
      const other = await engine.open();
      await migrateToLatest(other);
      const health = new HealthChecker({ db: other, monday }, OPTIONS);
      expect((await health.check()).status).toBe("healthy");
      await other.close();
      const report = await health.check();
      expect(report.status).toBe("unhealthy");
      expect(report.checks.database.healthy).toBe(false);
      expect(report.checks.database.message.length).toBeGreaterThan(0);
      expect(report.checks.database.message).not.toBe("unknown error");
      expect(report.checks.staging_tables.healthy).toBe(false);
      expect(report.checks.last_batch.healthy).toBe(false);
      expect(report.checks.monday_api.healthy).toBe(true);
      const ready = await health.ready();
      expect(ready.healthy).toBe(false);
      expect(ready.message.length).toBeGreaterThan(0);
    });

    it("ready() reports the migrations not yet applied, then OK once migrated", async () => {
      const other = await engine.open();
      try {
        const health = new HealthChecker({ db: other, monday }, OPTIONS);
        const before = await health.ready();
        expect(before.healthy).toBe(false);
        expect(before.message).toMatch(/^migrations not applied: /);
        for (const m of ["0001_initial", "0002_quality", "0003_locks", "0004_drop_idempotency_key"])
          expect(before.message).toContain(m);
        await migrateToLatest(other);
        expect(await health.ready()).toEqual({ healthy: true, message: "OK" });
      } finally {
        await other.close();
      }
    });
  });
}
