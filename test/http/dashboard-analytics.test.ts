// The dashboard's analytics and its auth through app.request (no port): each /api/analytics view on the
// demo data equals the same figure the test computes with its own SQL, on SQLite, PostgreSQL and MariaDB; pages and
// endpoints refuse callers without the token or session, and cross-site POSTs are refused.
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mondayFor } from "../../src/app.js";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { createHttpApp } from "../../src/http/index.js";
import { createMetrics, HealthChecker, type SyncMetrics } from "../../src/observe/index.js";
import { SyncEvents, SyncScheduler } from "../../src/sync/index.js";
import { testDatabasesExcept } from "../helpers/databases.js";
import { syncEnv, type SyncEnv } from "../helpers/sync-env.js";
import { writeTwoWayRecords } from "../helpers/two-way-data.js";

const TOKEN = "dash-token-123";
const AS_OF = "2026-09-01";
const ORDERS = 600;
const auth = { Authorization: `Bearer ${TOKEN}` };

type Rows = Record<string, unknown>[];
const n = (v: unknown) => Number(v ?? 0);

const c = (name: string) => sql.ref(name);
const T = sql.table("ORDERS_UNIFIED");

for (const target of await testDatabasesExcept(
  ["mssql"],
  "the test's own SQL is not written for SQL Server",
)) {
  describe.skipIf(!target.available)(`dashboard analytics on ${target.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    let metrics: SyncMetrics;
    let scheduler: SyncScheduler;
    let app: ReturnType<typeof createHttpApp>;
    const q = (s: ReturnType<typeof sql>) =>
      s.execute(db.kysely as unknown as Kysely<unknown>).then((r) => r.rows as Rows);
    const api = async (path: string) => {
      const res = await app.request(path, { headers: auth });
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as { rows: Rows; total: number };
    };

    beforeAll(async () => {
      db = await target.open();
      await migrateToLatest(db);
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: ORDERS, seed: 7 });
      await writeTwoWayRecords(db, { count: ORDERS, seed: 7 });
      env = await syncEnv(db);
      const monday = mondayFor(env.settings);
      metrics = createMetrics({ events: new SyncEvents(), monday, processMetrics: false });
      const health = new HealthChecker(
        { db, monday },
        { pendingMaxAgeHours: 24, lastBatchMaxAgeMinutes: 60, mondayCheckCacheSeconds: 0 },
      );
      scheduler = new SyncScheduler(
        { kind: "interval", seconds: 3600, runOnStart: false },
        {
          run: () => Promise.reject(new Error("no sync in this test")),
        },
      );
      app = createHttpApp({
        db,
        metrics,
        health,
        scheduler,
        customers: ["BLUE HARBOR"],
        apiToken: TOKEN,
        shuttingDown: () => false,
      });
    });
    afterAll(async () => {
      await scheduler?.stop(1000);
      metrics?.close();
      await env?.close();
      await db?.close();
    });

    const live = sql`${c("AAG ORDER NUMBER")} not like '%CANCELLED%'`;

    it("GET /api/analytics lists every view, and each answers JSON", async () => {
      const res = await app.request("/api/analytics", { headers: auth });
      const body = (await res.json()) as { endpoints: { name: string; path: string }[] };
      expect(body.endpoints.map((e) => e.name)).toEqual([
        "on-time",
        "at-risk",
        "lead-times",
        "wip",
        "throughput",
        "time-in-status",
      ]);
      for (const e of body.endpoints) {
        const r = await app.request(e.path, { headers: auth });
        expect(r.status).toBe(200);
        expect(r.headers.get("content-type")).toMatch(/application\/json/);
      }
    });

    it("work in progress equals the test's GROUP BY", async () => {
      const expected =
        await q(sql`select ${c("ORDER STATUS")} as status, count(*) as c, sum(${c("ORDER QTY")}) as qty
        from ${T} where ${live} group by ${c("ORDER STATUS")}`);
      const { rows } = await api("/api/analytics/wip");
      expect(rows.length).toBe(expected.length);
      for (const e of expected)
        expect(rows.find((r) => r.status === e.status)).toMatchObject({ orders: n(e.c), quantity: n(e.qty) });
      expect(rows.reduce((s, r) => s + n(r.orders), 0)).toBeGreaterThan(ORDERS * 0.9);
    });

    it("on-time rate by customer and season equals the test's counts", async () => {
      const { rows } = await api(`/api/analytics/on-time?asOf=${AS_OF}`);
      expect(rows.length).toBeGreaterThan(10);
      for (const r of rows) {
        const [x] = await q(sql`select count(*) as due,
            sum(case when ${c("ORDER STATUS")} = 'Shipped' then 1 else 0 end) as shipped
          from ${T} where ${live} and ${c("CUSTOMER")} = ${r.customer} and ${c("SEASON")} = ${r.season}
            and ${c("EX FACTORY DATE")} <= ${AS_OF}`);
        expect(r.ex_factory_due).toBe(n(x!.due));
        expect(r.ex_factory_on_time).toBe(n(x!.shipped));
        expect(r.ex_factory_rate).toBe(
          n(x!.due) ? Math.round((n(x!.shipped) / n(x!.due)) * 10000) / 10000 : null,
        );
      }
      const dueSomewhere = rows.filter((r) => n(r.delivery_due) > 0 && n(r.delivery_on_time) > 0);
      expect(dueSomewhere.length).toBeGreaterThan(0);
    });

    it("late and at-risk orders: the total and the first page equal the test's query, with a filter", async () => {
      const path = `/api/analytics/at-risk?asOf=${AS_OF}&days=30&customer=BLUE%20HARBOR&limit=20`;
      const { rows, total } = await api(path);
      const expected = await q(sql`select ${c("AAG ORDER NUMBER")} as k,
          case when ${c("EX FACTORY DATE")} < ${AS_OF} then 'LATE' else 'AT RISK' end as risk
        from ${T} where ${live} and ${c("CUSTOMER")} = 'BLUE HARBOR' and (
          (${c("EX FACTORY DATE")} < ${AS_OF} and ${c("ORDER STATUS")} <> 'Shipped')
          or (${c("EX FACTORY DATE")} >= ${AS_OF} and ${c("EX FACTORY DATE")} <= ${"2026-10-01"}
              and ${c("ORDER STATUS")} not in ('In Production', 'Shipped')))
        order by ${c("EX FACTORY DATE")}, ${c("AAG ORDER NUMBER")}`);
      expect(total).toBe(expected.length);
      expect(total).toBeGreaterThan(20);
      expect(rows.map((r) => [r.order_key, r.risk])).toEqual(expected.slice(0, 20).map((e) => [e.k, e.risk]));
      const page2 = await api(`${path}&offset=20`);
      expect(page2.rows[0]?.order_key).toBe(expected[20]!.k);
    });

    it("lead times: each bucket's count equals the test's count of orders in that range", async () => {
      const { rows } = await api("/api/analytics/lead-times");
      const [dl, xf] = [c("DELIVERY DATE"), c("EX FACTORY DATE")];
      const days = {
        postgres: sql`(${dl} - ${xf})`,
        mysql: sql`datediff(${dl}, ${xf})`,
        sqlite: sql`(julianday(${dl}) - julianday(${xf}))`,
      }[db.dialect as "postgres" | "mysql" | "sqlite"];
      let sum = 0;
      for (const r of rows) {
        const [x] = await q(sql`select count(*) as c from ${T}
          where ${live} and ${days} between ${r.days_from} and ${r.days_to}`);
        expect(r.orders).toBe(n(x!.c));
        sum += n(r.orders);
      }
      const [all] = await q(sql`select count(*) as c from ${T} where ${live}`);
      expect(sum).toBe(n(all!.c));
      expect(rows.length).toBeGreaterThanOrEqual(4); // 21..50 days: five week-wide buckets
    });

    it("weekly throughput: each Monday's count equals the test's count, and CSV carries the same rows", async () => {
      const { rows } = await api("/api/analytics/throughput?season=SS26");
      let sum = 0;
      for (const r of rows) {
        const monday = new Date(`${String(r.week)}T00:00:00Z`);
        expect(monday.getUTCDay()).toBe(1);
        const sunday = new Date(monday.getTime() + 6 * 86_400_000).toISOString().slice(0, 10);
        const [x] = await q(sql`select count(*) as c from ${T} where ${live}
          and ${c("SEASON")} = 'SS26' and ${c("ORDER STATUS")} = 'Shipped'
          and ${c("EX FACTORY DATE")} >= ${r.week} and ${c("EX FACTORY DATE")} <= ${sunday}`);
        expect(r.orders).toBe(n(x!.c));
        sum += n(r.orders);
      }
      const [all] = await q(sql`select count(*) as c from ${T}
        where ${live} and ${c("SEASON")} = 'SS26' and ${c("ORDER STATUS")} = 'Shipped'`);
      expect(sum).toBe(n(all!.c));
      const csv = await app.request("/api/analytics/throughput?season=SS26&format=csv", { headers: auth });
      expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
      const lines = (await csv.text()).trim().split("\r\n");
      expect(lines[0]).toBe("week,orders,quantity");
      expect(lines.slice(1)).toEqual(rows.map((r) => `${r.week},${r.orders},${r.quantity}`));
    });

    it("time in each status equals the test's own stays (a correlated next change, not a window)", async () => {
      const end = "2026-09-02T00:00:00.000Z";
      const next = sql`(select min(h2.changed_at) from ${sql.table("MON_StatusHistory")} h2
        where h2.board_id = h.board_id and h2.item_id = h.item_id and h2.column_id = h.column_id
          and h2.changed_at > h.changed_at and h2.changed_at < ${end})`;
      const until = sql`coalesce(${next}, ${end})`;
      const seconds = {
        postgres: sql`extract(epoch from (cast(${until} as timestamptz) - cast(h.changed_at as timestamptz)))`,
        mysql: sql`timestampdiff(second, cast(replace(left(h.changed_at, 19), 'T', ' ') as datetime),
          cast(replace(left(${until}, 19), 'T', ' ') as datetime))`,
        sqlite: sql`(strftime('%s', ${until}) - strftime('%s', h.changed_at))`,
      }[db.dialect as "postgres" | "mysql" | "sqlite"];
      const stays = sql`select h.status as status, h.item_id as item_id, ${seconds} as secs,
          case when ${next} is null then 1 else 0 end as open_stay
        from ${sql.table("MON_StatusHistory")} h join ${T} o on ${sql.ref("o.AAG ORDER NUMBER")} = h.order_key
        where h.changed_at < ${end} and ${sql.ref("o.AAG ORDER NUMBER")} not like '%CANCELLED%'
          and ${sql.ref("o.CUSTOMER")} = 'BLUE HARBOR'`;
      const expected = await q(sql`select s.status as status, count(*) as stays,
          count(distinct s.item_id) as orders, sum(s.open_stay) as open_stays, sum(s.secs) as secs
        from (${stays}) s group by s.status`);
      const { rows } = await api(`/api/analytics/time-in-status?asOf=2026-09-01&customer=BLUE%20HARBOR`);
      expect(rows.map((r) => r.status).sort()).toEqual(expected.map((e) => e.status).sort());
      expect(expected.length).toBeGreaterThanOrEqual(4);
      for (const e of expected) {
        const r = rows.find((x) => x.status === e.status)!;
        expect(r).toMatchObject({ stays: n(e.stays), orders: n(e.orders), open_stays: n(e.open_stays) });
        expect(n(r.total_hours)).toBeCloseTo(n(e.secs) / 3600, 1);
        expect(n(r.avg_hours)).toBeCloseTo(n(e.secs) / 3600 / n(e.stays), 1);
      }
      const all = await api(`/api/analytics/time-in-status?asOf=2026-09-01`);
      const stays2 = (rs: Rows) => rs.reduce((t, r) => t + n(r.stays), 0);
      expect(stays2(all.rows)).toBeGreaterThan(stays2(rows));
    });

    it("with analyticsWarm, each view's default answer is computed at start: the first visit is served from it", async () => {
      const t0 = Date.now();
      const warm = createHttpApp({
        db,
        metrics,
        health: new HealthChecker(
          { db, monday: mondayFor(env.settings) },
          { pendingMaxAgeHours: 24, lastBatchMaxAgeMinutes: 60, mondayCheckCacheSeconds: 0 },
        ),
        scheduler,
        customers: ["BLUE HARBOR"],
        apiToken: TOKEN,
        shuttingDown: () => false,
        analyticsWarm: true,
      });
      await new Promise((r) => setTimeout(r, 1500)); // the warm-up of six views over 600 orders
      const visited = Date.now();
      for (const name of ["on-time", "at-risk", "lead-times", "wip", "throughput", "time-in-status"]) {
        const res = await warm.request(`/api/analytics/${name}`, { headers: auth });
        const body = (await res.json()) as { computedAt: string; rows: Rows };
        const at = Date.parse(body.computedAt);
        expect(at, name).toBeGreaterThanOrEqual(t0 - 1);
        expect(at, name).toBeLessThan(visited);
        // The same figures as a computation for this request (the app without warm-up).
        const fresh = await app.request(`/api/analytics/${name}`, { headers: auth });
        expect(body.rows, name).toEqual(((await fresh.json()) as { rows: Rows }).rows);
      }
    });

    it("a bad filter is a 400 naming the parameter", async () => {
      const res = await app.request("/api/analytics/at-risk?days=-3&asOf=tomorrow", { headers: auth });
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: string };
      expect(error).toMatch(/asOf: must be a date/);
      expect(error).toMatch(/days:/);
    });
  });
}
