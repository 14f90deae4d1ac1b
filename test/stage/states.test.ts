// The staged-row state machine is a table, and the staging functions move rows only as it allows, on every
// engine: a claim takes PENDING rows to IN_FLIGHT without counting an attempt, monday's answer takes
// IN_FLIGHT rows to DONE / FAILED / DEAD and counts one, and a move the table does not allow changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, STAGED_STATUSES, type Db } from "../../src/db/index.js";
import {
  claimOrders,
  leftoverRows,
  markOrders,
  STAGED_STATES,
  stageOrders,
  transition,
  initialStatus,
  TransitionError,
  type NewStagedOrder,
} from "../../src/stage/index.js";
import { testDatabases } from "../helpers/databases.js";

describe("the staged-row state table", () => {
  it("names every state, and only PENDING rows are written new (held-back orders are in MON_Quarantine)", () => {
    expect(Object.keys(STAGED_STATES).sort()).toEqual([...STAGED_STATUSES].sort());
    expect(STAGED_STATUSES).not.toContain("QUARANTINED");
    expect(STAGED_STATUSES.filter((s) => STAGED_STATES[s].initial)).toEqual(["PENDING"]);
    expect(initialStatus("PENDING")).toBe("PENDING");
    expect(() => initialStatus("IN_FLIGHT")).toThrow(TransitionError);
    expect(() => initialStatus("DEAD")).toThrow(TransitionError);
  });

  it("allows claim and answer moves, and says which count an attempt", () => {
    expect(transition("IN_FLIGHT")).toEqual({ from: ["PENDING"], countsAttempt: false });
    for (const to of ["DONE", "FAILED", "DEAD"] as const)
      expect(transition(to)).toEqual({ from: ["IN_FLIGHT"], countsAttempt: true });
    expect(() => transition("PENDING")).toThrow("a staged row cannot go from new to PENDING");
  });
});

const order = (orderKey: string): NewStagedOrder => ({
  batchId: "b1",
  customer: "BLUE HARBOR",
  orderKey,
  boardId: "5001000001",
  action: "CREATE",
  status: "PENDING",
  itemName: orderKey,
  groupTitle: "SS26",
  columnValues: {},
  changedColumns: [],
  newHash: "h",
  newValues: null,
  mondayItemId: null,
  lastError: null,
});

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`staged rows move as the table allows on ${engine.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await engine.open();
      await migrateToLatest(db);
    });
    afterAll(async () => {
      await db?.close();
    });

    it("claims, answers and refuses moves the table does not list", async () => {
      await stageOrders(db, [
        { order: order("A"), subitems: [] },
        { order: order("B"), subitems: [] },
        { order: order("C"), subitems: [] },
      ]);
      const claimed = await claimOrders(db, "BLUE HARBOR", "b1", 1);
      expect(claimed.map((r) => [r.orderKey, r.status, r.attempts])).toEqual([["A", "IN_FLIGHT", 0]]);
      const [a] = claimed;
      const rows = async () =>
        Object.fromEntries(
          (await leftoverRows(db, "BLUE HARBOR")).orders.map((r) => [r.orderKey, [r.status, r.attempts]]),
        );
      await markOrders(db.kysely, [{ stgId: a!.stgId, status: "DONE", mondayItemId: "1" }]);
      const all = (await leftoverRows(db, "BLUE HARBOR")).orders;
      const b = all.find((r) => r.orderKey === "B")!;
      const c = all.find((r) => r.orderKey === "C")!;
      // Not claimed, so not answered: PENDING rows do not move to DONE or DEAD.
      await markOrders(db.kysely, [
        { stgId: b.stgId, status: "DONE", mondayItemId: "2" },
        { stgId: c.stgId, status: "DEAD", error: "x" },
      ]);
      // A second answer for a row already DONE changes nothing either.
      await markOrders(db.kysely, [{ stgId: a!.stgId, status: "FAILED", error: "late" }]);
      expect(await rows()).toEqual({ A: ["DONE", 1], B: ["PENDING", 0], C: ["PENDING", 0] });
    });
  });
}
