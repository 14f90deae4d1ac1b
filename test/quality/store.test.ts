import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appliedMigrations, migrateToLatest, type Db } from "../../src/db/index.js";
import { describeSourceTable } from "../../src/source/index.js";
import {
  applyValidation,
  quarantinedKeys,
  quarantineIssues,
  quarantineRows,
  recordQuarantine,
  releaseFixed,
  validateOrders,
  type Issue,
} from "../../src/quality/index.js";
import { testDatabases } from "../helpers/databases.js";
import { context, CUSTOMER, order } from "./fixture.js";

const issue = (orderKey: string, over: Partial<Issue> = {}): Issue => ({
  orderKey,
  customer: CUSTOMER,
  rule: "total-qty-sum",
  severity: "ERROR",
  column: "TOTAL QTY",
  value: 70,
  message: "[TOTAL QTY] 70 is not the sum of the sizes",
  ...over,
});

for (const target of await testDatabases()) {
  describe.skipIf(!target.available)(`quarantine store on ${target.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await target.open();
      await migrateToLatest(db);
    });
    afterAll(async () => {
      await db?.close();
    });

    it("migrates through 0002_quality, with the MON_Quarantine columns", async () => {
      expect(await appliedMigrations(db)).toContain("0002_quality");
      const table = await describeSourceTable(db, "MON_Quarantine");
      expect(table.columns.map((c) => c.name).sort()).toEqual(
        [
          "quarantine_id",
          "customer",
          "order_key",
          "rule",
          "severity",
          "column_name",
          "value",
          "message",
          "batch_id",
          "first_seen",
          "last_seen",
        ].sort(),
      );
    });

    it("records, replaces, keeps first_seen, and releases", async () => {
      await recordQuarantine(
        db,
        "b1",
        CUSTOMER,
        [issue("A-1"), issue("A-2"), issue("A-2", { rule: "required", column: "STYLE", value: null })],
        "2026-01-01T00:00:00.000Z",
      );
      await recordQuarantine(
        db,
        "b1",
        "OTHER",
        [issue("A-1", { customer: "OTHER" })],
        "2026-01-01T00:00:00.000Z",
      );
      expect([...(await quarantinedKeys(db, CUSTOMER))].sort()).toEqual(["A-1", "A-2"]);

      // Run 2: A-2 still breaks total-qty-sum but its STYLE was fixed; A-1 is not validated this run.
      await recordQuarantine(db, "b2", CUSTOMER, [issue("A-2")], "2026-01-02T00:00:00.000Z");
      const rows = await quarantineRows(db, CUSTOMER);
      expect(rows.map((r) => [r.order_key, r.rule, r.batch_id, r.first_seen, r.last_seen])).toEqual([
        ["A-1", "total-qty-sum", "b1", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"],
        ["A-2", "total-qty-sum", "b2", "2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z"],
      ]);
      expect(rows[1]).toMatchObject({
        customer: CUSTOMER,
        severity: "ERROR",
        column_name: "TOTAL QTY",
        value: "70",
      });

      expect(await releaseFixed(db, CUSTOMER, ["A-1", "never-quarantined"])).toBe(1);
      expect([...(await quarantinedKeys(db, CUSTOMER))]).toEqual(["A-2"]);
      expect([...(await quarantinedKeys(db, "OTHER"))]).toEqual(["A-1"]);
    });

    it("stores hostile values as JSON text, at most 2,000 characters", async () => {
      const hostile = [
        issue(`O'Brien "1"; drop table x --`, { value: "a\u0000b\uD800" }),
        issue("H-2", { value: "x".repeat(50_000), column: "NOTES" }),
        issue("H-3", { value: Number.NaN, message: "bad \u0000 message" }),
        issue("H-4", { value: Buffer.from([0, 1, 2]) }),
      ];
      await recordQuarantine(db, "b3", "HOSTILE", hostile);
      const rows = await quarantineRows(db, "HOSTILE");
      const byKey = new Map(rows.map((r) => [r.order_key, r]));
      expect(byKey.get(`O'Brien "1"; drop table x --`)?.value).toBe(JSON.stringify("a\u0000b\uD800"));
      expect(byKey.get("H-2")?.value?.length).toBeLessThanOrEqual(2000);
      expect(byKey.get("H-3")?.value).toBe('"NaN"');
      expect(byKey.get("H-3")?.message).toBe("bad \uFFFD message");
      expect(byKey.get("H-4")?.value).toBe('"<binary, 3 bytes>"');
    });

    it("round-trips a run: quarantine, fix, release (applyValidation)", async () => {
      const ctx = context({ customer: "ROUND TRIP" });
      const bad = [order("R-1", { "TOTAL QTY": 1 }), order("R-2", { "ORDER QTY": 1 }), order("R-3")];
      const first = validateOrders(bad, ctx);
      expect(new Set(quarantineIssues(first).map((i) => i.orderKey))).toEqual(new Set(["R-1"]));
      expect(await applyValidation(db, "run-1", first)).toEqual({ quarantined: 2, released: 0 });
      expect([...(await quarantinedKeys(db, "ROUND TRIP"))]).toEqual(["R-1"]);

      // Next run: R-1 is validated again (it is still not synced) and is now fixed.
      const second = validateOrders([order("R-1")], ctx);
      expect(second.action("R-1")).toBe("SYNC");
      expect(await applyValidation(db, "run-2", second)).toEqual({ quarantined: 0, released: 2 }); // rows: both of R-1's issues
      expect((await quarantinedKeys(db, "ROUND TRIP")).size).toBe(0);
    });

    it("handles many orders in chunks", async () => {
      const many = Array.from({ length: 650 }, (_, i) => issue(`M-${i}`));
      expect(await recordQuarantine(db, "b4", "MANY", many)).toBe(650);
      expect(await recordQuarantine(db, "b5", "MANY", many)).toBe(650);
      expect((await quarantinedKeys(db, "MANY")).size).toBe(650);
      expect(
        await releaseFixed(
          db,
          "MANY",
          many.map((i) => i.orderKey!),
        ),
      ).toBe(650);
    });
  });
}
