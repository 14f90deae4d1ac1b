// Issue 17's dashboard actions in headless Chromium against a real `serve` app on a port: a DEAD row monday
// refused is found, retried (a sync of its customer starts at once) and then shows as synced; a DEAD row is
// discarded; a batch's rollback dry run equals `order-sync rollback --dry-run` run as a process, the rollback
// runs from the page and its held orders can be released; POSTs without the session's CSRF token are refused
// with nothing changed; every action is in MON_OperatorActions under the dashboard session.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/index.js";
import { CHROMIUM_ARGS, ensureChromium } from "../helpers/browser.js";
import { runCli } from "../helpers/cli.js";
import {
  DEAD_CUSTOMER,
  fortyLabelConfig,
  fortyLabelYaml,
  freeLabel,
  writeDeadOrder,
} from "../helpers/dead-order.js";
import { startDashboard, type DashboardEnv } from "./dashboard-env.js";

const TOKEN = "browser-actions-token";
const browserInfo = ensureChromium();

describe.skipIf(!browserInfo.available)("the dashboard's actions in headless Chromium", () => {
  let dir: string;
  let file: string;
  let db: Db;
  let dash: DashboardEnv;
  let browser: Browser;
  let page: Page;
  let bad: string;
  const cells = async (rowText: Promise<string>) => (await rowText).split("\t").map((s) => s.trim());
  const deadRows = () =>
    db.kysely
      .selectFrom("STG_MON_CustMasterSchedule")
      .select(["order_key", "stg_status"])
      .where("stg_status", "=", "DEAD")
      .execute();
  const audit = () => db.kysely.selectFrom("MON_OperatorActions").selectAll().orderBy("action_id").execute();

  beforeAll(async () => {
    if (!browserInfo.available) return;
    dir = mkdtempSync(join(tmpdir(), "order-sync-actions-"));
    file = join(dir, "order-sync.db");
    db = await openDatabase({ dialect: "sqlite", url: file });
    dash = await startDashboard(db, TOKEN, 0, {
      config: fortyLabelConfig(),
      write: async (d) => (bad = await writeDeadOrder(d, 80)),
    });
    expect(dash.summary.counts.dead).toBe(1);
    browser = await chromium.launch({ executablePath: browserInfo.path, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    await page.goto(`${dash.url}/login`);
    await page.getByLabel("API token (ORDER_SYNC_API_TOKEN)").fill(TOKEN);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${dash.url}/`);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses an action POST without the session's CSRF token, with nothing changed", async () => {
    const post = (form: Record<string, string>) =>
      page.request.post(`${dash.url}/actions/retry`, {
        form: { customer: DEAD_CUSTOMER, order: bad, ...form },
        headers: { Origin: dash.url },
        maxRedirects: 0,
      });
    const none = await post({});
    expect(none.status()).toBe(403);
    expect(await none.text()).toMatch(/CSRF token is missing/);
    expect((await post({ csrf: "forged" })).status()).toBe(403);
    // A token of another session (a second login) is not this session's.
    const other = await browser.newPage();
    await other.goto(`${dash.url}/login`);
    await other.getByLabel("API token (ORDER_SYNC_API_TOKEN)").fill(TOKEN);
    await other.getByRole("button", { name: "Log in" }).click();
    await other.goto(`${dash.url}/attention`);
    const stolen = await other.locator('input[name="csrf"]').first().getAttribute("value");
    expect(stolen).toBeTruthy();
    expect((await post({ csrf: stolen! })).status()).toBe(403);
    await other.close();
    // The rollback action too.
    const rb = await page.request.post(`${dash.url}/runs/${dash.summary.batchId}/rollback`, {
      form: {},
      headers: { Origin: dash.url },
    });
    expect(rb.status()).toBe(403);
    expect(await deadRows()).toEqual([{ order_key: bad, stg_status: "DEAD" }]);
    expect(await audit()).toEqual([]);
  });

  it("finds the DEAD row, retries it (a sync of its customer starts), and then it shows as synced", async () => {
    freeLabel(dash.env.emulator); // what a planner does on monday: room for the order's new status label
    await page.goto(`${dash.url}/attention`);
    await page.getByRole("searchbox").fill(bad);
    await page.getByRole("button", { name: "Search" }).click();
    const row = page.getByRole("row").filter({ hasText: bad });
    expect((await cells(row.innerText())).slice(0, 3)).toEqual([DEAD_CUSTOMER, bad, "DEAD"]);
    await row.getByRole("button", { name: `Retry ${bad}` }).click();
    const notice = page.getByRole("status");
    await expect(notice.innerText()).resolves.toMatch(
      new RegExp(`^retry: ${bad} of ${DEAD_CUSTOMER} \\(done\\) — sync run \\S+ started`),
    );
    const runId = (await notice.getByRole("link").innerText()).trim();
    // The run started by the retry: wait until it is logged as finished, then its page shows the create.
    await expect
      .poll(
        async () =>
          (
            await db.kysely
              .selectFrom("MON_SyncRuns")
              .select("status")
              .where("batch_id", "=", runId)
              .executeTakeFirst()
          )?.status,
        { timeout: 60_000, interval: 250 },
      )
      .toBe("SUCCESS");
    await page.goto(`${dash.url}/attention?q=${encodeURIComponent(bad)}`);
    await expect(page.getByRole("row").filter({ hasText: bad }).count()).resolves.toBe(0);
    await page.goto(`${dash.url}/runs/${runId}?order=${encodeURIComponent(bad)}`);
    const change = page.getByRole("row").filter({ hasText: "Teleported" });
    expect((await cells(change.innerText())).slice(1, 4)).toEqual([DEAD_CUSTOMER, bad, "CREATE"]);
    const found = await dash.env.client.findItemsByColumnValue("5001000001", "order_number", [bad]);
    expect(found.map((i) => i.columnValues.order_status?.text)).toEqual(["Teleported"]);
    const rows = await audit();
    expect(rows).toEqual([expect.objectContaining({ action: "retry", order_key: bad, result: "done" })]);
    expect(rows[0]!.actor).toMatch(/^dashboard:[\w-]{12}$/);
  }, 120_000);

  it("discards a DEAD row: it leaves the page, the next sync leaves it alone, the board is unchanged", async () => {
    const { rows } = await sql<{ k: string }>`SELECT "AAG ORDER NUMBER" AS k FROM "ORDERS_UNIFIED"
      WHERE "CUSTOMER" = ${DEAD_CUSTOMER} AND "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"} AND "AAG ORDER NUMBER" <> ${bad}
      ORDER BY 1`.execute(db.kysely);
    const key = rows[0]!.k;
    await sql`UPDATE "ORDERS_UNIFIED" SET "ORDER STATUS" = ${"Levitating"} WHERE "AAG ORDER NUMBER" = ${key}`.execute(
      db.kysely,
    );
    expect((await dash.env.sync([DEAD_CUSTOMER])).counts.dead).toBe(1);
    await page.goto(`${dash.url}/attention?kind=DEAD`);
    await page.getByRole("button", { name: `Discard ${key}` }).click();
    await expect(page.getByRole("status").innerText()).resolves.toMatch(
      `discard: ${key} of ${DEAD_CUSTOMER} (done)`,
    );
    await expect(page.getByRole("row").filter({ hasText: key }).count()).resolves.toBe(0);
    const writes = dash.env.emulator.log.writeRequests;
    const next = await dash.env.sync([DEAD_CUSTOMER]);
    expect(next.counts).toMatchObject({ discarded: 1, dead: 0, updated: 0 });
    expect(dash.env.emulator.log.writeRequests).toBe(writes);
  }, 120_000);

  it("shows a batch's rollback dry run as `order-sync rollback --dry-run`, rolls it back, releases a held order", async () => {
    const { rows } = await sql<{ k: string }>`SELECT "AAG ORDER NUMBER" AS k FROM "ORDERS_UNIFIED"
      WHERE "CUSTOMER" = ${"KESTREL OUTDOOR"} AND "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"} ORDER BY 1 LIMIT 3`.execute(
      db.kysely,
    );
    const keys = rows.map((r) => r.k);
    await sql`UPDATE "ORDERS_UNIFIED" SET "COLOR" = ${"Ultraviolet"} WHERE "AAG ORDER NUMBER" IN (${sql.join(keys)})`.execute(
      db.kysely,
    );
    const batch = await dash.env.sync(["KESTREL OUTDOOR"]);
    expect(batch.counts.updated).toBe(3);

    const config = join(dir, "order-sync.yaml");
    writeFileSync(config, fortyLabelYaml());
    const cli = await runCli(["rollback", batch.batchId, "--dry-run", "--json", "--config", config], {
      env: { MONDAY_API_TOKEN: "t", MONDAY_API_URL: dash.env.emulator.url, ORDER_SYNC_DB_URL: file },
    });
    expect(cli.code, cli.stderr).toBe(0);
    const dry = JSON.parse(cli.stdout) as {
      undo: {
        customer: string;
        orderKey: string;
        action: string;
        itemId: string | null;
        columns: { column: string; from: unknown; to: unknown }[];
      }[];
    };
    const expected = dry.undo.flatMap((u) =>
      u.columns.map((c) => [
        u.customer,
        u.orderKey,
        u.action,
        u.itemId ?? "",
        c.column,
        JSON.stringify(c.from),
        JSON.stringify(c.to),
      ]),
    );
    expect(expected).toHaveLength(3);

    await page.goto(`${dash.url}/runs/${batch.batchId}`);
    await page.getByRole("link", { name: "Roll back this batch (dry run first)" }).click();
    const table = page.getByRole("table", { name: "Changes the rollback makes" });
    const shown = await table.locator("tbody tr").allInnerTexts();
    expect(shown.map((t) => t.split("\t").map((s) => s.trim()))).toEqual(expected);
    await expect(page.locator("main").innerText()).resolves.toMatch(/Dry run: nothing was written/);
    // A page at a time: two items, then the third behind "next"; the figures count the whole plan.
    await page.goto(`${dash.url}/runs/${batch.batchId}/rollback?limit=2`);
    const rowsOf = async () =>
      (await table.locator("tbody tr").allInnerTexts()).map((t) => t.split("\t").map((x) => x.trim()));
    await expect(rowsOf()).resolves.toEqual(expected.slice(0, 2));
    const pages = page.getByRole("navigation", { name: "Pages", exact: true });
    await expect(pages.innerText()).resolves.toMatch(/1–2 of 3/);
    await expect(page.locator("main").innerText()).resolves.toMatch(/3 items to put back, 0 conflicts kept/);
    await pages.getByRole("link", { name: "next" }).click();
    await expect(rowsOf()).resolves.toEqual(expected.slice(2));
    await expect(pages.innerText()).resolves.toMatch(/3–3 of 3/);
    await expect(page.locator("main").innerText()).resolves.toMatch(/3 items to put back, 0 conflicts kept/);

    await page.getByRole("button", { name: `Roll back batch ${batch.batchId}` }).click();
    await expect(page.locator("main").innerText()).resolves.toMatch(
      /Rollback batch \S+ ran \(SUCCESS\)\.\s+3 items to put back/,
    );
    const board = await dash.env.client.findItemsByColumnValue("5001000001", "order_number", keys);
    expect(board.map((i) => i.columnValues.color?.text)).not.toContain("Ultraviolet");

    await page.goto(`${dash.url}/attention`);
    const held = page.getByRole("table", { name: /Held by a rollback/ });
    await expect(held.locator("tbody tr").count()).resolves.toBe(3);
    await held.getByRole("button", { name: `Release ${keys[0]}` }).click();
    await expect(page.getByRole("status").innerText()).resolves.toMatch(
      `release: ${keys[0]} of KESTREL OUTDOOR (done)`,
    );
    await expect(
      page
        .getByRole("table", { name: /Held by a rollback/ })
        .locator("tbody tr")
        .count(),
    ).resolves.toBe(2);
    const holds = await db.kysely.selectFrom("MON_RollbackHolds").select("order_key").execute();
    expect(holds.map((h) => h.order_key).sort()).toEqual(keys.slice(1).sort());
    const acts = (await audit()).map((a) => [a.action, a.order_key, a.result]);
    expect(acts.filter((a) => a[0] === "rollback")).toHaveLength(3);
    expect(acts.at(-1)).toEqual(["release", keys[0], "done"]);
  }, 180_000);
});
