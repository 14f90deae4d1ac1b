import { beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest } from "../../src/db/index.js";
import {
  countActiveStates,
  countOpenOrders,
  readChangedOrderPages,
  readGoneKeys,
  readOrderPages,
  readOrdersByKeys,
  readStrayRows,
  describeSourceTable,
} from "../../src/source/index.js";
import {
  insertStates,
  loadDiscards,
  loadStateByKeys,
  loadStateRange,
  saveDiscard,
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
import {
  quarantinedKeys,
  quarantineRows,
  recordQuarantine,
  releaseFixed,
  releaseStale,
} from "../../src/quality/store.js";
import { CustomerLease, currentLeases } from "../../src/sync/customer-locks.js";
import {
  applyEvent,
  eventOf,
  inboxState,
  InboxWriter,
  pendingEvents,
  storeEvent,
} from "../../src/webhooks/index.js";
import { claimEvent, lastEventAt, markEvent } from "../../src/webhooks/inbox.js";
import {
  findTargets,
  recentActions,
  recordActions,
  releaseHeld,
  retryOrders,
} from "../../src/operator/index.js";
import { ensureSqlfluff, recordingMssql, statementShape, tsqlProblems } from "../helpers/tsql.js";
import { testConfig } from "../helpers/sync-env.js";
import { columnChangeEvent } from "../helpers/webhook-events.js";

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
    syncStateRow && /from "MON_SyncState"/.test(q.sql)
      ? [syncStateRow]
      : /information_schema/i.test(q.sql)
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
  await readStrayRows(db, SOURCE);
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
  await releaseStale(db, CUSTOMER, ["order-key-null", "customer-name"], ["(NULL)", "AAG-1"]);
  await quarantinedKeys(db, CUSTOMER);
  await quarantineRows(db, CUSTOMER);
  const lease = await CustomerLease.acquire(db, CUSTOMER, "h:1:a", "b1", 60_000);
  if (lease instanceof CustomerLease) {
    await lease.renew();
    await lease.release();
  }
  await currentLeases(db);
  await webhookStatements(db);
  // Operator actions (issue 13 item 6): the lookups, the discards and the audit.
  await retryOrders(db, { keys: [], customers: [CUSTOMER], allDead: true }, "cli:u@h");
  await findTargets(db, { keys: ["AAG-1"] }, { discarded: true, what: "x" }).catch(() => undefined);
  await releaseHeld(db, { customers: [CUSTOMER], orders: ["AAG-1"] }, "dashboard:s");
  await saveDiscard(db.kysely, {
    customer: CUSTOMER,
    orderKey: "AAG-1",
    batchId: "b1",
    hash: "h",
    action: "CREATE",
    lastError: "e",
    discardedAt: "2026-12-01T00:00:00.000Z",
  });
  await loadDiscards(db.kysely, CUSTOMER);
  await loadDiscards(db.kysely, CUSTOMER, ["AAG-1"]);
  await recordActions(db.kysely, [
    {
      action: "retry",
      actor: "cli:u@h",
      customer: CUSTOMER,
      orderKey: "AAG-1",
      batchId: null,
      result: "done",
      detail: "d",
    },
  ]);
  await recentActions(db, { limit: 20, customer: CUSTOMER });
  return statements.map((q) => ({ sql: q.sql, parameters: q.parameters }));
}

/** While set, selects of `MON_SyncState` answer with this row (the webhook worker's order lookups). */
let syncStateRow: Record<string, unknown> | undefined;

/**
 * The webhook inbox (issue 14): storing (one and a group), reading, claiming, applying (board change,
 * status history, write-back, the sync state learning a value) and marking, and the inbox's state.
 */
async function webhookStatements(db: Parameters<typeof storeEvent>[0]): Promise<void> {
  const raw = columnChangeEvent();
  await storeEvent(db, eventOf(raw), "webhook", raw);
  const writer = new InboxWriter(db);
  await Promise.all(
    [columnChangeEvent(), columnChangeEvent()].map((e) => writer.store(eventOf(e), "webhook", e)),
  );
  await pendingEvents(db, 500);
  await inboxState(db);
  await lastEventAt(db, ["1", "2"]);
  const config = testConfig((c) => {
    const board = (c.boards as Record<string, unknown>[])[0]!;
    board.tracked = [{ id: "planner_notes", title: "Planner Notes", type: "text", target: "COLOUR" }];
    board.writeBack = { table: "dbo.ORDER UPDATES", keyColumn: "ORDER KEY" };
  });
  const values = { name: "AAG-1", group: "SS26", columns: {}, subitems: { M: "1" } };
  syncStateRow = {
    customer: CUSTOMER,
    order_key: "AAG-1",
    board_id: config.boards[0]!.id,
    monday_item_id: "9000000001",
    last_values: JSON.stringify(values),
    subitem_ids: JSON.stringify({ M: "9000000002" }),
    sync_status: "ACTIVE",
  };
  const ctx = { config, ownUserId: "1", dialect: "mssql" as const };
  const events = [
    columnChangeEvent({ columnId: "planner_notes", columnTitle: "Planner Notes" }),
    columnChangeEvent({ columnId: "order_status", columnType: "color", value: { label: { text: "Open" } } }),
    columnChangeEvent({
      boardId: Number(config.boards[0]!.subitems!.boardId),
      pulseId: 9000000002,
      parentItemId: 9000000001,
      columnId: "quantity",
      value: { value: 3 },
    }),
  ];
  try {
    await db.kysely.transaction().execute(async (tx) => {
      await claimEvent(tx, 1);
      for (const e of events) await applyEvent(tx, ctx, eventOf(e));
      await markEvent(tx, 1, "APPLIED");
    });
  } finally {
    syncStateRow = undefined;
  }
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

    it("includes the webhook inbox's statements: store, read, apply (change, history, write-back, learn), mark", () => {
      const all = sent.map((s) => s.sql);
      for (const pattern of [
        /^insert into "MON_WebhookInbox"/,
        /^select top\(\d+\) .* from "MON_WebhookInbox"/,
        /^insert into "MON_BoardChanges"/,
        /^insert into "MON_StatusHistory"/,
        /^UPDATE "dbo"\."ORDER UPDATES" SET "COLOUR" = @\d+ WHERE "ORDER KEY" = @\d+/,
        /^INSERT INTO "dbo"\."ORDER UPDATES" \("ORDER KEY", "COLOUR"\)/,
        /^update "MON_SyncState" set "last_values" = @\d+/,
        /^update "MON_WebhookInbox" set "status" = @\d+/,
      ])
        expect(
          all.some((q) => pattern.test(q)),
          String(pattern),
        ).toBe(true);
    });

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
