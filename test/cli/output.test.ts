// Data printed on the terminal (order keys, customers, monday's messages echoing a value) can hold raw
// escape sequences; the CLI's tables and summary lines show them escaped, never acting on the terminal.
import { describe, expect, it } from "vitest";
import { formatSummary, table } from "../../src/cli/output.js";
import type { SyncSummary } from "../../src/sync/index.js";

const ESC = "\u001b";
const hostile = `AAG-1${ESC}]0;pwned\u0007${ESC}[2J${ESC}[31m`;

describe("terminal output of data", () => {
  it("escapes control characters in table cells", () => {
    const out = table(["order", "n"], [[hostile, 1]]);
    expect(out).not.toContain(ESC);
    expect(out).not.toContain("\u0007");
    expect(out).toContain("AAG-1\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[31m");
  });

  it("escapes them in a run summary's failure and customer error lines", () => {
    const counts = {
      created: 0,
      updated: 0,
      archived: 0,
      unchanged: 0,
      failed: 1,
      dead: 0,
      quarantined: 0,
      subitemsCreated: 0,
      subitemsUpdated: 0,
      subitemsArchived: 0,
    };
    const summary = {
      batchId: "b1",
      status: "PARTIAL",
      exitCode: 1,
      counts,
      apiRequests: 1,
      durationMs: 10,
      customers: [{ customer: `C${ESC}[2J`, boardId: "1", ok: false, counts, durationMs: 1, error: hostile }],
      failures: [
        { customer: "C", orderKey: hostile, action: "CREATE", status: "DEAD", error: `bad ${hostile}` },
      ],
      validation: { issues: 0, bySeverity: {}, quarantinedOrders: 0, haltedCustomers: [], report: {} },
    } as unknown as SyncSummary;
    const out = formatSummary(summary);
    expect(out).not.toContain(ESC);
    expect(out).not.toContain("\u0007");
    expect(out).toMatch(/! C AAG-1\\u001b\]0;pwned/);
  });
});
