import { describe, expect, it } from "vitest";
import {
  buildReport,
  formatTerminal,
  LISTED_ISSUES,
  mergeResults,
  quarantineIssues,
  strayResult,
  validateOrders,
  ValidationTally,
  type ValidationResult,
} from "../../src/quality/index.js";
import { context, order, quality } from "./fixture.js";

const PAGE = 200;

/**
 * Page `p` of a first load: every order warned about (ORDER QTY ≠ TOTAL QTY), every 50th one with an
 * ERROR (TOTAL QTY not the sum of its sizes) unless `errors` is false, keys in order and disjoint across pages as the read gives them.
 */
function page(p: number, ctx = context(), errors = true): ValidationResult {
  const rows = Array.from({ length: PAGE }, (_, i) => {
    const n = p * PAGE + i;
    const key = `T-${String(n).padStart(7, "0")}`;
    return errors && n % 50 === 0 ? order(key, { "TOTAL QTY": 1 }) : order(key, { "ORDER QTY": 61 });
  });
  return validateOrders(rows, ctx);
}

describe("ValidationTally (issue 16: a customer's validation page by page)", () => {
  it("decides what merging every page decides: rows, orders, counts, halt and the quarantined orders' issues", () => {
    const ctx = context({ config: quality({ maxErrorShare: 0.015 }) });
    const pages = Array.from({ length: 12 }, (_, p) => page(p, ctx));
    const tally = new ValidationTally(ctx);
    for (const r of pages) tally.add(r);
    const merged = mergeResults(pages, ctx);
    const result = tally.result();
    expect(result.rows).toBe(merged.rows);
    expect(result.orders).toBe(merged.orderKeys.length);
    expect(result.counts).toEqual(merged.counts);
    expect(result.counts.QUARANTINE).toBe((12 * PAGE) / 50);
    expect(result.halt).toEqual(merged.halt);
    expect(result.halt?.rule).toBe("error-share");
    expect(quarantineIssues(result)).toEqual(quarantineIssues(merged));
    // Keys kept: the quarantined orders only (no order was quarantined before the run).
    expect(result.orderKeys).toEqual(merged.orderKeys.filter((k) => merged.action(k) === "QUARANTINE"));
  });

  it("holds as much for 2,000 orders as for 40,000: issues beyond the listing are only counted", () => {
    const peakHeld = (pages: number, errors: boolean) => {
      const tally = new ValidationTally(context(), [], 100);
      let peak = 0;
      for (let p = 0; p < pages; p++) {
        tally.add(page(p, context(), errors));
        peak = Math.max(peak, tally.held);
      }
      return { peak, result: tally.result() };
    };
    // Every order warned about: 100 issues listed and one count (rule × severity) of the others.
    expect(peakHeld(10, false).peak).toBe(101);
    expect(peakHeld(200, false).peak).toBe(101);
    // With ERRORs: each quarantined order's key and its two issues too (the quarantine store records them).
    const large = peakHeld(200, true);
    expect(large.peak).toBe(101 + 3 * 4 * 200);
    const report = buildReport([large.result]);
    expect(large.result.orders).toBe(200 * PAGE);
    expect(report.totals.orders).toEqual({ SYNC: 0, SYNC_WITH_WARNING: 196 * 200, QUARANTINE: 4 * 200 });
    expect(report.totals.issues).toBe(200 * PAGE + 4 * 200);
    expect(report.totals.bySeverity).toEqual({ INFO: 0, WARNING: 200 * PAGE, ERROR: 4 * 200, CRITICAL: 0 });
    expect(report.customers[0]!.issues).toHaveLength(100 + 2 * 4 * 200);
    const rule = report.rules.find((r) => r.rule === "order-qty-total")!;
    expect(rule.count).toBe(200 * PAGE);
    expect(rule.rows).toHaveLength(100 + 4 * 200);
    expect(formatTerminal(report)).toContain(
      `${200 * PAGE - 100 - 4 * 200} issue(s) counted in the table but not listed`,
    );
    expect(LISTED_ISSUES).toBe(1_000);
  });

  it("keeps the keys of orders quarantined before the run, to release those that are fine now", () => {
    const before = new Set(["T-0000000", "T-0000003"]);
    const ctx = context({ previouslyQuarantined: before });
    const tally = new ValidationTally(ctx);
    tally.add(page(0, ctx));
    const result = tally.result();
    expect(result.orderKeys.sort()).toEqual([
      "T-0000000",
      "T-0000003",
      "T-0000050",
      "T-0000100",
      "T-0000150",
    ]);
    expect(result.action("T-0000003")).not.toBe("QUARANTINE");
    expect(result.action("T-0000000")).toBe("QUARANTINE");
  });

  it("counts a stray row's order once when a page has the same key, with the worse action", () => {
    const ctx = context();
    const key = "T-0000001";
    const stray = strayResult(
      {
        nullKey: { count: 0, samples: [] },
        spaced: { keys: [key], rows: [{ ...order(key), CUSTOMER: ` ${String(order(key).CUSTOMER)} ` }] },
      },
      ctx,
    );
    const tally = new ValidationTally(ctx, stray.orderKeys);
    tally.add(page(0, ctx));
    tally.add(stray);
    const result = tally.result();
    const merged = mergeResults([page(0, ctx), stray], ctx);
    expect(result.orders).toBe(PAGE);
    expect(result.counts).toEqual(merged.counts);
    expect(result.action(key)).toBe("QUARANTINE");
    expect(result.orderKeys).toContain(key);
    expect(merged.orderKeys).toHaveLength(PAGE);
    expect(result.rows).toBe(merged.rows);
  });
});
