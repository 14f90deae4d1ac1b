// The dashboard's two-way sync view through app.request (no port), on each engine: the inbox's depth and
// lag, the webhook requests serve rejected (counted by its metrics), and the board edits and conflicts,
// each list one page at a time; the figures equal the test's own counts on the demo records.
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mondayFor } from "../../src/app.js";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { createHttpApp, webhookRoutes } from "../../src/http/index.js";
import { createMetrics, HealthChecker, type SyncMetrics } from "../../src/observe/index.js";
import { SyncEvents, SyncScheduler } from "../../src/sync/index.js";
import { testDatabases } from "../helpers/databases.js";
import { syncEnv, type SyncEnv } from "../helpers/sync-env.js";
import { writeTwoWayRecords } from "../helpers/two-way-data.js";

const TOKEN = "two-way-token";
const ORDERS = 400;
const auth = { Authorization: `Bearer ${TOKEN}` };

/** The number in the summary table's row named `label`. */
function figure(page: string, label: string): string | undefined {
  const esc = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`<td>${esc}</td>\\s*<td[^>]*>([^<]*)</td>`).exec(page)?.[1]?.trim();
}
/** The body rows of the table whose caption contains `caption`. */
function tableRows(page: string, caption: string): string[] {
  const at = page.indexOf(caption);
  const body = page.slice(at, page.indexOf("</tbody>", at));
  return body.split("<tr>").slice(2);
}

for (const target of await testDatabases()) {
  describe.skipIf(!target.available)(`dashboard two-way sync view on ${target.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    let metrics: SyncMetrics;
    let scheduler: SyncScheduler;
    let app: ReturnType<typeof createHttpApp>;
    const count = async (where: ReturnType<typeof sql>, table: string) => {
      const { rows } = await sql<{
        n: unknown;
      }>`select count(*) as n from ${sql.table(table)} where ${where}`.execute(
        db.kysely as unknown as Kysely<unknown>,
      );
      return Number(rows[0]?.n);
    };
    const get = async (path: string) => {
      const res = await app.request(path, { headers: auth });
      expect(res.status).toBe(200);
      return res.text();
    };

    beforeAll(async () => {
      db = await target.open();
      await migrateToLatest(db);
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: ORDERS, seed: 3 });
      await writeTwoWayRecords(db, { count: ORDERS, seed: 3 });
      env = await syncEnv(db);
      const monday = mondayFor(env.settings);
      metrics = createMetrics({ events: new SyncEvents(), monday, processMetrics: false });
      const health = new HealthChecker(
        { db, monday },
        { pendingMaxAgeHours: 24, lastBatchMaxAgeMinutes: 60, mondayCheckCacheSeconds: 0 },
      );
      scheduler = new SyncScheduler(
        { kind: "interval", seconds: 3600, runOnStart: false },
        { run: () => Promise.reject(new Error("no sync in this test")) },
      );
      const webhooks = webhookRoutes({
        db,
        secret: "the-path-secret",
        signingSecret: undefined,
        audiences: [],
        maxBodyBytes: 4096,
        onStored: () => undefined,
        onRequest: (outcome) => metrics.webhookEvent(outcome),
      });
      app = createHttpApp({
        db,
        metrics,
        health,
        scheduler,
        customers: ["BLUE HARBOR"],
        apiToken: TOKEN,
        shuttingDown: () => false,
        webhooks,
      });
    }, 120_000);
    afterAll(async () => {
      await scheduler?.stop(1000);
      metrics?.close();
      await env?.close();
      await db?.close();
    });

    it("shows the inbox's depth and lag, and the webhook requests rejected since start", async () => {
      for (const path of ["/webhooks/monday/wrong-secret", "/webhooks/monday/the-path-secret"])
        await app.request(path, {
          method: "POST",
          body: "not json",
          headers: { "Content-Type": "text/plain" },
        });
      const page = await get("/two-way");
      const pending = await count(sql`status = 'PENDING'`, "MON_WebhookInbox");
      expect(pending).toBeGreaterThan(0);
      expect(figure(page, "depth (PENDING events)")).toBe(String(pending));
      expect(figure(page, "APPLIED events")).toBe(
        String(await count(sql`status = 'APPLIED'`, "MON_WebhookInbox")),
      );
      const lag = Number(figure(page, "lag: the oldest PENDING event has waited (s)"));
      const { rows } = await sql<{ oldest: string }>`select min(received_at) as oldest
        from ${sql.table("MON_WebhookInbox")} where status = 'PENDING'`.execute(
        db.kysely as unknown as Kysely<unknown>,
      );
      expect(Math.abs(lag - (Date.now() - Date.parse(rows[0]!.oldest)) / 1000)).toBeLessThan(60);
      expect(figure(page, "requests rejected since serve started (bad secret, signature, body)")).toBe("2");
    });

    it("lists board edits and conflicts newest first, one page at a time, filtered by kind", async () => {
      const conflicts = await count(sql`kind = 'CONFLICT'`, "MON_BoardChanges");
      const all = await count(sql`1 = 1`, "MON_BoardChanges");
      expect(conflicts).toBeGreaterThan(0);
      expect(all).toBeGreaterThan(20);
      const page = await get("/two-way?limit=10");
      expect(tableRows(page, "Board changes, newest first")).toHaveLength(10);
      expect(page).toContain(`1–10 of ${all}`);
      const filtered = await get("/two-way?kind=CONFLICT&limit=200");
      const rows = tableRows(filtered, "Board changes, newest first");
      expect(rows).toHaveLength(Math.min(conflicts, 200));
      for (const r of rows) expect(r).toContain("<td>CONFLICT</td>");
      const [newest] = (
        await sql<{ at: string }>`select max(changed_at) as at from ${sql.table("MON_BoardChanges")}
          where kind = 'CONFLICT'`.execute(db.kysely as unknown as Kysely<unknown>)
      ).rows;
      expect(rows[0]).toContain(`<td>${newest!.at}</td>`);
      const next = await get("/two-way?kind=CONFLICT&limit=2&changesOffset=2");
      expect(tableRows(next, "Board changes, newest first")[0]).toBe(rows[2]);
    });

    it("pages the inbox by status, never the whole table", async () => {
      const total = await count(sql`1 = 1`, "MON_WebhookInbox");
      const page = await get("/two-way?limit=5&status=APPLIED");
      expect(tableRows(page, "Webhook inbox events, newest first")).toHaveLength(5);
      const applied = await count(sql`status = 'APPLIED'`, "MON_WebhookInbox");
      expect(page).toContain(`1–5 of ${applied}`);
      expect(total).toBeGreaterThan(applied);
      const unauth = await app.request("/two-way");
      expect(unauth.status).toBe(401);
    });
  });
}
