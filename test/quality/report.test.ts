import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildReport,
  formatTerminal,
  toHtml,
  toJson,
  validateOrders,
  writeReports,
} from "../../src/quality/index.js";
import { context, order } from "./fixture.js";
import { sampleReport } from "./sample-report.js";

describe("validation report", () => {
  const report = sampleReport();
  const dir = mkdtempSync(join(tmpdir(), "order-sync-report-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("groups issues by rule and by customer, worst first", () => {
    expect(report.totals).toMatchObject({
      customers: 3,
      rows: 5,
      halted: 2,
      haltedOrders: 1,
      orders: { SYNC: 1, SYNC_WITH_WARNING: 1, QUARANTINE: 2 },
    });
    expect(
      report.rules
        .map((r) => r.rule)
        .slice(0, 2)
        .sort(),
    ).toEqual(["board-configured", "column-mapping"]);
    const sum = report.rules.find((r) => r.rule === "total-qty-sum")!;
    expect(sum.rows).toEqual([
      {
        customer: "BLUE HARBOR",
        orderKey: "AAG-2",
        rule: "total-qty-sum",
        severity: "ERROR",
        column: "TOTAL QTY",
        value: "70",
        message: expect.stringContaining("is not the sum of the sizes"),
        action: "QUARANTINE",
      },
    ]);
    const blue = report.customers.find((c) => c.customer === "BLUE HARBOR")!;
    expect(blue.orders).toEqual({ SYNC: 1, SYNC_WITH_WARNING: 1, QUARANTINE: 2 });
    expect(report.customers.find((c) => c.customer.startsWith("ACME"))?.issues[0]?.action).toBe("HALT");
    expect(JSON.parse(toJson(report))).toEqual(report);
  });

  it("prints a terminal summary without raw control characters", () => {
    const text = formatTerminal(report, { maxRows: 3 });
    expect(text).toContain("HALTED KESTREL OUTDOOR: CRITICAL column-mapping: board 5001 cannot be read");
    expect(text).toMatch(/total-qty-sum\s+0\s+0\s+1\s+0\s+1/);
    expect(text).toContain("First 3 of");
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it("escapes every value in the HTML page, which is self-contained", () => {
    const html = toHtml(report);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<b>4</b>");
    expect(html).not.toContain('"<i>"');
    expect(html).toContain("AAG-&#60;b&#62;4&#60;/b&#62;");
    expect(html).toContain("ACME &#34;&#60;i&#62;&#34; &#38; Co");
    expect(html).toContain("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;");
    expect(html).not.toMatch(/<link|<img|src=|@import|url\(/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    for (const section of ["By rule", "By customer", "total-qty-sum", "unknown-label", "BLUE HARBOR"])
      expect(html).toContain(section);
  });

  it("writes the JSON and HTML files", async () => {
    const paths = await writeReports(dir, report);
    expect(paths.json).toBe(join(dir, "validation-batch-1.json"));
    expect(JSON.parse(readFileSync(paths.json, "utf8"))).toEqual(report);
    expect(readFileSync(paths.html, "utf8")).toBe(toHtml(report));
  });

  it("never follows a symlink planted in the report folder", async () => {
    const target = join(dir, "precious.txt");
    writeFileSync(target, "keep me");
    const planted = join(dir, "validation-planted.json");
    symlinkSync(target, planted);
    symlinkSync(join(dir, "nowhere", "x"), join(dir, "validation-planted.html"));
    const paths = await writeReports(dir, report, "planted");
    expect(readFileSync(target, "utf8")).toBe("keep me");
    expect(lstatSync(paths.json).isSymbolicLink()).toBe(false);
    expect(lstatSync(paths.html).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(paths.json, "utf8"))).toEqual(report);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("says so when there is nothing to report", () => {
    const clean = buildReport([validateOrders([order("OK-1")], context())]);
    expect(formatTerminal(clean)).toContain("No issues.");
    expect(toHtml(clean)).toContain("every order passed validation");
  });
});
