// Screenshots of each dashboard view on the demo data (docs/dashboard/*.png, shown in README):
// demo orders in a temporary SQLite file, one sync against the emulator, a DEAD row, two-way sync records
// (status history, board edits and conflicts, inbox events), then headless Chromium.
// Run: npx tsx scripts/dashboard-screenshots.ts
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ANALYTICS_VIEWS } from "../src/analytics/index.js";
import { openDatabase } from "../src/db/index.js";
import { CHROMIUM_ARGS, ensureChromium } from "../test/helpers/browser.js";
import { stagedOrderRow } from "../test/helpers/sync-env.js";
import { writeTwoWayRecords } from "../test/helpers/two-way-data.js";
import { startDashboard } from "../test/http/dashboard-env.js";

const OUT = "docs/dashboard";
const TOKEN = "screenshot-token";

async function main(): Promise<void> {
  const info = ensureChromium();
  if (!info.available) throw new Error(info.reason);
  const file = join(tmpdir(), `order-sync-shots-${process.pid}.db`);
  const db = await openDatabase({ dialect: "sqlite", url: file });
  const dash = await startDashboard(db, TOKEN, 400);
  const browser = await chromium.launch({ executablePath: info.path, args: CHROMIUM_ARGS });
  try {
    await writeTwoWayRecords(db, { count: 400, seed: 17 });
    await db.kysely
      .insertInto("STG_MON_CustMasterSchedule")
      .values(
        stagedOrderRow({
          order_key: "AAG-0000042",
          stg_status: "DEAD",
          attempts: 5,
          last_error: "label Gone does not exist",
        }),
      )
      .execute();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // Logged in through the form, as an operator is: a session cookie, so the pages carry their action
    // buttons (a bearer token alone gets no CSRF token, hence no forms).
    await page.goto(`${dash.url}/login`);
    await page.getByLabel("API token (ORDER_SYNC_API_TOKEN)").fill(TOKEN);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${dash.url}/`);
    const views: [string, string][] = [
      ["runs", "/"],
      ["run", `/runs/${encodeURIComponent(dash.summary.batchId)}?limit=5`],
      ["rollback", `/runs/${encodeURIComponent(dash.summary.batchId)}/rollback`],
      ["customers", "/customers"],
      ["attention", "/attention?limit=15"],
      ["two-way", "/two-way?limit=12"],
      ["health", "/status"],
      ...ANALYTICS_VIEWS.map((v): [string, string] => [
        `analytics-${v.name}`,
        `/analytics/${v.name}?asOf=2026-09-01&limit=15`,
      ]),
    ];
    mkdirSync(OUT, { recursive: true });
    for (const [name, path] of views) {
      await page.goto(`${dash.url}${path}`);
      await page.waitForLoadState("networkidle");
      // The rollback dry run lists every change of the batch (the first load: all 400): its top only.
      await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: name !== "rollback" });
      process.stdout.write(`${OUT}/${name}.png\n`);
    }
  } finally {
    await browser.close();
    await dash.close();
    await db.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
  }
}

await main();
