import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildSnapshot } from "../../src/detect/index.js";
import { mondayWriteValue } from "../../src/mapping/index.js";
import {
  buildReport,
  orderKeyOf,
  SEVERITY_EFFECTS,
  toHtml,
  toJson,
  validateOrders,
} from "../../src/quality/index.js";
import { board, context, customerConfig, KEY, order } from "./fixture.js";

/** Values a database driver (or a bad import) can put in a row, nasty ones included. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    "",
    " ",
    "\t",
    "NULL",
    "null",
    "0",
    "-0",
    "1e400",
    "0x10",
    "Infinity",
    "NaN",
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.constantFrom(
    "\u0000",
    "a\u0007b",
    "\uD800",
    "x\uDC00y",
    "🧵".repeat(130),
    "\u202Eevil",
    `O'Brien "q" \\`,
    "<script>x</script>",
  ),
  fc.nat({ max: 70_000 }).map((n) => "x".repeat(n)),
  fc.double(),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -1,
    0.5,
    1e21,
    Number.MAX_SAFE_INTEGER + 2,
  ),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
  fc.boolean(),
  fc.date({ noInvalidDate: false }),
  fc
    .tuple(
      fc.integer({ min: -10, max: 99_999 }),
      fc.integer({ min: -1, max: 14 }),
      fc.integer({ min: -1, max: 33 }),
    )
    .map(
      ([y, m, d]) =>
        `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
    ),
  fc.constantFrom(
    "2026-02-29",
    "2024-02-29",
    "0001-01-01",
    "0050-06-15",
    "9999-12-31",
    "2026-06-15T25:61:00",
    "2026-06-15 10:30:00",
  ),
  fc.constant(Buffer.from([0xde, 0xad])),
  fc.constant({ nested: [1, 2] }),
);

const COLUMNS = Object.keys(order("x"));

/** A row: a clean order with some columns replaced by arbitrary values (or removed). */
const anyRow = fc
  .tuple(
    fc.constantFrom("K-1", "K-2", "K-3", "K-4"),
    fc.dictionary(fc.constantFrom(...COLUMNS), anyValue, { maxKeys: 6 }),
    fc.subarray(COLUMNS, { maxLength: 2 }),
  )
  .map(([key, over, drop]) => order(key, over, drop));

/** Staging text must survive PostgreSQL and UTF-8 unchanged: no NUL, no unpaired surrogate. */
function storable(text: string): boolean {
  return !text.includes("\u0000") && text === (text as string & { toWellFormed(): string }).toWellFormed();
}

describe("validate → map never lets a bad row through (fast-check)", () => {
  it("quarantines an invalid Date object instead of throwing (found by fast-check)", () => {
    const row = order("x", {
      [KEY]: new Date(Number.NaN),
      "EX FACTORY DATE": new Date(Number.NaN),
      STYLE: new Date(Number.NaN),
    });
    const r = validateOrders([row], context());
    expect(r.action(orderKeyOf(row, KEY))).toBe("QUARANTINE");
    expect(r.issues.map((i) => i.rule)).toEqual(
      expect.arrayContaining(["order-key", "date-invalid", "item-name"]),
    );
  });

  it("every row is synced cleanly or quarantined with a reason; nothing throws", () => {
    fc.assert(
      fc.property(fc.array(anyRow, { minLength: 1, maxLength: 8 }), (rows) => {
        const ctx = context();
        const result = validateOrders(rows, ctx);
        for (const row of rows) {
          const key = orderKeyOf(row, KEY);
          const action = result.action(key);
          const issues = result.byOrder.get(key) ?? [];
          if (action === "QUARANTINE") {
            const reasons = issues.filter(
              (i) => SEVERITY_EFFECTS[i.severity].rank >= SEVERITY_EFFECTS.ERROR.rank,
            );
            expect(reasons.length).toBeGreaterThan(0);
            for (const r of reasons) expect(r.message.length).toBeGreaterThan(0);
            continue;
          }
          // SYNC or SYNC_WITH_WARNING: the mapper must accept the row, and the staged text must be storable.
          const snapshot = buildSnapshot(row, key, board, customerConfig);
          expect(storable(snapshot.name) && storable(snapshot.group) && storable(key)).toBe(true);
          for (const c of board.columns) {
            const v = snapshot.columns[c.id] ?? null;
            const written = JSON.stringify(mondayWriteValue(c.type, v));
            expect(typeof written).toBe("string");
            if (v !== null && c.type !== "numbers" && c.type !== "date") expect(storable(v)).toBe(true);
          }
          if (action === "SYNC_WITH_WARNING") expect(issues.some((i) => i.severity === "WARNING")).toBe(true);
        }
        // And the report of any batch renders.
        const report = buildReport([result]);
        expect(JSON.parse(toJson(report)).totals.rows).toBe(rows.length);
        expect(toHtml(report)).not.toContain("<script>x");
      }),
      { numRuns: 600 },
    );
  });

  it("user rules never throw on arbitrary values either", () => {
    const ctx = context({
      config: context().config,
    });
    const withRules = {
      ...ctx,
      config: {
        ...ctx.config,
        rules: [
          {
            name: "cmp",
            severity: "WARNING" as const,
            check: { column: "ORDER QTY", op: "<=" as const, value: 5000 },
          },
          {
            name: "col",
            severity: "ERROR" as const,
            check: { column: "DELIVERY DATE", op: ">" as const, otherColumn: "EX FACTORY DATE" },
          },
          {
            name: "rng",
            severity: "ERROR" as const,
            check: { column: "TOTAL QTY", between: [0, 10_000] as [number, number] },
          },
          { name: "pat", severity: "INFO" as const, check: { column: "PO NUMBER", pattern: "^PO-" } },
          { name: "in", severity: "INFO" as const, check: { column: "SEASON", in: ["SS26", 26, true] } },
          {
            name: "req-if",
            severity: "ERROR" as const,
            when: { column: "ORDER STATUS", op: "==" as const, value: "Confirmed" },
            check: { column: "COLOR", required: true as const },
          },
        ],
      },
    };
    fc.assert(
      fc.property(fc.array(anyRow, { minLength: 1, maxLength: 5 }), (rows) => {
        const r = validateOrders(rows, withRules);
        for (const i of r.issues) expect(typeof i.message).toBe("string");
      }),
      { numRuns: 300 },
    );
  });
});
