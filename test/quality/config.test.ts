import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { formatIssues } from "../../src/config/index.js";
import { qualityConfigSchema } from "../../src/config/index.js";
import { validateOrders } from "../../src/quality/index.js";
import { context, order } from "./fixture.js";

/** Parses a YAML `quality:` block the way the lead embeds it: `z.object({ quality: qualityConfigSchema })`. */
function parseQuality(yaml: string) {
  const result = z.object({ quality: qualityConfigSchema }).strict().safeParse(parseYaml(yaml));
  if (!result.success) throw new Error(formatIssues(result.error).join("\n"));
  return result.data.quality;
}

const RULES_YAML = `
quality:
  required: [STYLE, ORDER QTY, TOTAL QTY, PO NUMBER]
  severities:
    order-qty-total: ERROR
  maxErrorShare: 1
  rules:
    - name: max-order-qty
      severity: WARNING
      check: { column: ORDER QTY, op: "<=", value: 5000 }
      message: orders over 5,000 pieces need a second approval
    - name: delivery-after-ex-factory-week
      severity: ERROR
      check: { column: DELIVERY DATE, op: ">", otherColumn: EX FACTORY DATE }
    - name: total-qty-range
      severity: ERROR
      check: { column: TOTAL QTY, between: [1, 10000] }
    - name: po-format
      severity: ERROR
      check: { column: PO NUMBER, pattern: "^PO-[A-Z]{2}-\\\\d{5}$" }
      message: PO number must look like PO-XX-12345
    - name: known-season
      severity: INFO
      check: { column: SEASON, in: [SS26, FW26] }
    - name: confirmed-needs-color
      severity: ERROR
      when: { column: ORDER STATUS, op: "==", value: Confirmed }
      check: { column: COLOR, required: true }
`;

describe("quality config", () => {
  it("defaults everything when the block is absent", () => {
    const q = parseQuality("quality:");
    expect(q).toMatchObject({
      required: ["STYLE", "ORDER QTY", "TOTAL QTY"],
      maxErrorShare: 0.5,
      rules: [],
      severities: {},
    });
    expect(z.object({ quality: qualityConfigSchema }).parse({}).quality.maxErrorShare).toBe(0.5);
  });

  it("runs user rules declared in YAML: comparison, column comparison, range, pattern, in, required-if", () => {
    const q = parseQuality(RULES_YAML);
    const rows = [
      order("U-ok"),
      order("U-big", { "ORDER QTY": 6000, "TOTAL QTY": 6000, SIZE_S: 5950, SIZE_M: 30, SIZE_L: 20 }),
      order("U-same-day", { "DELIVERY DATE": "2026-01-10" }),
      order("U-zero", { "TOTAL QTY": 0, "ORDER QTY": 0, SIZE_S: 0, SIZE_M: 0, SIZE_L: 0 }),
      order("U-po", { "PO NUMBER": "12345" }),
      order("U-season", { SEASON: "SS27" }),
      order("U-confirmed", { "ORDER STATUS": "Confirmed", COLOR: "" }),
      order("U-open-no-color", { "ORDER STATUS": "Open", COLOR: null }),
      order("U-no-po", { "PO NUMBER": null }),
      order("U-qty", { "ORDER QTY": 61 }),
    ];
    const r = validateOrders(rows, context({ config: q }));
    const rulesOf = (k: string) => (r.byOrder.get(k) ?? []).map((i) => i.rule);
    expect(rulesOf("U-ok")).toEqual([]);
    expect(r.byOrder.get("U-big")).toEqual([
      expect.objectContaining({
        rule: "max-order-qty",
        severity: "WARNING",
        column: "ORDER QTY",
        value: 6000,
        message: "orders over 5,000 pieces need a second approval",
      }),
    ]);
    expect(r.action("U-big")).toBe("SYNC_WITH_WARNING");
    expect(rulesOf("U-same-day")).toEqual(["delivery-after-ex-factory-week"]);
    expect(r.byOrder.get("U-same-day")?.[0]?.message).toBe("expected DELIVERY DATE > EX FACTORY DATE");
    expect(rulesOf("U-zero")).toEqual(["total-qty-range"]);
    expect(r.byOrder.get("U-po")?.[0]).toMatchObject({
      rule: "po-format",
      value: "12345",
      message: "PO number must look like PO-XX-12345",
    });
    expect(r.byOrder.get("U-season")?.[0]).toMatchObject({ rule: "known-season", severity: "INFO" });
    expect(r.action("U-season")).toBe("SYNC");
    expect(r.byOrder.get("U-confirmed")?.[0]).toMatchObject({
      rule: "confirmed-needs-color",
      column: "COLOR",
      message: 'expected COLOR is required (since ORDER STATUS == "Confirmed")',
    });
    expect(rulesOf("U-open-no-color")).toEqual([]);
    // PO NUMBER was made required; the pattern does not apply to an empty value.
    expect(rulesOf("U-no-po")).toEqual(["required"]);
    // The severity override turns ORDER QTY ≠ TOTAL QTY into an ERROR.
    expect(r.byOrder.get("U-qty")?.[0]).toMatchObject({ rule: "order-qty-total", severity: "ERROR" });
    expect(r.action("U-qty")).toBe("QUARANTINE");
  });

  it.each([
    [
      "an unknown operator",
      `check: { column: A, op: "~=", value: 1 }`,
      /quality\.rules\[0\]\.check\.op: must be one of == != < <= > >=/,
    ],
    [
      "two tests in one condition",
      `check: { column: A, op: "<", value: 1, pattern: x }`,
      /check: a condition takes only one of .*got op and pattern/,
    ],
    [
      "no test at all",
      `check: { column: A }`,
      /check: a condition needs one of op, between, pattern, in, required/,
    ],
    [
      "a comparison without a value",
      `check: { column: A, op: "<" }`,
      /check\.op: a comparison needs exactly one of value or otherColumn/,
    ],
    [
      "a bad regular expression",
      `check: { column: A, pattern: "((" }`,
      /check\.pattern: is not a valid RE2 regular expression/,
    ],
    [
      "a lookahead, which no linear-time engine runs",
      `check: { column: A, pattern: "^(?!TEST)" }`,
      /check\.pattern: is not a valid RE2 regular expression \(linear time: no backreferences or lookaround\)/,
    ],
    [
      "an inverted range",
      `check: { column: A, between: [5, 1] }`,
      /check\.between: min must not be greater than max/,
    ],
    [
      "an unknown key",
      `check: { column: A, required: true, colour: red }`,
      /check: Unrecognized key: "colour"/,
    ],
    [
      "a bad severity",
      `check: { column: A, required: true }\n      severity: FATAL`,
      /severity: must be one of INFO, WARNING, ERROR, CRITICAL/,
    ],
  ])("rejects %s with a message naming the key", (_, rule, message) => {
    const yaml = `quality:\n  rules:\n    - name: r1\n      ${rule.includes("severity:") ? "" : "severity: ERROR\n      "}${rule}\n`;
    expect(() => parseQuality(yaml)).toThrow(message);
  });

  it("rejects severities for unknown rules and below a rule's floor", () => {
    expect(() => parseQuality("quality:\n  severities: { total-qty-summ: ERROR }")).toThrow(
      /quality\.severities\.total-qty-summ: unknown rule "total-qty-summ"; built-in rules: required, /,
    );
    expect(() => parseQuality("quality:\n  severities: { date-invalid: WARNING }")).toThrow(
      /"date-invalid" cannot be below ERROR/,
    );
    expect(() => parseQuality("quality:\n  maxErrorShare: 1.5")).toThrow(
      /maxErrorShare: must be between 0 and 1/,
    );
    expect(() =>
      parseQuality(
        "quality:\n  rules:\n    - { name: required, severity: ERROR, check: { column: A, required: true } }",
      ),
    ).toThrow(/"required" is a built-in rule/);
  });
});
