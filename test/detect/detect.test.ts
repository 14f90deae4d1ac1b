import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  detectChange,
  hashSnapshot,
  type KnownOrder,
  type OrderSnapshot,
} from "../../src/detect/index.js";
import { canonicalValue, mondayWriteValue, ValueError } from "../../src/mapping/index.js";

const snap = (over: Partial<OrderSnapshot> = {}): OrderSnapshot => ({
  name: "AAG-1 Tee",
  group: "SS26",
  columns: { order_number: "AAG-1", po_number: "PO-1", order_qty: "10" },
  subitems: { S: "4", M: "6" },
  ...over,
});
const known = (values: OrderSnapshot, ids: Record<string, string> = { S: "11", M: "12" }): KnownOrder => ({
  orderKey: "AAG-1",
  mondayItemId: "100",
  lastHash: hashSnapshot(values),
  lastValues: values,
  subitemIds: ids,
  archived: false,
});

describe("canonical values", () => {
  it.each([
    ["numbers", 7, "7"],
    ["numbers", "07.0", "7"],
    ["numbers", "", null],
    ["numbers", 0, "0"],
    ["text", "", null],
    ["text", null, null],
    ["text", 12, "12"],
    ["date", "2026-06-15", "2026-06-15"],
    ["date", "2026-06-15 00:00:00", "2026-06-15"],
    ["date", "2026-06-15T09:30:00Z", "2026-06-15T09:30:00"],
    ["date", new Date("2026-06-15T00:00:00Z"), "2026-06-15"],
    ["status", " Open ", "Open"],
    ["dropdown", "A, B", "A,B"],
    ["checkbox", "yes", "true"],
    ["checkbox", 0, null],
  ] as const)("%s %j → %j", (type, raw, want) => {
    expect(canonicalValue(type, raw)).toBe(want);
  });

  it.each([
    ["numbers", "12 pcs"],
    ["numbers", Number.NaN],
    ["numbers", Number.POSITIVE_INFINITY],
    ["date", "2026-02-30"],
    ["date", "15/06/2026"],
    ["long_text", "x".repeat(2001)],
  ] as const)("rejects %s %j with a ValueError", (type, raw) => {
    expect(() => canonicalValue(type, raw)).toThrow(ValueError);
  });

  it("writes monday's formats", () => {
    expect(mondayWriteValue("date", "2026-06-15")).toEqual({ date: "2026-06-15" });
    expect(mondayWriteValue("date", "2026-06-15T09:30:00")).toEqual({ date: "2026-06-15", time: "09:30:00" });
    expect(mondayWriteValue("status", "Done")).toEqual({ label: "Done" });
    expect(mondayWriteValue("numbers", "3")).toBe("3");
    expect(mondayWriteValue("long_text", "hi")).toEqual({ text: "hi" });
    expect(mondayWriteValue("dropdown", "A,B")).toEqual({ labels: ["A", "B"] });
    expect(mondayWriteValue("text", null)).toBeNull();
  });
});

describe("change detection", () => {
  it("hashes canonically: key order does not matter", () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe(
      '{"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}',
    );
    const a = snap();
    const b = {
      subitems: { M: "6", S: "4" },
      columns: { order_qty: "10", po_number: "PO-1", order_number: "AAG-1" },
      group: "SS26",
      name: "AAG-1 Tee",
    };
    expect(hashSnapshot(b)).toBe(hashSnapshot(a));
  });

  it("classifies NEW, UNCHANGED, and archived items as NEW again", () => {
    expect(detectChange("AAG-1", snap(), undefined).kind).toBe("NEW");
    expect(detectChange("AAG-1", snap(), known(snap())).kind).toBe("UNCHANGED");
    expect(detectChange("AAG-1", snap(), { ...known(snap()), archived: true }).kind).toBe("NEW");
  });

  it("lists exactly the changed columns, the name, the group and the size changes", () => {
    const now = snap({
      name: "AAG-1 Tee v2",
      group: "FW26",
      columns: { order_number: "AAG-1", po_number: "PO-2", order_qty: "10" },
      subitems: { M: "7", L: "1" },
    });
    const change = detectChange("AAG-1", now, known(snap()));
    expect(change).toMatchObject({
      kind: "CHANGED",
      changedColumns: ["name", "po_number"],
      groupChanged: true,
      subitems: { create: ["L"], update: ["M"], archive: ["S"] },
    });
  });
});
