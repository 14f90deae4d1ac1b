import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import {
  appliedMigrations,
  migrateTo,
  migrateToLatest,
  migrations,
  type Db,
  type NewStagedOrder,
} from "../../src/db/index.js";
import { describeSourceTable } from "../../src/source/index.js";
import { testDatabases } from "../helpers/databases.js";
import { stagedOrderRow } from "../helpers/sync-env.js";

const EXPECTED: Record<string, string[]> = {
  MON_WebhookInbox: [
    "inbox_id",
    "event_id",
    "board_id",
    "item_id",
    "event_type",
    "origin",
    "body",
    "status",
    "received_at",
    "applied_at",
    "attempts",
    "last_error",
  ],
  MON_BoardChanges: [
    "change_id",
    "event_id",
    "customer",
    "order_key",
    "board_id",
    "item_id",
    "column_id",
    "column_type",
    "kind",
    "resolution",
    "value",
    "previous_value",
    "canonical_value",
    "canonical_previous",
    "user_id",
    "changed_at",
    "recorded_at",
  ],
  MON_BulkJobs: [
    "bulk_id",
    "job_id",
    "customer",
    "batch_id",
    "board_id",
    "group_id",
    "kind",
    "status",
    "row_count",
    "order_keys",
    "counts",
    "failure_reason",
    "failure_message",
    "started_at",
    "finished_at",
  ],
  MON_StatusHistory: [
    "history_id",
    "event_id",
    "order_key",
    "board_id",
    "item_id",
    "column_id",
    "status",
    "previous_status",
    "side",
    "changed_at",
    "next_at",
    "first_stay",
  ],
  STG_MON_CustMasterSchedule: [
    "stg_id",
    "batch_id",
    "customer",
    "order_key",
    "board_id",
    "action",
    "stg_status",
    "item_name",
    "group_title",
    "column_values",
    "changed_columns",
    "new_hash",
    "new_values",
    "monday_item_id",
    "attempts",
    "last_error",
    "stg_created_date",
    "stg_updated_date",
    "source_hash",
  ],
  STG_MON_CustMasterSchedule_Subitems: [
    "stg_sub_id",
    "stg_id",
    "batch_id",
    "customer",
    "order_key",
    "size",
    "action",
    "stg_status",
    "item_name",
    "column_values",
    "quantity",
    "monday_subitem_id",
    "attempts",
    "last_error",
    "stg_created_date",
    "stg_updated_date",
  ],
  MON_SyncState: [
    "customer",
    "order_key",
    "board_id",
    "group_id",
    "group_title",
    "monday_item_id",
    "last_sync_hash",
    "last_sync_date",
    "last_values",
    "subitem_ids",
    "sync_status",
    "source_hash",
  ],
  MON_SyncRuns: [
    "batch_id",
    "started_at",
    "finished_at",
    "status",
    "customers",
    "counts",
    "api_requests",
    "error",
    "command",
  ],
  MON_ChangeLog: [
    "change_id",
    "batch_id",
    "customer",
    "order_key",
    "board_id",
    "monday_item_id",
    "action",
    "before_image",
    "after_image",
    "changed_at",
  ],
  MON_SyncLocks: ["customer", "owner", "batch_id", "acquired_at", "expires_at"],
  MON_SyncRunCustomers: [
    "batch_id",
    "customer",
    "owner",
    "started_at",
    "finished_at",
    "status",
    "counts",
    "error",
  ],
  MON_RollbackHolds: ["customer", "order_key", "batch_id", "rollback_batch_id", "held_hash", "held_at"],
  MON_OperatorActions: [
    "action_id",
    "action",
    "actor",
    "customer",
    "order_key",
    "batch_id",
    "result",
    "detail",
    "acted_at",
  ],
  MON_Discards: [
    "customer",
    "order_key",
    "batch_id",
    "discarded_hash",
    "staged_action",
    "last_error",
    "discarded_at",
  ],
};

/** Inserts a staged row and returns its new id: RETURNING where the engine has it, MySQL's insert id otherwise. */
async function insertStaged(db: Db, row: NewStagedOrder): Promise<{ stg_id: number }> {
  const insert = db.kysely.insertInto("STG_MON_CustMasterSchedule").values(row);
  if (db.dialect !== "mysql") return insert.returning("stg_id").executeTakeFirstOrThrow();
  const { insertId } = await insert.executeTakeFirstOrThrow();
  return { stg_id: Number(insertId) };
}

for (const target of await testDatabases()) {
  describe.skipIf(!target.available)(`migrations on ${target.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await target.open();
    });
    afterAll(async () => {
      await db?.close();
    });

    it("applies every migration in order, then nothing", async () => {
      const all = Object.keys(migrations(db.dialect));
      expect(all.slice(0, 6)).toEqual([
        "0001_initial",
        "0002_quality",
        "0003_locks",
        "0004_drop_idempotency_key",
        "0005_one_quarantine_record",
        "0006_rollback_holds",
      ]);
      expect(await migrateToLatest(db)).toEqual({ applied: all });
      expect(await migrateToLatest(db)).toEqual({ applied: [] });
      expect(await appliedMigrations(db)).toEqual(all);
    });

    it("creates every table with its columns, names exactly as declared", async () => {
      for (const [name, columns] of Object.entries(EXPECTED)) {
        // Looks in this test's schema only (getTables() would read every schema of the server).
        const table = await describeSourceTable(db, name);
        expect(table.name).toBe(name);
        expect(table.columns.map((c) => c.name).sort()).toEqual([...columns].sort());
      }
    });

    it("fills ids, defaults and typed rows", async () => {
      const now = new Date().toISOString();
      const row = stagedOrderRow({
        customer: `O'Brien "Quoted"`,
        stg_created_date: now,
        stg_updated_date: now,
      });
      const a = await insertStaged(db, row);
      const b = await insertStaged(db, row);
      expect(typeof a.stg_id).toBe("number");
      expect(b.stg_id).toBeGreaterThan(a.stg_id);
      const read = await db.kysely
        .selectFrom("STG_MON_CustMasterSchedule")
        .selectAll()
        .where("stg_id", "=", a.stg_id)
        .executeTakeFirstOrThrow();
      expect(read).toMatchObject({ ...row, attempts: 0 });

      await db.kysely
        .insertInto("MON_SyncState")
        .values({
          customer: "C",
          order_key: "K",
          board_id: "1",
          group_id: null,
          group_title: null,
          monday_item_id: "9",
          last_sync_hash: null,
          last_sync_date: now,
          last_values: null,
          subitem_ids: "{}",
        })
        .execute();
      const state = await db.kysely.selectFrom("MON_SyncState").selectAll().executeTakeFirstOrThrow();
      expect(state.sync_status).toBe("ACTIVE");
      await expect(
        db.kysely
          .insertInto("MON_SyncState")
          .values({
            customer: "C",
            order_key: "K",
            board_id: "1",
            group_id: null,
            group_title: null,
            monday_item_id: null,
            last_sync_hash: null,
            last_sync_date: null,
            last_values: null,
            subitem_ids: null,
          })
          .execute(),
      ).rejects.toThrow();

      const insertLog = db.kysely.insertInto("MON_ChangeLog").values({
        batch_id: "b1",
        customer: "C",
        order_key: "K",
        board_id: "1",
        monday_item_id: "9",
        action: "UPDATE",
        before_image: "{}",
        after_image: "{}",
        changed_at: now,
      });
      const log =
        db.dialect === "mysql"
          ? { change_id: Number((await insertLog.executeTakeFirstOrThrow()).insertId) }
          : await insertLog.returning("change_id").executeTakeFirstOrThrow();
      expect(typeof log.change_id).toBe("number");
    });
  });
}

for (const target of await testDatabases()) {
  describe.skipIf(!target.available)(`0005_one_quarantine_record on ${target.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await target.open();
    });
    afterAll(async () => {
      await db?.close();
    });

    it("drops the QUARANTINED staging rows an older version left, and keeps every other row", async () => {
      await migrateTo(db, "0004_drop_idempotency_key");
      const now = new Date().toISOString();
      for (const [key, status] of [
        ["K-1", "QUARANTINED"],
        ["K-2", "PENDING"],
        ["K-3", "DEAD"],
      ])
        await sql`insert into ${sql.table("STG_MON_CustMasterSchedule")}
          (batch_id, customer, order_key, board_id, action, stg_status, column_values, changed_columns,
           attempts, stg_created_date, stg_updated_date)
          values (${"b0"}, ${"C"}, ${key}, ${"1"}, ${"CREATE"}, ${status}, ${"{}"}, ${"[]"}, ${0}, ${now}, ${now})`.execute(
          db.kysely,
        );
      await migrateToLatest(db);
      const left = await db.kysely
        .selectFrom("STG_MON_CustMasterSchedule")
        .select(["order_key", "stg_status"])
        .orderBy("order_key")
        .execute();
      expect(left).toEqual([
        { order_key: "K-2", stg_status: "PENDING" },
        { order_key: "K-3", stg_status: "DEAD" },
      ]);
    });
  });
}
