// Issue 18: `plan` shows the lane of each order and the expected cost of each lane.
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { resolveSettings } from "../../src/config/index.js";
import type { PlannedChange } from "../../src/sync/plan.js";
import { planLanes } from "../../src/sync/plan-lanes.js";
import { testConfig } from "../helpers/sync-env.js";

const settingsWith = (bulk: string) =>
  resolveSettings(
    testConfig((raw) => ((raw.monday as Record<string, unknown>).bulk = bulk)),
    tmpdir(),
    { MONDAY_API_TOKEN: "t" },
  );

const create = (key: string, sizes: number): PlannedChange => ({
  customer: "C",
  orderKey: key,
  action: "CREATE",
  columns: ["order_number", "style"],
  subitems: { create: Array.from({ length: sizes }, (_, i) => `S${i}`), update: [], archive: [] },
});
const update: PlannedChange = { customer: "C", orderKey: "U", action: "UPDATE", columns: ["style"] };

describe("plan lanes", () => {
  it("off: every change by mutations, with the budget's minutes", () => {
    const changes = [create("A", 5), update];
    const lanes = planLanes(settingsWith("off"), changes);
    expect(changes.map((c) => c.lane)).toEqual(["mutations", "mutations"]);
    // 6 writes for the create, 1 for the update; 10,000 points each at 10M a minute.
    expect(lanes).toEqual({ mutations: { orders: 2, writes: 7, minutes: 0 } });
  });

  it("ingest: NEW orders by jobs until the 19,000 items an hour are spent, the rest by mutations", () => {
    const changes = [...Array.from({ length: 3_200 }, (_, i) => create(`N${i}`, 5)), update];
    const lanes = planLanes(settingsWith("ingest"), changes);
    // 3,166 orders of 6 rows fit in 19,000 items; the rest, and the update, are mutations.
    expect(changes.filter((c) => c.lane === "ingest")).toHaveLength(3_166);
    expect(lanes.bulk).toEqual({ kind: "ingest", orders: 3_166, rows: 18_996, jobs: 2, budgetHours: 1 });
    expect(lanes.mutations).toEqual({ orders: 35, writes: 34 * 6 + 1, minutes: 0.2 });
  });

  it("backfill: every NEW order by jobs of at most 20,000 rows; updates stay mutations", () => {
    const changes = [...Array.from({ length: 10_000 }, (_, i) => create(`N${i}`, 5)), update];
    const lanes = planLanes(settingsWith("backfill"), changes);
    expect(lanes.bulk).toEqual({ kind: "backfill", orders: 10_000, rows: 60_000, jobs: 3 });
    expect(update.lane).toBe("mutations");
  });
});
