// The dashboard in headless Chromium (playwright-core, Debian's chromium) against a real `serve` app on a
// port: demo orders synced to the emulator over HTTP, then log in, find the run with its counts, find a DEAD
// row, read an analytics view whose figures the test recomputes in SQL; unauthenticated and cross-site
// requests refused; nothing is loaded from outside the server.
import { sql, type Kysely } from "kysely";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { CHROMIUM_ARGS, ensureChromium } from "../helpers/browser.js";
import { testDatabases } from "../helpers/databases.js";
import { stagedOrderRow } from "../helpers/sync-env.js";
import { writeTwoWayRecords } from "../helpers/two-way-data.js";
import { startDashboard, type DashboardEnv } from "./dashboard-env.js";

const TOKEN = "browser-dash-token";
const browserInfo = ensureChromium();
const sqlite = (await testDatabases()).find((d) => d.name === "sqlite")!;

describe.skipIf(!browserInfo.available)("the dashboard in headless Chromium", () => {
  let db: Db;
  let dash: DashboardEnv;
  let browser: Browser;
  let page: Page;
  const outside: string[] = [];

  beforeAll(async () => {
    if (!browserInfo.available) return;
    db = await sqlite.open();
    dash = await startDashboard(db, TOKEN);
    browser = await chromium.launch({ executablePath: browserInfo.path, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.on("request", (r) => {
      if (!r.url().startsWith(dash.url)) outside.push(r.url());
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    await db?.close();
  });

  const cellsOf = (rowText: string) => rowText.split("\t").map((s) => s.trim());

  it("logs in with the token and shows the run with the sync's counts, chart drawn from bundled uPlot", async () => {
    await page.goto(`${dash.url}/`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.getByLabel("API token (ORDER_SYNC_API_TOKEN)").fill("wrong");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("alert").innerText()).resolves.toMatch(/not ORDER_SYNC_API_TOKEN/);
    await page.getByLabel("API token (ORDER_SYNC_API_TOKEN)").fill(TOKEN);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${dash.url}/`);
    const cookie = (await page.context().cookies()).find((c) => c.name === "order_sync_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });

    const { batchId, counts, apiRequests } = dash.summary;
    expect(counts.created).toBeGreaterThan(50);
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: batchId }) });
    const cells = cellsOf(await row.innerText());
    // run, started, status, duration, created, updated, archived, failed, requests, budget waits
    expect(cells[2]).toBe(dash.summary.status);
    expect(cells.slice(4, 9).map(Number)).toEqual([
      counts.created,
      counts.updated,
      counts.archived,
      counts.failed + counts.dead,
      apiRequests,
    ]);
    await expect(page.locator("[data-chart] canvas").count()).resolves.toBe(2);
    expect(outside).toEqual([]);
  });

  it("a run's detail lists its changes down to the column", async () => {
    await page.getByRole("link", { name: dash.summary.batchId }).click();
    await page.waitForURL(/\/runs\//);
    const text = await page.locator("main").innerText();
    for (const c of dash.env.settings.config.customers.slice(0, 2)) expect(text).toContain(c.name);
    const [first] = await db.kysely
      .selectFrom("MON_ChangeLog")
      .selectAll()
      .where("batch_id", "=", dash.summary.batchId)
      .orderBy("change_id")
      .limit(1)
      .execute();
    expect(text).toContain(first!.order_key);
    expect(text).toMatch(/CREATE/);
  });

  it("after an edit and a second sync, the run's detail shows the order's column before → after", async () => {
    const k = db.kysely as unknown as Kysely<unknown>;
    const { rows } = await sql<{ key: string; color: string }>`
      select "AAG ORDER NUMBER" as key, "COLOR" as color from "ORDERS_UNIFIED"
      where "AAG ORDER NUMBER" not like '%CANCELLED%' order by 1 limit 1`.execute(k);
    const { key, color } = rows[0]!;
    await sql`update "ORDERS_UNIFIED" set "COLOR" = 'Ultraviolet' where "AAG ORDER NUMBER" = ${key}`.execute(
      k,
    );
    const second = await dash.env.sync();
    expect(second.counts.updated).toBe(1);
    await page.goto(`${dash.url}/`);
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: second.batchId }) });
    expect(cellsOf(await row.innerText())[5]).toBe("1"); // updated
    await row.getByRole("link").click();
    await page.getByLabel("Order key").fill(key);
    await page.getByRole("button", { name: "Show" }).click();
    const change = page.getByRole("row").filter({ hasText: "Ultraviolet" });
    const cells = cellsOf(await change.innerText());
    expect(cells.slice(2, 4)).toEqual([key, "UPDATE"]);
    expect(cells.slice(-2)).toEqual([color, "Ultraviolet"]);
    expect(cells[5]).toMatch(/colou?r/i);
  });

  it("finds a DEAD row in 'rows that need a person' by searching its order key", async () => {
    await db.kysely
      .insertInto("STG_MON_CustMasterSchedule")
      .values(
        stagedOrderRow({
          order_key: "AAG-DEAD-77",
          customer: "KESTREL OUTDOOR",
          stg_status: "DEAD",
          attempts: 5,
          last_error: "monday.com refused column status: label <Gone> does not exist",
        }),
      )
      .execute();
    await page.getByRole("link", { name: "Rows that need a person" }).click();
    await page.getByRole("searchbox").fill("dead-77");
    await page.getByRole("button", { name: "Search" }).click();
    const rows = page.getByRole("row").filter({ hasText: "AAG-DEAD-77" });
    await expect(rows.count()).resolves.toBe(1);
    const cells = cellsOf(await rows.innerText());
    expect(cells.slice(0, 4)).toEqual([
      "KESTREL OUTDOOR",
      "AAG-DEAD-77",
      "DEAD",
      "monday.com refused column status: label <Gone> does not exist",
    ]);
    await expect(page.locator("main").innerText()).resolves.toMatch(/1–1 of 1/);
    await page.goto(`${dash.url}/customers`);
    const kestrel = cellsOf(await page.getByRole("row").filter({ hasText: "KESTREL OUTDOOR" }).innerText());
    expect(kestrel[5]).toBe("1"); // DEAD
  });

  it("the work-in-progress page shows the same figures as the test's SQL", async () => {
    await page.goto(`${dash.url}/analytics/wip`);
    const { rows } = await sql<{ status: string; c: number; qty: number }>`
      select "ORDER STATUS" as status, count(*) as c, sum("ORDER QTY") as qty from "ORDERS_UNIFIED"
      where "AAG ORDER NUMBER" not like '%CANCELLED%' group by "ORDER STATUS"`.execute(
      db.kysely as unknown as Kysely<unknown>,
    );
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) {
      const cells = cellsOf(await page.getByRole("row").filter({ hasText: r.status }).innerText());
      expect(cells).toEqual([r.status, String(r.c), String(r.qty)]);
    }
    await expect(page.locator("[data-chart] canvas").count()).resolves.toBe(1);
    expect(outside).toEqual([]);
  });

  it("the two-way sync view shows the inbox depth and the conflicts, filtered in the form", async () => {
    await writeTwoWayRecords(db, { count: 120, seed: 17 });
    const k = db.kysely as unknown as Kysely<unknown>;
    const n = async (q: ReturnType<typeof sql>) => Number((await q.execute(k)).rows.length);
    const pending = (
      await sql<{ n: number }>`select count(*) as n from ${sql.table("MON_WebhookInbox")}
      where status = 'PENDING'`.execute(k)
    ).rows[0]!.n;
    await page.getByRole("link", { name: "Two-way sync" }).click();
    await page.waitForURL(/\/two-way/);
    const depth = cellsOf(
      await page.getByRole("row").filter({ hasText: "depth (PENDING events)" }).innerText(),
    );
    expect(depth[1]).toBe(String(pending));
    await page.getByLabel("Kind").selectOption("CONFLICT");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/kind=CONFLICT/);
    const conflicts = await n(
      sql`select change_id from ${sql.table("MON_BoardChanges")} where kind = 'CONFLICT'`,
    );
    expect(conflicts).toBeGreaterThan(0);
    const table = page.getByRole("table", { name: "Board changes, newest first" });
    await expect(table.getByRole("row").filter({ hasText: "CONFLICT" }).count()).resolves.toBe(
      Math.min(25, conflicts),
    );
  });

  it("time in each status: the stays per status equal the test's count of status changes", async () => {
    await page.goto(`${dash.url}/analytics/time-in-status?asOf=2026-09-01`);
    const { rows } = await sql<{ status: string; c: number }>`select h.status as status, count(*) as c
      from ${sql.table("MON_StatusHistory")} h
      where h.changed_at < '2026-09-02' and h.order_key not like '%CANCELLED%' group by h.status`.execute(
      db.kysely as unknown as Kysely<unknown>,
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const table = page.getByRole("table", { name: "Time in each status" });
    for (const r of rows) {
      const row = table
        .getByRole("row")
        .filter({ has: page.getByRole("cell", { name: r.status, exact: true }) });
      const cells = cellsOf(await row.innerText());
      expect(cells.slice(0, 2)).toEqual([r.status, String(r.c)]);
    }
    await expect(page.locator("[data-chart] canvas").count()).resolves.toBe(1);
    expect(outside).toEqual([]);
  });

  it("refuses unauthenticated callers on every page and endpoint, and cross-site POSTs", async () => {
    const paths = [
      "/",
      "/customers",
      "/attention",
      "/status",
      "/two-way",
      "/analytics",
      "/analytics/wip",
      "/analytics/time-in-status",
      "/assets/dashboard.js",
    ];
    for (const p of [...paths, "/api/analytics", "/api/analytics/wip", `/runs/${dash.summary.batchId}`]) {
      const res = await fetch(`${dash.url}${p}`, { redirect: "manual" });
      expect(res.status, p).toBe(401);
      const ok = await fetch(`${dash.url}${p}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(ok.status, p).toBe(200);
    }
    const html = await fetch(`${dash.url}/customers`, {
      headers: { Accept: "text/html" },
      redirect: "manual",
    });
    expect(html.status).toBe(303);
    expect(html.headers.get("location")).toBe("/login?next=%2Fcustomers");

    const form = { "Content-Type": "application/x-www-form-urlencoded" };
    const body = `token=${TOKEN}`;
    const post = (headers: Record<string, string>) =>
      fetch(`${dash.url}/login`, {
        method: "POST",
        headers: { ...form, ...headers },
        body,
        redirect: "manual",
      });
    expect((await post({ Origin: "https://evil.example" })).status).toBe(403);
    expect((await post({ "Sec-Fetch-Site": "cross-site", Origin: dash.url })).status).toBe(403);
    expect((await post({})).status).toBe(403);
    const same = await post({ Origin: dash.url });
    expect(same.status).toBe(303);
    expect(same.headers.get("set-cookie")).toMatch(/HttpOnly/);
    // A page of another origin posting the logout form in the browser is refused too.
    const evil = await browser.newPage();
    await evil.setContent(`<form method="post" action="${dash.url}/logout"><button>go</button></form>`);
    const [response] = await Promise.all([evil.waitForResponse(`${dash.url}/logout`), evil.click("button")]);
    expect(response.status()).toBe(403);
    await evil.close();
  });
});
