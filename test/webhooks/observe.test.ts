// The webhook inbox in /health and /metrics: a lagging inbox makes serve unhealthy; events are counted by outcome.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createMetrics, HealthChecker } from "../../src/observe/index.js";
import { SyncEvents } from "../../src/sync/index.js";
import { eventOf, inboxDepth, storeEvent } from "../../src/webhooks/index.js";
import { testDatabases } from "../helpers/databases.js";
import { parseMetrics, sumOf } from "../helpers/serve.js";
import { columnChangeEvent } from "../helpers/webhook-events.js";

const sqlite = (await testDatabases()).find((d) => d.name === "sqlite")!;

describe("webhook inbox health and metrics", () => {
  let db: Db;
  beforeAll(async () => {
    db = await sqlite.open();
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  const checker = () =>
    new HealthChecker(
      {
        db,
        monday: { ping: async () => undefined, stats: () => ({ breakerState: "CLOSED" }) as never },
        webhookInbox: () => inboxDepth(db),
      },
      {
        pendingMaxAgeHours: 24,
        lastBatchMaxAgeMinutes: 60,
        mondayCheckCacheSeconds: 0,
        inboxMaxLagSeconds: 60,
      },
    );

  it("webhook_inbox is healthy while events are applied in time, unhealthy once one waits too long", async () => {
    const fresh = await checker().check();
    expect(fresh.checks.webhook_inbox).toMatchObject({ healthy: true, pending: 0 });
    const raw = columnChangeEvent();
    await storeEvent(db, eventOf(raw), "webhook", raw, new Date(Date.now() - 120_000).toISOString());
    const lagging = await checker().check();
    expect(lagging.status).toBe("unhealthy");
    expect(lagging.checks.webhook_inbox).toMatchObject({ healthy: false, pending: 1 });
    expect(lagging.checks.webhook_inbox?.message).toMatch(/waited 1[12]\d s \(more than 60 s\)/);
  });

  it("exports events by outcome, the inbox depth and its lag", async () => {
    const metrics = createMetrics({
      events: new SyncEvents(),
      processMetrics: false,
      webhookInbox: () => inboxDepth(db),
    });
    metrics.webhookEvent("received");
    metrics.webhookEvent("received");
    metrics.webhookEvent("echo");
    const samples = parseMetrics(await metrics.registry.metrics());
    expect(sumOf(samples, "webhook_events_total", { outcome: "received" })).toBe(2);
    expect(sumOf(samples, "webhook_events_total", { outcome: "echo" })).toBe(1);
    expect(sumOf(samples, "webhook_events_total", { outcome: "rejected" })).toBe(0);
    expect(sumOf(samples, "webhook_inbox_depth")).toBe(1);
    expect(sumOf(samples, "webhook_inbox_lag_seconds")).toBeGreaterThan(100);
    metrics.close();
  });
});
