import { describe, expect, it } from "vitest";
import { generateOrders } from "../../src/demo/index.js";
import { buildSnapshot } from "../../src/detect/index.js";
import { MappingError } from "../../src/mapping/index.js";
import { BUILT_IN_RULE_IDS } from "../../src/config/index.js";
import {
  mergeResults,
  orderKeyOf,
  qualityColumns,
  validateOrders,
  type Issue,
  type Severity,
} from "../../src/quality/index.js";
import {
  board,
  boardConfig,
  context,
  customerConfig,
  KEY,
  liveBoard,
  order,
  quality,
  starterBoard,
} from "./fixture.js";

/** One order breaking each row-level rule: [rule, order, column, severity, expected action]. */
const BREAKERS: [string, Record<string, unknown>, string | null, Severity][] = [
  ["required", order("Q-required", { STYLE: null }), "STYLE", "ERROR"],
  ["order-key", order("K".repeat(300)), KEY, "ERROR"],
  ["value-type", order("Q-value-type", { "PO NUMBER": Buffer.from("PO") }), "PO NUMBER", "ERROR"],
  ["number-invalid", order("Q-number-invalid", { "ORDER QTY": "12 pcs" }), "ORDER QTY", "ERROR"],
  [
    "number-negative",
    order("Q-number-negative", { SIZE_S: -5, "ORDER QTY": 45, "TOTAL QTY": 45 }),
    "SIZE_S",
    "ERROR",
  ],
  [
    "quantity-integer",
    order("Q-quantity-integer", { SIZE_M: 30.5, "ORDER QTY": 60.5, "TOTAL QTY": 60.5 }),
    "SIZE_M",
    "ERROR",
  ],
  ["date-invalid", order("Q-date-invalid", { "EX FACTORY DATE": "2026-02-30" }), "EX FACTORY DATE", "ERROR"],
  ["date-range", order("Q-date-range", { "DELIVERY DATE": "2450-01-01" }), "DELIVERY DATE", "ERROR"],
  ["item-name", order("Q-item-name", { STYLE: "S".repeat(300) }), null, "ERROR"],
  ["group-name", order("Q-group-name", {}, ["SEASON"]), "SEASON", "ERROR"],
  ["long-text-length", order("Q-long-text", { NOTES: "n".repeat(2001) }), "NOTES", "ERROR"],
  ["text-length", order("Q-text-length", { COLOR: "c".repeat(2001) }), "COLOR", "ERROR"],
  ["text-encoding", order("Q-text-encoding", { COLOR: "Na\u0000vy" }), "COLOR", "ERROR"],
  ["text-control-chars", order("Q-control", { COLOR: "Navy\u0007" }), "COLOR", "WARNING"],
  ["total-qty-sum", order("Q-total", { "TOTAL QTY": 70, "ORDER QTY": 70 }), "TOTAL QTY", "ERROR"],
  ["order-qty-total", order("Q-order-qty", { "ORDER QTY": 72 }), "ORDER QTY", "WARNING"],
  [
    "delivery-before-ex-factory",
    order("Q-delivery", { "DELIVERY DATE": "2026-01-05" }),
    "DELIVERY DATE",
    "ERROR",
  ],
  ["unknown-label", order("Q-label", { "ORDER STATUS": "Lost" }), "ORDER STATUS", "ERROR"],
  ["unknown-label", order("Q-dropdown", { TAGS: "Rush, Bulk" }), "TAGS", "ERROR"],
];
const DUPLICATE = "Q-duplicate";
const GOOD = ["G-1", "G-2", "G-3", "G-4", "G-5"].map((k) => order(k));

const rows = [
  ...GOOD,
  ...BREAKERS.map(([, row]) => row),
  order(DUPLICATE),
  order(DUPLICATE, { COLOR: "Black" }),
];
// The fixture is mostly broken on purpose: only the CRITICAL rules may halt it here.
const ctx = context({ config: quality({ maxErrorShare: 1 }) });

describe("validateOrders: one order breaking each rule", () => {
  const result = validateOrders(rows, ctx);

  it.each(BREAKERS)(
    "%s is reported with order, column, value, message and severity",
    (rule, row, column, severity) => {
      const key = orderKeyOf(row, KEY);
      const found = result.byOrder
        .get(key)
        ?.find((i) => i.rule === rule && (column === null || i.column === column));
      expect(found, `${rule} on ${key}: ${JSON.stringify(result.byOrder.get(key))}`).toBeDefined();
      const issue = found!;
      expect(issue).toMatchObject({ orderKey: key, customer: ctx.customer, severity });
      expect(issue.message.length).toBeGreaterThan(10);
      if (column !== null) expect(issue.value).toEqual(row[column]);
      expect(result.action(key)).toBe(severity === "WARNING" ? "SYNC_WITH_WARNING" : "QUARANTINE");
      // Each breaker trips its own rule (and, for some, its natural companions) but nothing unrelated.
      expect(result.byOrder.get(key)!.every((i) => i.severity !== "CRITICAL")).toBe(true);
    },
  );

  it("reports duplicates on both rows", () => {
    const dups = result.issues.filter((i) => i.rule === "duplicate-order");
    expect(dups).toHaveLength(2);
    expect(dups.every((i) => i.orderKey === DUPLICATE && i.column === KEY && i.severity === "ERROR")).toBe(
      true,
    );
    expect(result.action(DUPLICATE)).toBe("QUARANTINE");
  });

  it("syncs every good order, and every synced order maps without a RowError", () => {
    for (const g of GOOD) expect(result.action(orderKeyOf(g, KEY))).toBe("SYNC");
    expect(result.counts).toEqual({ SYNC: 5, SYNC_WITH_WARNING: 2, QUARANTINE: BREAKERS.length - 2 + 1 });
    for (const row of rows) {
      const key = orderKeyOf(row, KEY);
      if (result.action(key) !== "QUARANTINE")
        expect(() => buildSnapshot(row, key, board, customerConfig)).not.toThrow();
    }
    expect(result.halt).toBeNull();
  });

  it("covers every built-in rule in this file", () => {
    const covered = new Set([
      ...BREAKERS.map(([r]) => r),
      "duplicate-order",
      "board-configured",
      "column-mapping",
      // Rows the read skips (NULL key, spaced customer): test/sync/stray-rows.e2e.test.ts.
      "order-key-null",
      "customer-name",
    ]);
    expect(BUILT_IN_RULE_IDS.filter((id) => !covered.has(id))).toEqual([]);
  });

  it("user severities override the defaults", () => {
    const strict = validateOrders(
      rows,
      context({
        config: quality({
          maxErrorShare: 1,
          severities: { "order-qty-total": "ERROR", "text-control-chars": "INFO" },
        }),
      }),
    );
    expect(strict.action("Q-order-qty")).toBe("QUARANTINE");
    expect(strict.action("Q-control")).toBe("SYNC");
    expect(strict.byOrder.get("Q-control")?.[0]?.severity).toBe("INFO");
  });

  it("accepts labels the board lacks when the board creates labels", () => {
    const creating = { ...board, config: { ...boardConfig, createLabelsIfMissing: true } };
    const r = validateOrders([order("L-1", { "ORDER STATUS": "Lost" })], context({ board: creating }));
    expect(r.action("L-1")).toBe("SYNC");
  });
});

describe("halting", () => {
  it("halts on a customer without a board (CRITICAL)", () => {
    const r = validateOrders(GOOD, context({ board: undefined }));
    expect(r.halt?.rule).toBe("board-configured");
    expect(r.issues[0]).toMatchObject({ orderKey: null, rule: "board-configured", severity: "CRITICAL" });
  });

  it("halts on a mapping that no longer fits the live board (CRITICAL)", () => {
    const drifted = {
      ...liveBoard,
      columns: liveBoard.columns
        .filter((c) => c.id !== "po_number")
        .map((c) => (c.id === "notes" ? { ...c, type: "text" } : c)),
    };
    const r = validateOrders(GOOD, context({ liveBoard: drifted }));
    expect(r.halt?.rule).toBe("column-mapping");
    const mapping = r.issues.filter((i) => i.rule === "column-mapping");
    expect(mapping.map((i) => i.column).sort()).toEqual(["NOTES", "PO NUMBER"]);
    const fromError = validateOrders(
      GOOD,
      context({
        board: new MappingError("board 7001 has no column po_number", "7001", "boards[0].columns[1]"),
      }),
    );
    expect(fromError.halt?.reason).toContain("po_number");
  });

  it("halts on a user rule of severity CRITICAL", () => {
    const cfg = quality({
      rules: [
        {
          name: "no-test-orders",
          severity: "CRITICAL",
          check: { column: "STYLE", pattern: "^([^T]|T[^E]|TE[^S]|TES[^T])" },
        },
      ],
    });
    const r = validateOrders([...GOOD, order("T-1", { STYLE: "TEST style" })], context({ config: cfg }));
    expect(r.halt).toMatchObject({ rule: "no-test-orders" });
    expect(r.halt?.reason).toContain("T-1");
  });

  it("runs a user rule's pattern in linear time: a backtracking pattern cannot stall validation", () => {
    // (a+)+$ on 40 a's and a b is 2^40 steps for a backtracking engine; RE2 answers in microseconds.
    const cfg = quality({
      rules: [{ name: "greedy", severity: "WARNING", check: { column: "STYLE", pattern: "^(a+)+$" } }],
    });
    const started = performance.now();
    const r = validateOrders([order("R-1", { STYLE: `${"a".repeat(40)}b` })], context({ config: cfg }));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r.issues.map((i) => i.rule)).toContain("greedy");
  });

  const batch = (bad: number, total: number) =>
    Array.from({ length: total }, (_, i) => order(`S-${i}`, i < bad ? { "TOTAL QTY": 1 } : {}));

  it("halts when more ERROR orders than maxErrorShare", () => {
    expect(validateOrders(batch(10, 20), context()).halt).toBeNull(); // 50% is not more than 0.5
    const r = validateOrders(batch(11, 20), context());
    expect(r.halt?.rule).toBe("error-share");
    expect(r.halt?.reason).toMatch(/11 of 20 orders \(55%\)/);
    expect(
      validateOrders(batch(3, 20), context({ config: quality({ maxErrorShare: 0.1 }) })).halt?.rule,
    ).toBe("error-share");
  });

  it("does not halt on a handful of orders, nor on orders already quarantined", () => {
    expect(validateOrders(batch(2, 3), context()).halt).toBeNull();
    const known = new Set(Array.from({ length: 11 }, (_, i) => `S-${i}`));
    expect(validateOrders(batch(11, 30), context({ previouslyQuarantined: known })).halt).toBeNull();
  });

  it("merges pages and decides the share over all of them", () => {
    const pages = [batch(6, 10), batch(6, 10).map((r, i) => ({ ...r, [KEY]: `P2-${i}` }))];
    const results = pages.map((p) =>
      validateOrders(p, context({ config: quality({ minOrdersForErrorShare: 15 }) })),
    );
    expect(results.map((r) => r.halt)).toEqual([null, null]);
    const merged = mergeResults(results, { config: quality({ minOrdersForErrorShare: 15 }) });
    expect(merged.rows).toBe(20);
    expect(merged.counts.QUARANTINE).toBe(12);
    expect(merged.halt?.rule).toBe("error-share");
  });
});

describe("the demo data", () => {
  it("validates 1,000 demo orders in a few milliseconds, flagging only ORDER QTY ≠ TOTAL QTY", () => {
    const { board: starter, config: cfg } = starterBoard();
    const all = [...generateOrders({ count: 1000, seed: 7 })];
    const vctx = context({ board: starter, liveBoard: undefined, groupTemplate: cfg.customers[1]!.group });
    for (let i = 0; i < 20; i++) validateOrders(all, vctx); // warm up the JIT
    let best = Infinity;
    let r = validateOrders(all, vctx);
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      r = validateOrders(all, vctx);
      best = Math.min(best, performance.now() - started);
    }
    console.log(`validateOrders: 1,000 rows in ${best.toFixed(1)} ms`);
    // A generous bound: shared CI machines are noisy; locally this is under 10 ms.
    expect(best).toBeLessThan(60);
    const rules = new Set(r.issues.map((i: Issue) => i.rule));
    expect([...rules]).toEqual(["order-qty-total"]);
    expect(r.counts.QUARANTINE).toBe(0);
    expect(r.counts.SYNC_WITH_WARNING).toBeGreaterThan(0);
  });

  it("lists the source columns the validators read", () => {
    const cols = qualityColumns(
      quality({
        rules: [
          {
            name: "r",
            severity: "INFO",
            when: { column: "A", op: ">", otherColumn: "B" },
            check: { column: "C", required: true },
          },
        ],
      }),
    );
    expect(cols).toEqual(
      expect.arrayContaining([
        "STYLE",
        "ORDER QTY",
        "TOTAL QTY",
        "EX FACTORY DATE",
        "DELIVERY DATE",
        "A",
        "B",
        "C",
      ]),
    );
  });
});
