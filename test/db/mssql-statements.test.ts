import { beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest } from "../../src/db/index.js";
import {
  countActiveStates,
  countOpenOrders,
  readChangedOrderPages,
  readGoneKeys,
  readOrderPages,
  readOrdersByKeys,
  describeSourceTable,
} from "../../src/source/index.js";
import {
  insertStates,
  loadStateByKeys,
  loadStateRange,
  saveSourceHashes,
  saveState,
} from "../../src/state/index.js";
import {
  claimOrders,
  claimSubitems,
  clearDone,
  deleteBatch,
  deleteStaged,
  leftoverRows,
  markOrders,
  markSubitems,
  pendingAge,
  stageOrders,
  stagingCounts,
} from "../../src/stage/index.js";
import {
  failedCustomers,
  lastFinishedRun,
  logChanges,
  logCustomerRun,
  logRunFinished,
  logRunStarted,
  recentRuns,
} from "../../src/runlog/index.js";
import { quarantinedKeys, quarantineRows, recordQuarantine, releaseFixed } from "../../src/quality/store.js";
import { CustomerLease, currentLeases } from "../../src/sync/customer-locks.js";
import { ensureSqlfluff, recordingMssql, statementShape, tsqlProblems } from "../helpers/tsql.js";

/**
 * SQL Server cannot run on this machine kind. Every statement order-sync's data layer sends is compiled
 * here by Kysely's own SQL Server adapter and compiler (what MssqlDialect sends through tedious), then
 * parsed by sqlfluff's T-SQL grammar: a real parser, which refuses LIMIT, RETURNING and garbage (checked
 * first, so a parser that accepts anything cannot pass this test).
 */
const sqlfluffMissing = ensureSqlfluff();
if (sqlfluffMissing !== undefined) {
  if (process.env.CI === "true") throw new Error(`${sqlfluffMissing} (CI=true: the T-SQL checks must run)`);
  console.warn(`skipping T-SQL checks: ${sqlfluffMissing}`);
}

const CUSTOMER = `O'Neil "Big" Co`;
const TABLE = "dbo.ORDERS UNIFIED";
const SOURCE = {
  table: TABLE,
  keyColumn: "AAG ORDER NUMBER",
  customerColumn: "CUSTOMER",
  customer: CUSTOMER,
  cancelled: { column: "AAG ORDER NUMBER", contains: "CANCELLED" },
  columns: ["PO NUMBER", "SIZE_M", "LAST MODIFIED"],
};

/** Runs order-sync's data layer against the recording SQL Server and returns every statement it sent. */
async function everyStatement(): Promise<{ sql: string; parameters: readonly unknown[] }[]> {
  const { db, statements } = recordingMssql((q) =>
    // The catalog answers with a source table, so the source reader goes on to read pages.
    /information_schema/i.test(q.sql)
      ? [
          {
            table_schema: "dbo",
            table_name: "ORDERS UNIFIED",
            table_type: "BASE TABLE",
            column_name: "AAG ORDER NUMBER",
            data_type: "int",
          },
          {
            table_schema: "dbo",
            table_name: "ORDERS UNIFIED",
            table_type: "BASE TABLE",
            column_name: "CUSTOMER",
            data_type: "nvarchar",
          },
        ]
      : [],
  );
  await migrateToLatest(db);
  await describeSourceTable(db, TABLE);
  for await (const page of readOrderPages(db, { ...SOURCE, pageSize: 500, startAfter: "AAG-1" })) void page;
  for await (const page of readOrderPages(db, { ...SOURCE, keyIsText: true, pageSize: 500 })) void page;
  await readOrdersByKeys(db, { ...SOURCE, includeCancelled: true }, ["AAG-1", "AAG-2"]);
  // Issue 16: change detection in the database (HASHBYTES('SHA2_256', …) compared with source_hash).
  const changed = { ...SOURCE, pageSize: 500, salt: "s", fingerprintColumns: ["PO NUMBER", "SIZE_M"] };
  const key = { column: SOURCE.keyColumn };
  for await (const page of readChangedOrderPages(db, changed, key)) void page;
  await readGoneKeys(db, SOURCE, key, { after: "AAG-1", through: "AAG-9" });
  await readGoneKeys(db, SOURCE, key, { after: null, through: null });
  await countOpenOrders(db, SOURCE);
  await countActiveStates(db, CUSTOMER);
  await saveSourceHashes(
    db,
    CUSTOMER,
    Array.from({ length: 800 }, (_, i) => ({ orderKey: `AAG-${i}`, sourceHash: `f:${i}` })),
  );
  await loadStateRange(db, CUSTOMER, "AAG-1", "AAG-9");
  await loadStateByKeys(db.kysely, CUSTOMER, ["AAG-1"]);
  const state = { customer: CUSTOMER, orderKey: "AAG-1", boardId: "1", groupId: null, mondayItemId: "9" };
  await saveState(
    db.kysely,
    { ...state, values: null, subitemIds: {}, archived: false, sourceHash: "f:h" },
    "2026-12-03T00:00:00.000Z",
  );
  await insertStates(
    db,
    Array.from({ length: 300 }, (_, i) => ({
      ...state,
      orderKey: `AAG-${i}`,
      values: null,
      subitemIds: {},
      archived: false,
      sourceHash: "f:h",
    })),
    "2026-12-03T00:00:00.000Z",
  );
  // 300 orders of 17 values and 1,500 sizes: more than 2,100 parameters if the batches were not split.
  const entries = Array.from({ length: 300 }, (_, i) => ({
    order: {
      batchId: "b1",
      customer: CUSTOMER,
      orderKey: `AAG-${i}`,
      boardId: "1",
      action: "CREATE" as const,
      status: "PENDING" as const,
      itemName: `AAG-${i} Tee`,
      groupTitle: "SS26",
      columnValues: { text: "x" },
      changedColumns: [],
      newHash: "h",
      newValues: null,
      mondayItemId: null,
      lastError: null,
    },
    subitems: ["XS", "S", "M", "L", "XL"].map((size) => ({
      size,
      action: "CREATE" as const,
      itemName: size,
      columnValues: {},
      quantity: "1",
      mondaySubitemId: null,
    })),
  }));
  await stageOrders(db, entries);
  await claimOrders(db, CUSTOMER, "b1", 50);
  await claimSubitems(db, CUSTOMER, "b1", 50);
  await markOrders(db.kysely, [{ stgId: 1, status: "DONE", mondayItemId: "9" }]);
  await markSubitems(db.kysely, [{ stgSubId: 1, status: "FAILED", error: "x" }]);
  await leftoverRows(db, CUSTOMER);
  await clearDone(db, CUSTOMER);
  await deleteStaged(db, CUSTOMER, [1, 2]);
  await deleteBatch(db, CUSTOMER, "b1");
  await stagingCounts(db);
  await pendingAge(db, "2026-12-01T00:00:00.000Z");
  await logRunStarted(db, { batchId: "b1", customers: [CUSTOMER], command: "sync" });
  await logCustomerRun(db, { batchId: "b1", customer: CUSTOMER, owner: "h:1:a", startedMs: 0 }, "RUNNING");
  await logCustomerRun(
    db,
    { batchId: "b1", customer: CUSTOMER, owner: "h:1:a", startedMs: 0 },
    "SUCCESS",
    {},
  );
  const change = {
    batch_id: "b1",
    customer: CUSTOMER,
    order_key: "AAG-1",
    board_id: "1",
    monday_item_id: "9",
    action: "CREATE" as const,
    before_image: null,
    after_image: "{}",
    changed_at: "2026-12-03T00:00:00.000Z",
  };
  await logChanges(
    db.kysely,
    Array.from({ length: 400 }, () => change),
  );
  await logRunFinished(db, "b1", { status: "SUCCESS", counts: {}, apiRequests: 1, error: null });
  await recentRuns(db, 20);
  await lastFinishedRun(db);
  await failedCustomers(db, "b1");
  const issue = {
    orderKey: "AAG-1",
    customer: CUSTOMER,
    rule: "x",
    severity: "ERROR" as const,
    column: null,
    value: 1,
    message: "m",
  };
  await recordQuarantine(
    db,
    "b1",
    CUSTOMER,
    Array.from({ length: 300 }, (_, i) => ({ ...issue, orderKey: `AAG-${i}` })),
  );
  await releaseFixed(db, CUSTOMER, ["AAG-1"]);
  await quarantinedKeys(db, CUSTOMER);
  await quarantineRows(db, CUSTOMER);
  const lease = await CustomerLease.acquire(db, CUSTOMER, "h:1:a", "b1", 60_000);
  if (lease instanceof CustomerLease) {
    await lease.renew();
    await lease.release();
  }
  await currentLeases(db);
  return statements.map((q) => ({ sql: q.sql, parameters: q.parameters }));
}

describe.skipIf(sqlfluffMissing !== undefined)(
  "every statement order-sync sends to SQL Server is T-SQL",
  () => {
    let sent: { sql: string; parameters: readonly unknown[] }[];
    beforeAll(async () => {
      sent = await everyStatement();
    });

    it("has a parser that refuses what is not T-SQL", async () => {
      const bad = [
        "select a from t order by a limit 5",
        "insert into t (a) values (1) returning a",
        "this is not sql",
      ];
      const problems = await tsqlProblems(bad);
      expect(new Set(problems.map((p) => p.statement))).toEqual(new Set(bad));
    }, 120_000);

    it("parses every statement, DDL and queries, with no LIMIT, RETURNING or ON CONFLICT", async () => {
      expect(sent.length).toBeGreaterThan(40);
      for (const s of sent) expect(s.sql).not.toMatch(/\blimit\b|\breturning\b|on conflict/i);
      const shapes = [...new Set(sent.map((s) => statementShape(s.sql)))];
      expect(await tsqlProblems(shapes)).toEqual([]);
    }, 300_000);

    it("keeps every statement within SQL Server's 2,100 parameters", () => {
      const most = Math.max(...sent.map((s) => s.parameters.length));
      expect(most).toBeLessThan(2100);
      // The big batches were split, not dropped: 300 orders staged, 400 changes logged, 300 issues kept.
      const rowsInto = (table: string) =>
        sent
          .filter((s) => s.sql.startsWith(`insert into "${table}"`))
          .reduce((n, s) => n + (s.sql.match(/\), \(/g)?.length ?? 0) + 1, 0);
      expect(rowsInto("STG_MON_CustMasterSchedule")).toBe(300);
      expect(rowsInto("MON_ChangeLog")).toBe(400);
      expect(rowsInto("MON_Quarantine")).toBe(300);
    });

    it("speaks SQL Server: NVARCHAR, identity keys, byte-order keys, TOP, OUTPUT, dbo-qualified names with spaces", () => {
      const all = sent.map((s) => s.sql).join("\n");
      expect(all).toMatch(/"customer" nvarchar\(255\) not null/);
      expect(all).toMatch(/nvarchar\(max\)/);
      expect(all).toMatch(/"stg_id" integer identity primary key/);
      expect(all).toMatch(/"order_key" nvarchar\(255\) collate Latin1_General_100_BIN2 not null/);
      expect(all).toMatch(/select top \(@\d+\)/);
      expect(all).toMatch(/output "inserted"\."stg_id", "inserted"\."order_key"/);
      expect(all).toContain(`from "dbo"."ORDERS UNIFIED"`);
    });
  },
);
