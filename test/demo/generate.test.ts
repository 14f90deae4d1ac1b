import { describe, expect, it } from "vitest";
import { DEMO_CUSTOMERS, ORDER_STATUS_LABELS } from "../../src/config/index.js";
import {
  DEMO_COLUMNS,
  DEMO_SEASONS,
  DEMO_SIZES,
  demoOrderKey,
  generateOrders,
  mulberry32,
} from "../../src/demo/index.js";
import { compareKeys } from "../../src/source/index.js";

const ROWS = [...generateOrders({ count: 20_000 })];

describe("generateOrders", () => {
  it("is deterministic per seed and per index", () => {
    expect([...generateOrders({ count: 200 })]).toEqual(ROWS.slice(0, 200));
    expect([...generateOrders({ count: 50, startIndex: 1000 })]).toEqual(ROWS.slice(1000, 1050));
    const other = [...generateOrders({ count: 200, seed: 7 })];
    expect(other).not.toEqual(ROWS.slice(0, 200));
    expect([...generateOrders({ count: 200, seed: 7 })]).toEqual(other);
  });

  it("has exactly the demo columns, keys in index order", () => {
    for (const row of ROWS.slice(0, 100)) expect(Object.keys(row)).toEqual([...DEMO_COLUMNS]);
    expect(ROWS[0]!["AAG ORDER NUMBER"]).toBe("AAG-0000001");
    expect(demoOrderKey(122)).toBe("AAG-0000123");
    const keys = ROWS.map((r) => String(r["AAG ORDER NUMBER"]));
    expect([...keys].sort(compareKeys)).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("keeps the business invariants", () => {
    const customers = new Set(DEMO_CUSTOMERS.map((c) => c.name));
    let zeroSizes = 0;
    // Per-row assertions on a slice (expect() is slow); the proportions below use every row.
    for (const row of ROWS.slice(0, 4000)) {
      const sizes = DEMO_SIZES.map((s) => row[`SIZE_${s}`] as number | null);
      const inRun = sizes.filter((q): q is number => q !== null);
      expect(inRun.length).toBe(5);
      // A run is contiguous: XS–XL or S–XXL.
      expect(sizes[0] === null ? sizes[5] !== null : sizes[5] === null).toBe(true);
      expect(row["TOTAL QTY"]).toBe(inRun.reduce((a, b) => a + b, 0));
      zeroSizes += inRun.filter((q) => q === 0).length;
      expect(customers.has(String(row.CUSTOMER))).toBe(true);
      expect(ORDER_STATUS_LABELS).toContain(row["ORDER STATUS"]);
      expect(DEMO_SEASONS).toContain(row.SEASON);
      expect(String(row.STYLE)).toMatch(/^[A-Z]{2}-\d{4} [A-Za-z -]+$/);
      const exFactory = String(row["EX FACTORY DATE"]);
      const delivery = String(row["DELIVERY DATE"]);
      expect(exFactory).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(new Date(`${delivery}T00:00:00Z`).toISOString().slice(0, 10)).toBe(delivery);
      expect(exFactory < delivery).toBe(true);
      expect(String(row["LAST MODIFIED"])).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    }
    expect(zeroSizes).toBeGreaterThan(0);
    const orderQtyDiffers = ROWS.filter((r) => r["ORDER QTY"] !== r["TOTAL QTY"]).length;
    expect(orderQtyDiffers / ROWS.length).toBeGreaterThan(0.005);
    expect(orderQtyDiffers / ROWS.length).toBeLessThan(0.05);
  });

  it("cancels about 3% of orders by their key, the seed's way", () => {
    const cancelled = ROWS.filter((r) => String(r["AAG ORDER NUMBER"]).includes("CANCELLED"));
    expect(cancelled.length / ROWS.length).toBeGreaterThan(0.02);
    expect(cancelled.length / ROWS.length).toBeLessThan(0.04);
    for (const r of cancelled) expect(r["AAG ORDER NUMBER"]).toMatch(/^AAG-\d{7}-CANCELLED$/);
  });

  it("spreads orders over every customer, season and status", () => {
    for (const name of DEMO_CUSTOMERS.map((c) => c.name))
      expect(ROWS.filter((r) => r.CUSTOMER === name).length).toBeGreaterThan(ROWS.length / 10);
    expect(new Set(ROWS.map((r) => r.SEASON)).size).toBe(DEMO_SEASONS.length);
    expect(new Set(ROWS.map((r) => r["ORDER STATUS"])).size).toBe(ORDER_STATUS_LABELS.length);
  });

  it("rejects counts the key format cannot keep in order", () => {
    expect(() => [...generateOrders({ count: 2, startIndex: 9_999_998 })]).toThrow(RangeError);
    expect(() => [...generateOrders({ count: -1 })]).toThrow(RangeError);
  });

  it("mulberry32 is a stable stream", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
