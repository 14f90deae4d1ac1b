// The webhook inbox in /health and /metrics: a lagging inbox makes serve unhealthy; events are counted by outcome.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings } from "../../src/config/index.js";
import { migrateToLatest, openDatabase, type Db } from "../../src/db/index.js";
import { createMetrics, HealthChecker } from "../../src/observe/index.js";
import { SyncEvents } from "../../src/sync/index.js";
import { eventOf, inboxDepth, inboxState, storeEvent } from "../../src/webhooks/index.js";
import { runCli } from "../helpers/cli.js";
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

describe("the webhook inbox in `order-sync status`", () => {
  it("shows events by state, the depth, the oldest PENDING event and its lag against the limit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "order-sync-inbox-status-"));
    expect((await runCli(["init", "--dir", dir, "--orders", "1"])).code).toBe(0);
    const config = join(dir, "order-sync.yaml");
    const db = await openDatabase(loadSettings(config, {}).db);
    try {
      await migrateToLatest(db);
      const old = new Date(Date.now() - 600_000).toISOString();
      for (const at of [old, new Date().toISOString()]) {
        const raw = columnChangeEvent();
        await storeEvent(db, eventOf(raw), "webhook", raw, at);
      }
      const state = await inboxState(db, Date.parse(old) + 600_000);
      expect(state).toMatchObject({
        pending: 2,
        oldestPending: old,
        lagSeconds: 600,
        counts: { PENDING: 2 },
      });
    } finally {
      await db.close();
    }
    const json = await runCli(["status", "--config", config, "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const inbox = (JSON.parse(json.stdout) as { webhookInbox: Record<string, unknown> }).webhookInbox;
    expect(inbox).toMatchObject({ pending: 2, maxLagSeconds: 300, counts: { PENDING: 2 } });
    expect(inbox.lagSeconds).toBeGreaterThanOrEqual(600);
    const text = await runCli(["status", "--config", config]);
    expect(text.stdout).toMatch(
      /webhook inbox: 2 PENDING; depth 2, oldest PENDING since \S+, lag 6\d\d s \(more than serve\.webhooks\.inboxMaxLagSeconds, 300 s\)/,
    );
  }, 60_000);
});
