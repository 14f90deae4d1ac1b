// The dashboard's actions without ORDER_SYNC_API_TOKEN (loopback only): a page gives the browser a session
// cookie of its own, and an action POST needs both that cookie and its CSRF token; an unknown batch's rollback
// page is a 404 naming it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { testDatabases } from "../helpers/databases.js";
import { stagedOrderRow } from "../helpers/sync-env.js";
import { startDashboard, type DashboardEnv } from "./dashboard-env.js";

const sqlite = (await testDatabases()).find((d) => d.name === "sqlite")!;

describe("dashboard actions in loopback mode (no API token)", () => {
  let db: Db;
  let dash: DashboardEnv;
  beforeAll(async () => {
    db = await sqlite.open();
    dash = await startDashboard(db, "", 40);
    await db.kysely
      .insertInto("STG_MON_CustMasterSchedule")
      .values(stagedOrderRow({ order_key: "AAG-DEAD-9", customer: "BLUE HARBOR", stg_status: "DEAD" }))
      .execute();
  }, 120_000);
  afterAll(async () => {
    await dash?.close();
    await db?.close();
  });

  const post = (path: string, body: Record<string, string>, cookie?: string) =>
    fetch(`${dash.url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: {
        Origin: dash.url,
        "Content-Type": "application/x-www-form-urlencoded",
        ...(cookie ? { Cookie: cookie } : {}),
      },
      body: new URLSearchParams(body).toString(),
    });

  it("needs the page's session cookie and its token; with both, the discard is done and audited", async () => {
    const page = await fetch(`${dash.url}/attention`);
    expect(page.status).toBe(200);
    const cookie = page.headers.get("set-cookie")!.split(";")[0]!;
    expect(cookie).toMatch(/^order_sync_session=/);
    const html = await page.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const form = { customer: "BLUE HARBOR", order: "AAG-DEAD-9" };
    expect((await post("/actions/discard", form, cookie)).status).toBe(403);
    expect((await post("/actions/discard", { ...form, csrf })).status).toBe(403);
    const other = (await fetch(`${dash.url}/attention`)).headers.get("set-cookie")!.split(";")[0]!;
    expect((await post("/actions/discard", { ...form, csrf }, other)).status).toBe(403);
    expect(await db.kysely.selectFrom("MON_OperatorActions").selectAll().execute()).toEqual([]);
    const ok = await post("/actions/discard", { ...form, csrf }, cookie);
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toMatch(
      /^\/attention\?done=discard&customer=BLUE\+HARBOR&order=AAG-DEAD-9&result=done$/,
    );
    const audit = await db.kysely.selectFrom("MON_OperatorActions").selectAll().execute();
    expect(audit).toEqual([
      expect.objectContaining({ action: "discard", order_key: "AAG-DEAD-9", result: "done" }),
    ]);
    expect(audit[0]!.actor).toMatch(/^dashboard:[\w-]{12}$/);
    // The same discard again: the order is no longer DEAD, one line back on the page.
    const again = await post("/actions/discard", { ...form, csrf }, cookie);
    const notice = new URL(again.headers.get("location")!, dash.url).searchParams.get("error");
    expect(notice).toBe(
      'discard: order "AAG-DEAD-9": nothing to discard, not DEAD (see order-sync failures)',
    );
  });

  it("answers an unknown batch's rollback page with 404 naming it", async () => {
    const res = await fetch(`${dash.url}/runs/NO-SUCH-BATCH/rollback`);
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/batch NO-SUCH-BATCH is not in the run log/);
  });
});
