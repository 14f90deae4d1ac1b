import { describe, expect, it } from "vitest";
import { buildSnapshot } from "../../src/detect/index.js";
import { MappedRow } from "../../src/mapping/index.js";
import { validateMapped, validateOrders } from "../../src/quality/index.js";
import { board, context, customerConfig, order } from "./fixture.js";

/** A date that counts how often the mapper looks inside it: each look is the value being mapped. */
class CountingDate extends Date {
  looks = 0;
}
const LOOKS = ["getTime", "valueOf", "toISOString", "toJSON", "getUTCFullYear", "getFullYear"] as const;
for (const name of LOOKS) {
  const original = Date.prototype[name] as (this: Date) => unknown;
  Object.defineProperty(CountingDate.prototype, name, {
    value(this: CountingDate) {
      this.looks++;
      return original.call(this);
    },
  });
}

describe("map once: validation reads what detect mapped", () => {
  it("does not map a value again that the snapshot mapped; validating the raw row does", () => {
    const date = new CountingDate(Date.UTC(2026, 0, 10));
    const row = order("M-1", { "EX FACTORY DATE": date });
    const mapped = new MappedRow(row);
    const snapshot = buildSnapshot(mapped, "M-1", board, customerConfig);
    expect(snapshot.columns.ex_factory).toBe("2026-01-10");
    const afterDetect = date.looks;
    expect(afterDetect).toBeGreaterThan(0);

    expect(validateMapped([mapped], context()).action("M-1")).toBe("SYNC");
    expect(date.looks).toBe(afterDetect);

    expect(validateOrders([row], context()).action("M-1")).toBe("SYNC");
    expect(date.looks).toBeGreaterThan(afterDetect);
  });

  it("gives the same findings as validating the raw rows, good and bad", () => {
    const rows = [
      order("M-1"),
      order("M-2", { "ORDER QTY": "12 pcs" }),
      order("M-3", { "EX FACTORY DATE": "2026-02-30" }),
      order("M-4", { SIZE_S: -5, "ORDER QTY": 45, "TOTAL QTY": 45 }),
    ];
    const mapped = rows.map((r) => new MappedRow(r));
    const unmappable = mapped.filter((m, i) => {
      try {
        buildSnapshot(m, `M-${i + 1}`, board, customerConfig);
        return false;
      } catch {
        return true;
      }
    });
    expect(unmappable).toHaveLength(2);
    const fromDetect = validateMapped(mapped, context());
    const fresh = validateOrders(rows, context());
    expect(fromDetect.issues).toEqual(fresh.issues);
    expect(fromDetect.counts).toEqual(fresh.counts);
    expect(fromDetect.counts.QUARANTINE).toBe(3);
  });
});

describe("one quarantine record: a row detect could not map", () => {
  it("gets a value-type ERROR (so it is quarantined) unless a rule already gave it one", () => {
    const rows = [order("U-1"), order("U-2"), order("U-3", { "TOTAL QTY": "lots" })].map(
      (r) => new MappedRow(r),
    );
    const cannot = {
      column: "STYLE",
      message: "order U-1, column [STYLE]: no text can be made of it",
      value: 1,
    };
    const result = validateMapped(rows, context(), [cannot, undefined, { ...cannot, message: "U-3 too" }]);
    expect(result.action("U-1")).toBe("QUARANTINE");
    expect(result.byOrder.get("U-1")).toEqual([
      expect.objectContaining({
        rule: "value-type",
        severity: "ERROR",
        column: "STYLE",
        message: cannot.message,
      }),
    ]);
    expect(result.action("U-2")).toBe("SYNC");
    // U-3 already has an ERROR of its own: no second reason is made up for it.
    expect(result.action("U-3")).toBe("QUARANTINE");
    expect(result.byOrder.get("U-3")!.some((i) => i.message === "U-3 too")).toBe(false);
  });
});
