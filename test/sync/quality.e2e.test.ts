import { existsSync, readFileSync } from "node:fs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { quarantineCounts } from "../../src/quality/index.js";
import { testDatabases } from "../helpers/databases.js";
import { syncEnv, testConfig, type SyncEnv } from "../helpers/sync-env.js";

const CUSTOMER = "KESTREL OUTDOOR";
const OTHER = "BLUE HARBOR";

/** One order breaking each rule, by editing an open order of the customer. */
const BREAKS: {
  rule: string;
  column: string;
  severity: string;
  edit: (k: string) => ReturnType<typeof sql>;
}[] = [
  {
    rule: "total-qty-sum",
    column: "TOTAL QTY",
    severity: "ERROR",
    edit: (k) =>
      sql`UPDATE "ORDERS_UNIFIED" SET "TOTAL QTY" = "TOTAL QTY" + 7 WHERE "AAG ORDER NUMBER" = ${k}`,
  },
  {
    rule: "delivery-before-ex-factory",
    column: "DELIVERY DATE",
    severity: "ERROR",
    edit: (k) =>
      sql`UPDATE "ORDERS_UNIFIED" SET "DELIVERY DATE" = ${"2020-01-01"} WHERE "AAG ORDER NUMBER" = ${k}`,
  },
  {
    rule: "required",
    column: "STYLE",
    severity: "ERROR",
    edit: (k) => sql`UPDATE "ORDERS_UNIFIED" SET "STYLE" = NULL WHERE "AAG ORDER NUMBER" = ${k}`,
  },
  {
    rule: "unknown-label",
    column: "ORDER STATUS",
    severity: "ERROR",
    edit: (k) =>
      sql`UPDATE "ORDERS_UNIFIED" SET "ORDER STATUS" = ${"Teleported"} WHERE "AAG ORDER NUMBER" = ${k}`,
  },
  {
    rule: "number-negative",
    column: "SIZE_M",
    severity: "ERROR",
    edit: (k) =>
      sql`UPDATE "ORDERS_UNIFIED" SET "SIZE_M" = -3, "TOTAL QTY" = NULL, "ORDER QTY" = 1 WHERE "AAG ORDER NUMBER" = ${k}`,
  },
  {
    rule: "order-qty-total",
    column: "ORDER QTY",
    severity: "WARNING",
    edit: (k) =>
      sql`UPDATE "ORDERS_UNIFIED" SET "ORDER QTY" = "TOTAL QTY" + 5 WHERE "AAG ORDER NUMBER" = ${k}`,
  },
];

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`data quality in the sync on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    const broken = new Map<string, (typeof BREAKS)[number]>();

    beforeAll(async () => {
      db = await engine.open();
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: 300, seed: 11 });
      // Start from clean demo rows: the rule under test is then the only one each bad order breaks.
      await sql`UPDATE "ORDERS_UNIFIED" SET "ORDER QTY" = "TOTAL QTY"`.execute(db.kysely);
      const keys = (
        await sql<{
          k: string;
        }>`SELECT "AAG ORDER NUMBER" AS k FROM "ORDERS_UNIFIED" WHERE "CUSTOMER" = ${CUSTOMER} AND "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"} ORDER BY 1`.execute(
          db.kysely,
        )
      ).rows.map((r) => r.k);
      for (const [i, b] of BREAKS.entries()) {
        await b.edit(keys[i]!).execute(db.kysely);
        broken.set(keys[i]!, b);
      }
      env = await syncEnv(
        db,
        testConfig((raw) => ((raw.quality as unknown) = { reportDir: "/tmp/order-sync-quality-test" })),
      );
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("quarantines ERROR orders with their reasons, syncs WARNING and good orders, writes the report", async () => {
      const summary = await env.sync([CUSTOMER, OTHER]);
      expect(summary.exitCode).toBe(1);
      const errors = [...broken.entries()].filter(([, b]) => b.severity === "ERROR");
      expect(summary.counts.quarantined).toBe(errors.length);
      // One record of a held-back order: MON_Quarantine, never a staging row.
      const staged = await db.kysely.selectFrom("STG_MON_CustMasterSchedule").selectAll().execute();
      expect(staged).toEqual([]);
      const quarantine = await db.kysely.selectFrom("MON_Quarantine").selectAll().execute();
      for (const [key, b] of errors) {
        const row = quarantine.find((q) => q.order_key === key && q.rule === b.rule);
        expect(row, `${key} ${b.rule}`).toMatchObject({ column_name: b.column, severity: "ERROR" });
        expect(row!.message.length).toBeGreaterThan(10);
      }
      expect([...new Set(quarantine.map((q) => q.order_key))].sort()).toEqual(errors.map(([k]) => k).sort());
      expect(await quarantineCounts(db)).toEqual([{ customer: CUSTOMER, orders: errors.length }]);
      // Nothing of a quarantined order reached monday.com; the warning order and every good order did.
      const found = await env.client.findItemsByColumnValue("5001000001", "order_number", [...broken.keys()]);
      const warned = [...broken.entries()].find(([, b]) => b.severity === "WARNING")![0];
      expect(found.map((i) => i.columnValues.order_number?.text)).toEqual([warned]);
      const open = Number(
        (
          await sql<{
            n: number;
          }>`SELECT COUNT(*) AS n FROM "ORDERS_UNIFIED" WHERE "CUSTOMER" IN (${CUSTOMER}, ${OTHER}) AND "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"}`.execute(
            db.kysely,
          )
        ).rows[0]!.n,
      );
      expect(summary.counts.created).toBe(open - errors.length);
      expect(summary.validation.bySeverity.ERROR).toBeGreaterThanOrEqual(errors.length);
      const warnings = summary.validation.report.rules.find((r) => r.rule === "order-qty-total")!;
      expect(warnings.rows.map((r) => [r.orderKey, r.severity, r.action])).toContainEqual([
        warned,
        "WARNING",
        "SYNC_WITH_WARNING",
      ]);
      expect(summary.validation.files).not.toBeNull();
      const html = readFileSync(summary.validation.files!.html, "utf8");
      for (const [key] of errors) expect(html).toContain(key);
      expect(existsSync(summary.validation.files!.json)).toBe(true);
    });

    it("validates a quarantined order again and syncs it once fixed", async () => {
      const [key] = [...broken.entries()].find(([, b]) => b.rule === "unknown-label")!;
      await sql`UPDATE "ORDERS_UNIFIED" SET "ORDER STATUS" = ${"Confirmed"} WHERE "AAG ORDER NUMBER" = ${key}`.execute(
        db.kysely,
      );
      const writes = env.emulator.log.writeRequests;
      const summary = await env.sync([CUSTOMER, OTHER]);
      expect(summary.counts.created).toBe(1);
      expect(summary.counts.quarantined).toBe(4);
      expect(env.emulator.log.writeRequests).toBeGreaterThan(writes);
      const left = await db.kysely.selectFrom("MON_Quarantine").select("order_key").execute();
      expect(left.map((r) => r.order_key)).not.toContain(key);
      // The four still held back are in MON_Quarantine only; the fixed order's record is gone.
      const staged = await db.kysely.selectFrom("STG_MON_CustMasterSchedule").select("order_key").execute();
      expect(staged).toEqual([]);
      expect(new Set(left.map((r) => r.order_key)).size).toBe(4);
    });

    it("halts a customer with exit code 3 when too many orders have ERRORs, before anything is staged; others go on", async () => {
      await sql`UPDATE "ORDERS_UNIFIED" SET "TOTAL QTY" = "TOTAL QTY" + 1, "PO NUMBER" = ${"PO-HALT"} WHERE "CUSTOMER" = ${OTHER}`.execute(
        db.kysely,
      );
      await sql`UPDATE "ORDERS_UNIFIED" SET "PO NUMBER" = ${"PO-NEW"} WHERE "CUSTOMER" = ${CUSTOMER} AND "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"}`.execute(
        db.kysely,
      );
      const summary = await env.sync([CUSTOMER, OTHER]);
      expect(summary.exitCode).toBe(3);
      expect(summary.status).toBe("HALTED");
      const run = await db.kysely
        .selectFrom("MON_SyncRuns")
        .select("status")
        .where("batch_id", "=", summary.batchId)
        .executeTakeFirstOrThrow();
      expect(run.status).toBe("HALTED");
      const other = summary.customers.find((c) => c.customer === OTHER)!;
      expect(other.ok).toBe(false);
      expect(other.error).toMatch(/halted by data quality/);
      expect(summary.validation.haltedCustomers).toEqual([OTHER]);
      const staged = await db.kysely
        .selectFrom("STG_MON_CustMasterSchedule")
        .selectAll()
        .where("customer", "=", OTHER)
        .execute();
      expect(staged).toEqual([]);
      const kestrel = summary.customers.find((c) => c.customer === CUSTOMER)!;
      expect(kestrel.ok).toBe(true);
      expect(kestrel.counts.updated).toBeGreaterThan(20);
    });
  });
}
