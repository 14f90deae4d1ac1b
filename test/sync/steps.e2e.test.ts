// Every step of DESIGN's pipeline is reported for each customer: once a customer, in pipeline order, in
// the step metric and in the logs, from a real run against the emulator (SQLite; the step events do not
// depend on the engine).
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mondayFor } from "../../src/app.js";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { attachSyncLogging, createMetrics } from "../../src/observe/index.js";
import { runSync, SYNC_STEPS, SyncEvents, type SyncEventMap } from "../../src/sync/index.js";
import { testDatabases } from "../helpers/databases.js";
import { syncEnv, type SyncEnv } from "../helpers/sync-env.js";

const sqlite = (await testDatabases()).find((d) => d.name === "sqlite")!;

describe("the steps of a sync run", () => {
  let db: Db;
  let env: SyncEnv;

  beforeAll(async () => {
    db = await sqlite.open();
    await createOrdersTable(db);
    await writeDemoOrders(db, { count: 60, seed: 3 });
    env = await syncEnv(db);
  });
  afterAll(async () => {
    await env?.close();
    await db?.close();
  });

  it("reports each of reconcile, read, detect, validate, stage, push, record and clear once a customer", async () => {
    const events = new SyncEvents();
    const steps: SyncEventMap["stepDone"][0][] = [];
    events.on("stepDone", (e) => steps.push(e));
    const metrics = createMetrics({ events, processMetrics: false });
    const lines: { step?: string; customer?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l) as never);
        done();
      },
    });
    attachSyncLogging(events, pino({ level: "debug" }, sink));
    try {
      const summary = await runSync({ settings: env.settings, db, monday: mondayFor(env.settings), events });
      expect(summary.exitCode).toBe(0);
      expect(summary.counts.created).toBeGreaterThan(0);
      const customers = summary.customers.map((c) => c.customer);
      expect(customers.length).toBeGreaterThan(1);
      for (const customer of customers) {
        const mine = steps.filter((s) => s.customer === customer);
        expect(mine.map((s) => s.step)).toEqual([...SYNC_STEPS]);
        expect(mine.every((s) => s.ok && s.durationMs >= 0)).toBe(true);
        expect(
          lines
            .filter((l) => l.customer === customer)
            .map((l) => l.step)
            .filter(Boolean),
        ).toEqual([...SYNC_STEPS]);
      }
      const json = await metrics.registry.getMetricsAsJSON();
      const histogram = json.find((m) => m.name === "staging_processing_seconds")!;
      const counted = (
        histogram.values as { metricName?: string; labels: Record<string, string>; value: number }[]
      )
        .filter((v) => v.metricName === "staging_processing_seconds_count" && v.labels.operation !== "total")
        .map((v) => `${v.labels.customer}/${v.labels.operation}=${v.value}`)
        .sort();
      expect(counted).toEqual(customers.flatMap((c) => SYNC_STEPS.map((s) => `${c}/${s}=1`)).sort());
    } finally {
      metrics.close();
    }
  });
});
