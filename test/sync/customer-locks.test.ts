// The per-customer lease in MON_SyncLocks on every engine (take, hold, hand over, take over a lapsed or
// orphaned lease, renew, race), then the sync engine against it: a customer another process holds is
// skipped and logged, and a run stopped by its signal leaves nothing in flight.
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { mondayFor } from "../../src/app.js";
import {
  CustomerLease,
  newOwnerId,
  runSync,
  SyncEvents,
  type LeaseHolder,
  type SyncSummary,
} from "../../src/sync/index.js";
import { testDatabases } from "../helpers/databases.js";
import { expectBoardsMatchDatabase, stagedCount, syncEnv, type SyncEnv } from "../helpers/sync-env.js";

const TTL = 120_000;

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not spawn node");
  await new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Reaped once "exit" fired; give the kernel a moment in case the pid is still a zombie.
  await vi.waitFor(() => {
    try {
      process.kill(pid, 0);
      throw new Error(`pid ${pid} still exists`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
    }
  });
  return pid;
}

async function lockRow(db: Db, customer: string) {
  return db.kysely
    .selectFrom("MON_SyncLocks")
    .selectAll()
    .where("customer", "=", customer)
    .executeTakeFirst();
}

function expectLease(x: CustomerLease | LeaseHolder): CustomerLease {
  expect(x, `expected the lease, got a holder: ${JSON.stringify(x)}`).toBeInstanceOf(CustomerLease);
  return x as CustomerLease;
}

function expectHolder(x: CustomerLease | LeaseHolder): LeaseHolder {
  expect(x).not.toBeInstanceOf(CustomerLease);
  return x as LeaseHolder;
}

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`CustomerLease on ${engine.name}`, () => {
    let db: Db;
    const held: CustomerLease[] = [];
    /** Acquires and remembers the lease so afterEach gives it back (its renewal timer stops). */
    const acquire = async (
      customer: string,
      owner: string,
      batchId = "b",
      ttlMs = TTL,
      onLost?: () => void,
    ) => {
      const r = await CustomerLease.acquire(db, customer, owner, batchId, ttlMs, onLost);
      if (r instanceof CustomerLease) held.push(r);
      return r;
    };

    beforeAll(async () => {
      db = await engine.open();
      await migrateToLatest(db);
    });
    afterEach(async () => {
      for (const lease of held.splice(0)) await lease.release();
      await db.kysely.deleteFrom("MON_SyncLocks").execute();
    });
    afterAll(async () => {
      await db?.close();
    });

    it("gives the lease to the first owner and names it to the second", async () => {
      const a = newOwnerId();
      const b = newOwnerId();
      expect(a).not.toBe(b);
      expect(a.startsWith(`${hostname()}:${process.pid}:`)).toBe(true);
      const before = Date.now();
      const lease = expectLease(await acquire("BLUE HARBOR", a, "batch-a"));
      expect(lease.customer).toBe("BLUE HARBOR");
      expect(lease.owner).toBe(a);
      expect(lease.lost).toBe(false);
      const row = await lockRow(db, "BLUE HARBOR");
      expect(row).toMatchObject({ owner: a, batch_id: "batch-a" });
      expect(Date.parse(row!.expires_at) - Date.parse(row!.acquired_at)).toBe(TTL);
      expect(Date.parse(row!.acquired_at)).toBeGreaterThanOrEqual(before - 1);

      const holder = expectHolder(await acquire("BLUE HARBOR", b, "batch-b"));
      expect(holder).toEqual({
        owner: a,
        batchId: "batch-a",
        acquiredAt: row!.acquired_at,
        expiresAt: row!.expires_at,
      });
      // The failed attempt changed nothing.
      expect(await lockRow(db, "BLUE HARBOR")).toEqual(row);
      // Another customer is a separate lease.
      expectLease(await acquire("KESTREL OUTDOOR", b, "batch-b"));
    });

    it("hands the lease over after release, and release by a former owner leaves the new one alone", async () => {
      const a = newOwnerId();
      const b = newOwnerId();
      const lease = expectLease(await acquire("C1", a));
      await lease.release();
      expect(await lockRow(db, "C1")).toBeUndefined();
      expectLease(await acquire("C1", b, "batch-b"));
      await lease.release(); // no longer ours: must not delete b's row
      expect(await lockRow(db, "C1")).toMatchObject({ owner: b, batch_id: "batch-b" });
    });

    it("takes over a lease that has expired", async () => {
      const other = "elsewhere.example:4242:abcdef";
      // Held by a process on another host (its renewal timer is stopped, as if it had crashed).
      const crashed = expectLease(await CustomerLease.acquire(db, "C2", other, "old-batch", TTL));
      await crashed.release();
      await db.kysely
        .insertInto("MON_SyncLocks")
        .values({
          customer: "C2",
          owner: other,
          batch_id: "old-batch",
          acquired_at: new Date(Date.now() - TTL).toISOString(),
          expires_at: new Date().toISOString(),
        })
        .execute();
      await db.kysely
        .updateTable("MON_SyncLocks")
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where("customer", "=", "C2")
        .execute();
      const me = newOwnerId();
      const lease = expectLease(await acquire("C2", me, "new-batch"));
      expect(lease.owner).toBe(me);
      const row = await lockRow(db, "C2");
      expect(row).toMatchObject({ owner: me, batch_id: "new-batch" });
      expect(Date.parse(row!.expires_at)).toBeGreaterThan(Date.now() + TTL - 5000);
    });

    it("takes over at once a lease whose owner is a process on this machine that has exited", async () => {
      const pid = await deadPid();
      const dead = `${hostname()}:${pid}:x`;
      const expires = new Date(Date.now() + 3_600_000).toISOString();
      await db.kysely
        .insertInto("MON_SyncLocks")
        .values({
          customer: "C3",
          owner: dead,
          batch_id: "crashed",
          acquired_at: new Date().toISOString(),
          expires_at: expires,
        })
        .execute();
      const me = newOwnerId();
      expectLease(await acquire("C3", me, "mine"));
      expect(await lockRow(db, "C3")).toMatchObject({ owner: me, batch_id: "mine" });
    });

    it("does not take over a live lease of another host, nor one of a live local process", async () => {
      const expires = new Date(Date.now() + 3_600_000).toISOString();
      const owners = {
        C4: "some-other-host:1:abc",
        C5: `${hostname()}:${process.ppid}:abc`, // our parent: alive
      };
      for (const [customer, owner] of Object.entries(owners))
        await db.kysely
          .insertInto("MON_SyncLocks")
          .values({
            customer,
            owner,
            batch_id: "theirs",
            acquired_at: new Date().toISOString(),
            expires_at: expires,
          })
          .execute();
      for (const [customer, owner] of Object.entries(owners)) {
        const holder = expectHolder(await acquire(customer, newOwnerId()));
        expect(holder).toMatchObject({ owner, batchId: "theirs", expiresAt: expires });
        expect(await lockRow(db, customer)).toMatchObject({ owner, expires_at: expires });
      }
    });

    it("renew() pushes the expiry out, and reports false once another owner has taken the row", async () => {
      const a = newOwnerId();
      const lease = expectLease(await acquire("C6", a, "b", 10_000));
      const first = (await lockRow(db, "C6"))!.expires_at;
      await new Promise((r) => setTimeout(r, 20));
      expect(await lease.renew()).toBe(true);
      const second = (await lockRow(db, "C6"))!.expires_at;
      expect(Date.parse(second)).toBeGreaterThan(Date.parse(first));
      expect(Date.parse(second)).toBeGreaterThan(Date.now() + 9000);

      // It lapses and another process takes it.
      await db.kysely
        .updateTable("MON_SyncLocks")
        .set({ expires_at: new Date(Date.now() - 1).toISOString() })
        .where("customer", "=", "C6")
        .execute();
      const b = newOwnerId();
      expectLease(await acquire("C6", b, "b2"));
      expect(await lease.renew()).toBe(false);
      // The failed renewal did not touch b's lease.
      expect(await lockRow(db, "C6")).toMatchObject({ owner: b, batch_id: "b2" });
    });

    it("a renewal that cannot reach the database reports the lease lost only once it may lapse", async () => {
      const other = await engine.open();
      await migrateToLatest(other);
      let lost = 0;
      const lease = expectLease(
        await CustomerLease.acquire(other, "C9", newOwnerId(), "b", 1200, () => lost++),
      );
      await other.close();
      // Well within the TTL a failed renewal is a hiccup, not a lost lease.
      expect(await lease.renew()).toBe(true);
      await new Promise((r) => setTimeout(r, 1000));
      // Past 80% of the TTL another process may take it: the holder must stop.
      expect(await lease.renew()).toBe(false);
      // The renewal timer comes to the same conclusion and tells the run, once.
      await vi.waitFor(() => expect(lost).toBe(1), { timeout: 2000 });
      await new Promise((r) => setTimeout(r, 500));
      expect(lost).toBe(1);
    });

    it("the renewal timer notices a lost lease and calls onLost once", async () => {
      const onLost = vi.fn();
      // TTL 3 s → renewal every second.
      const lease = expectLease(await acquire("C7", newOwnerId(), "b", 3000, onLost));
      await db.kysely
        .updateTable("MON_SyncLocks")
        .set({ owner: "thief-host:1:zz" })
        .where("customer", "=", "C7")
        .execute();
      await vi.waitFor(() => expect(onLost).toHaveBeenCalledTimes(1), { timeout: 3000, interval: 50 });
      expect(lease.lost).toBe(true);
      await new Promise((r) => setTimeout(r, 1200));
      expect(onLost).toHaveBeenCalledTimes(1);
      expect(await lockRow(db, "C7")).toMatchObject({ owner: "thief-host:1:zz" });
    });

    it("lets exactly one of 10 owners win when they race for a free lease", async () => {
      const owners = Array.from({ length: 10 }, () => newOwnerId());
      const results = await Promise.all(owners.map((o, i) => acquire("RACE", o, `batch-${i}`)));
      const winners = results.filter((r): r is CustomerLease => r instanceof CustomerLease);
      expect(winners).toHaveLength(1);
      const winner = winners[0]!.owner;
      const losers = results.filter((r): r is LeaseHolder => !(r instanceof CustomerLease));
      expect(losers).toHaveLength(9);
      for (const l of losers) expect(l.owner).toBe(winner);
      expect(await lockRow(db, "RACE")).toMatchObject({ owner: winner });
    });

    it("lets exactly one of 10 owners win when they race to take over an expired lease", async () => {
      await db.kysely
        .insertInto("MON_SyncLocks")
        .values({
          customer: "RACE2",
          owner: "gone-host:1:aa",
          batch_id: "old",
          acquired_at: new Date(Date.now() - 10 * TTL).toISOString(),
          expires_at: new Date(Date.now() - 5 * TTL).toISOString(),
        })
        .execute();
      const owners = Array.from({ length: 10 }, () => newOwnerId());
      const results = await Promise.all(owners.map((o, i) => acquire("RACE2", o, `batch-${i}`)));
      const winners = results.filter((r): r is CustomerLease => r instanceof CustomerLease);
      expect(winners).toHaveLength(1);
      for (const r of results) if (!(r instanceof CustomerLease)) expect(r.owner).toBe(winners[0]!.owner);
      expect(await lockRow(db, "RACE2")).toMatchObject({ owner: winners[0]!.owner });
    });
  });
}

const HELD = "BLUE HARBOR";

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`runSync with customer leases on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;

    beforeAll(async () => {
      db = await engine.open();
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: 150, seed: 11 });
      env = await syncEnv(db);
      await migrateToLatest(db);
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    const runCustomers = (batchId: string) =>
      db.kysely
        .selectFrom("MON_SyncRunCustomers")
        .selectAll()
        .where("batch_id", "=", batchId)
        .orderBy("customer")
        .execute();

    it("skips a customer whose lease another process holds, syncs the rest, and logs both", async () => {
      const other = "other-host.example:999:abcdef";
      const lease = expectLease(await CustomerLease.acquire(db, HELD, other, "their-batch", TTL));
      const me = newOwnerId();
      let summary: SyncSummary;
      try {
        summary = await runSync(
          { settings: env.settings, db, monday: mondayFor(env.settings) },
          { owner: me },
        );
      } finally {
        await lease.release();
      }
      expect(summary.exitCode).toBe(0);
      expect(summary.status).toBe("SUCCESS");
      const held = summary.customers.find((c) => c.customer === HELD)!;
      expect(held).toMatchObject({ skipped: true, ok: true });
      expect(held.error).toContain(other);
      expect(held.counts.created).toBe(0);
      const rest = summary.customers.filter((c) => c.customer !== HELD);
      expect(rest).toHaveLength(env.settings.config.customers.length - 1);
      for (const r of rest) {
        expect(r.ok, r.error).toBe(true);
        expect(r.skipped).toBeFalsy();
        expect(r.counts.created).toBeGreaterThan(0);
      }

      const rows = await runCustomers(summary.batchId);
      expect(rows.map((r) => [r.customer, r.status, r.owner])).toEqual(
        env.settings.config.customers
          .map((c) => c.name)
          .sort()
          .map((name) => [name, name === HELD ? "SKIPPED" : "SUCCESS", me]),
      );
      const skippedRow = rows.find((r) => r.customer === HELD)!;
      expect(skippedRow.error).toContain(other);
      expect(skippedRow.finished_at).not.toBeNull();
      for (const r of rows.filter((x) => x.customer !== HELD)) {
        expect(r.finished_at).not.toBeNull();
        expect(JSON.parse(r.counts ?? "{}")).toMatchObject({ created: expect.any(Number) });
      }
      // Our leases are all given back; the skipped customer's orders are not on the board.
      expect(await db.kysely.selectFrom("MON_SyncLocks").selectAll().execute()).toEqual([]);
      const state = await db.kysely
        .selectFrom("MON_SyncState")
        .select("customer")
        .where("customer", "=", HELD)
        .execute();
      expect(state).toHaveLength(0);
    });

    it("syncs the customer on the next run once the lease is released", async () => {
      const summary = await env.sync();
      expect(summary.exitCode).toBe(0);
      const held = summary.customers.find((c) => c.customer === HELD)!;
      expect(held.skipped).toBeFalsy();
      expect(held.ok).toBe(true);
      expect(held.counts.created).toBeGreaterThan(0);
      const rows = await runCustomers(summary.batchId);
      expect(rows.every((r) => r.status === "SUCCESS")).toBe(true);
      await expectBoardsMatchDatabase(env, db);
      expect(await stagedCount(db)).toBe(0);
    });

    it("two processes' runs at once on one database sync each customer once, and the boards end right", async () => {
      await writeDemoOrders(db, { count: 120, seed: 13, startIndex: 20_000 });
      const deps = () => ({ settings: env.settings, db, monday: mondayFor(env.settings) });
      const [a, b] = await Promise.all([
        runSync(deps(), { owner: `${hostname()}:${process.pid}:aaaaaa` }),
        runSync(deps(), { owner: `${hostname()}:${process.pid}:bbbbbb` }),
      ]);
      expect(a.exitCode).toBe(0);
      expect(b.exitCode).toBe(0);
      for (const name of env.settings.config.customers.map((c) => c.name)) {
        const ra = a.customers.find((c) => c.customer === name)!;
        const rb = b.customers.find((c) => c.customer === name)!;
        // No customer's new orders were sent by both.
        expect(ra.counts.created > 0 && rb.counts.created > 0, name).toBe(false);
      }
      const rows = await db.kysely
        .selectFrom("MON_SyncRunCustomers")
        .selectAll()
        .where("batch_id", "in", [a.batchId, b.batchId])
        .execute();
      expect(rows.every((r) => r.status === "SUCCESS" || r.status === "SKIPPED")).toBe(true);
      // Where both runs synced a customer, one did so after the other had finished (the lease held).
      for (const name of env.settings.config.customers.map((c) => c.name)) {
        const ran = rows.filter((r) => r.customer === name && r.status === "SUCCESS");
        expect(ran.length, name).toBeGreaterThanOrEqual(1);
        if (ran.length === 2) {
          const [x, y] = [...ran].sort((p, q) => p.started_at.localeCompare(q.started_at));
          expect(x!.finished_at! <= y!.started_at, `${name}: ${JSON.stringify(ran)}`).toBe(true);
        }
      }
      expect(await db.kysely.selectFrom("MON_SyncLocks").selectAll().execute()).toEqual([]);
      await expectBoardsMatchDatabase(env, db);
      expect(await stagedCount(db)).toBe(0);
    });

    it("a run whose signal is already aborted is STOPPED, sends nothing and leaves nothing in flight", async () => {
      await sql`UPDATE "ORDERS_UNIFIED" SET "PO NUMBER" = ${"PO-stopped"} WHERE "AAG ORDER NUMBER" = (SELECT MIN("AAG ORDER NUMBER") FROM "ORDERS_UNIFIED" WHERE "CUSTOMER" = ${HELD} AND "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"})`.execute(
        db.kysely,
      );
      const writes = env.emulator.log.writeRequests;
      const summary = await runSync(
        { settings: env.settings, db, monday: mondayFor(env.settings) },
        { signal: AbortSignal.abort(new Error("test shutdown")) },
      );
      expect(summary.status).toBe("STOPPED");
      expect(summary.exitCode).not.toBe(0);
      expect(summary.customers.every((c) => c.stopped && !c.ok)).toBe(true);
      expect(env.emulator.log.writeRequests).toBe(writes);
      const run = await db.kysely
        .selectFrom("MON_SyncRuns")
        .selectAll()
        .where("batch_id", "=", summary.batchId)
        .executeTakeFirstOrThrow();
      expect(run.status).toBe("STOPPED");
      expect(run.finished_at).not.toBeNull();
      const inFlight = await db.kysely
        .selectFrom("STG_MON_CustMasterSchedule")
        .select("stg_id")
        .where("stg_status", "=", "IN_FLIGHT")
        .execute();
      expect(inFlight).toHaveLength(0);
      expect(await db.kysely.selectFrom("MON_SyncLocks").selectAll().execute()).toEqual([]);

      const next = await env.sync();
      expect(next.exitCode).toBe(0);
      expect(next.counts.updated).toBe(1);
      await expectBoardsMatchDatabase(env, db);
    });

    it("a run stopped part-way records what it sent, leaves the rest PENDING, and the next run finishes", async () => {
      // New orders for every customer, so each has several requests' worth of rows.
      await writeDemoOrders(db, { count: 400, seed: 12, startIndex: 10_000 });
      const controller = new AbortController();
      const events = new SyncEvents();
      events.on("progress", (e) => {
        if (e.phase === "push") controller.abort(new Error("the server is shutting down"));
      });
      const summary = await runSync(
        { settings: env.settings, db, monday: mondayFor(env.settings), events },
        { signal: controller.signal },
      );
      expect(summary.status).toBe("STOPPED");
      expect(summary.customers.some((c) => c.stopped)).toBe(true);
      for (const c of summary.customers.filter((x) => x.stopped))
        expect(c.error ?? "").toMatch(/stop|shutting down/);
      for (const table of ["STG_MON_CustMasterSchedule", "STG_MON_CustMasterSchedule_Subitems"] as const) {
        const inFlight = await db.kysely
          .selectFrom(table)
          .select("stg_status")
          .where("stg_status", "=", "IN_FLIGHT")
          .execute();
        expect(inFlight, table).toHaveLength(0);
      }
      expect(await stagedCount(db)).toBeGreaterThan(0);
      const rows = await runCustomers(summary.batchId);
      expect(rows.some((r) => r.status === "STOPPED")).toBe(true);
      expect(rows.some((r) => r.status === "RUNNING")).toBe(false);
      expect(await db.kysely.selectFrom("MON_SyncLocks").selectAll().execute()).toEqual([]);

      const next = await env.sync();
      expect(next.exitCode, JSON.stringify(next.customers.map((c) => c.error))).toBe(0);
      expect(next.status).toBe("SUCCESS");
      await expectBoardsMatchDatabase(env, db);
      expect(await stagedCount(db)).toBe(0);
    });

    // Last in this block: it breaks the database on purpose.
    it("a run that dies on a database error after it started is not left RUNNING and says it ended", async () => {
      await writeDemoOrders(db, { count: 20, seed: 14, startIndex: 30_000 });
      await sql`DROP TABLE "MON_SyncRunCustomers"`.execute(db.kysely);
      const events = new SyncEvents();
      const ended: string[] = [];
      let started: string | undefined;
      events.on("runStarted", (e) => (started = e.batchId));
      events.on("runDone", (e) => ended.push(`done:${e.status}`));
      events.on("runFailed", (e) => ended.push(`failed:${e.error}`));
      let summary: SyncSummary | undefined;
      let error: unknown;
      try {
        summary = await runSync({ settings: env.settings, db, monday: mondayFor(env.settings), events });
      } catch (e) {
        error = e;
      }
      expect(started).toBeDefined();
      if (summary) expect(summary.status).not.toBe("SUCCESS");
      else expect(String(error)).toMatch(/MON_SyncRunCustomers/);
      // Whatever the outcome, the run log and the metrics (order_sync_sync_in_progress) see the run end.
      expect(ended).toHaveLength(1);
      const run = await db.kysely
        .selectFrom("MON_SyncRuns")
        .selectAll()
        .where("batch_id", "=", started!)
        .executeTakeFirstOrThrow();
      expect(run.status).not.toBe("RUNNING");
      expect(run.finished_at).not.toBeNull();
      await vi.waitFor(async () =>
        expect(await db.kysely.selectFrom("MON_SyncLocks").selectAll().execute()).toEqual([]),
      );
    });
  });
}
