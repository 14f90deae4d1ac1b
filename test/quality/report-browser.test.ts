import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeReports } from "../../src/quality/index.js";
import { CHROMIUM_ARGS, ensureChromium } from "../helpers/browser.js";
import { sampleReport, SCRIPT } from "./sample-report.js";

const browserInfo = ensureChromium();

describe.skipIf(!browserInfo.available)("the HTML report in headless Chromium", () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), "order-sync-html-"));
  beforeAll(async () => {
    if (!browserInfo.available) return;
    browser = await chromium.launch({ executablePath: browserInfo.path, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows the issues, runs no script, and renders (screenshot)", async () => {
    const { html } = await writeReports(dir, sampleReport());
    const page = await browser.newPage({ javaScriptEnabled: true });
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(html).href);

    await expect(page.title()).resolves.toContain("batch-1");
    const text = await page.locator("body").innerText();
    for (const expected of [
      "total-qty-sum",
      "AAG-2",
      "TOTAL QTY",
      "is not the sum of the sizes",
      "Halted: KESTREL OUTDOOR",
    ])
      expect(text).toContain(expected);
    // The hostile value is shown as text, not run.
    expect(text).toContain(SCRIPT);
    expect(text).toContain("AAG-<b>4</b>");
    expect(await page.locator("script").count()).toBe(0);
    expect(await page.locator("b", { hasText: "4" }).count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file:"))).toEqual([]);
    // Sections link to each other without scripts.
    expect(await page.locator('a[href^="#rule-"]').count()).toBeGreaterThan(3);
    expect(await page.locator("section").count()).toBeGreaterThan(5);

    const shot = join(dir, "validation-report.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    console.log(`screenshot of the validation report: ${shot}`);
    await page.close();
  });
});

// Without a browser the skip shows up in the report with its reason (ensureChromium also prints it).
if (!browserInfo.available)
  describe("the HTML report in headless Chromium", () => {
    it.skip(`skipped: ${browserInfo.reason}`, () => {});
  });
