import {
  Migrator,
  sql,
  type ColumnDataType,
  type CreateTableBuilder,
  type Expression,
  type Kysely,
  type Migration,
  type MigrationProvider,
} from "kysely";
import { errorMessage } from "../errors/index.js";
import type { Db } from "./open.js";
import { linkStatusHistory } from "./status-spans.js";
import type { DbDialect } from "./types.js";

/** Kysely's bookkeeping tables, named for order-sync so they never meet another tool's. */
export const MIGRATION_TABLE = "order_sync_migration";
export const MIGRATION_LOCK_TABLE = "order_sync_migration_lock";

/** A migration run that failed; `applied` lists what succeeded before `failed`. */
export class MigrationError extends Error {
  override name = "MigrationError";
  /** Exit code 2: fix the config, the source or the database, then run again. */
  readonly outcome = "config";
  constructor(
    message: string,
    readonly applied: string[],
    readonly failed: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

type DataType = ColumnDataType | Expression<unknown>;

/** Column types and table options that differ by engine; everything else is plain `integer`. */
interface DialectTypes {
  /** Unbounded text (`longtext` on MySQL/MariaDB, `nvarchar(max)` on SQL Server). */
  text: DataType;
  /** Bounded text: `varchar(n)`, `nvarchar(n)` on SQL Server (its `varchar` is not Unicode by default). */
  varchar: (size: number) => DataType;
  /** Integer primary key filled by the engine. */
  autoId: (t: CreateTableBuilder<string, never>, name: string) => CreateTableBuilder<string, never>;
  /** A key column that sorts and compares in byte order (matches `keyCollation`). */
  byteOrderKey: (size: number) => DataType;
  /** `CREATE TABLE name`, with `utf8mb4` as the default character set on MySQL/MariaDB. */
  createTable: (db: Kysely<unknown>, name: string) => CreateTableBuilder<string, never>;
}

const plainVarchar = (size: number): DataType => `varchar(${size})`;
const plainCreate = (db: Kysely<unknown>, name: string) =>
  db.schema.createTable(name) as CreateTableBuilder<string, never>;
const sized = (type: string, size: number, rest = "") => sql.raw(`${type}(${size})${rest}`);

const DIALECT_TYPES: Record<DbDialect, DialectTypes> = {
  sqlite: {
    text: "text",
    varchar: plainVarchar,
    autoId: (t, name) => t.addColumn(name, "integer", (c) => c.primaryKey().autoIncrement()),
    byteOrderKey: (size) => sql`varchar(${sql.raw(String(size))})`,
    createTable: plainCreate,
  },
  postgres: {
    text: "text",
    varchar: plainVarchar,
    autoId: (t, name) => t.addColumn(name, "serial", (c) => c.primaryKey()),
    byteOrderKey: (size) => sql`varchar(${sql.raw(String(size))}) collate "C"`,
    createTable: plainCreate,
  },
  mysql: {
    // JSON columns stay text: MySQL's JSON type re-serialises, and MariaDB's is longtext anyway.
    text: sql.raw("longtext"),
    varchar: plainVarchar,
    autoId: (t, name) => t.addColumn(name, "integer", (c) => c.primaryKey().autoIncrement()),
    byteOrderKey: (size) => sized("varchar", size, " character set utf8mb4 collate utf8mb4_bin"),
    createTable: (db, name) =>
      plainCreate(db, name).modifyEnd(sql`default character set utf8mb4 collate utf8mb4_unicode_ci`),
  },
  mssql: {
    text: sql.raw("nvarchar(max)"),
    varchar: (size) => sized("nvarchar", size),
    autoId: (t, name) => t.addColumn(name, "integer", (c) => c.primaryKey().identity()),
    byteOrderKey: (size) => sized("nvarchar", size, " collate Latin1_General_100_BIN2"),
    createTable: plainCreate,
  },
};

const TS = "varchar(32)";

/** The project's migrations, in order; names sort in the order they run. */
export function migrations(dialect: DbDialect): Record<string, Migration> {
  const ty = DIALECT_TYPES[dialect];
  return {
    "0001_initial": {
      async up(db: Kysely<unknown>) {
        await ty
          .autoId(ty.createTable(db, "STG_MON_CustMasterSchedule"), "stg_id")
          .addColumn("batch_id", ty.varchar(64), (c) => c.notNull())
          .addColumn("customer", ty.varchar(255), (c) => c.notNull())
          .addColumn("order_key", ty.varchar(255), (c) => c.notNull())
          .addColumn("board_id", ty.varchar(32), (c) => c.notNull())
          .addColumn("action", ty.varchar(16), (c) => c.notNull())
          .addColumn("stg_status", ty.varchar(16), (c) => c.notNull())
          .addColumn("item_name", ty.text)
          .addColumn("group_title", ty.text)
          .addColumn("column_values", ty.text)
          .addColumn("changed_columns", ty.text)
          .addColumn("new_hash", ty.varchar(64))
          .addColumn("new_values", ty.text)
          .addColumn("monday_item_id", ty.varchar(32))
          .addColumn("idempotency_key", ty.varchar(128))
          .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("last_error", ty.text)
          .addColumn("stg_created_date", TS, (c) => c.notNull())
          .addColumn("stg_updated_date", TS, (c) => c.notNull())
          .execute();
        await index(db, "IX_STG_MON_CMS_customer_status", "STG_MON_CustMasterSchedule", [
          "customer",
          "stg_status",
        ]);
        await index(db, "IX_STG_MON_CMS_batch", "STG_MON_CustMasterSchedule", ["batch_id"]);
        await index(db, "IX_STG_MON_CMS_order_key", "STG_MON_CustMasterSchedule", ["order_key"]);

        await ty
          .autoId(ty.createTable(db, "STG_MON_CustMasterSchedule_Subitems"), "stg_sub_id")
          .addColumn("stg_id", "integer", (c) => c.notNull())
          .addColumn("batch_id", ty.varchar(64), (c) => c.notNull())
          .addColumn("customer", ty.varchar(255), (c) => c.notNull())
          .addColumn("order_key", ty.varchar(255), (c) => c.notNull())
          .addColumn("size", ty.varchar(64), (c) => c.notNull())
          .addColumn("action", ty.varchar(16), (c) => c.notNull())
          .addColumn("stg_status", ty.varchar(16), (c) => c.notNull())
          .addColumn("item_name", ty.text)
          .addColumn("column_values", ty.text)
          .addColumn("quantity", ty.text)
          .addColumn("monday_subitem_id", ty.varchar(32))
          .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("last_error", ty.text)
          .addColumn("stg_created_date", TS, (c) => c.notNull())
          .addColumn("stg_updated_date", TS, (c) => c.notNull())
          .execute();
        await index(db, "IX_STG_MON_CMS_Sub_stg_id", "STG_MON_CustMasterSchedule_Subitems", ["stg_id"]);
        await index(db, "IX_STG_MON_CMS_Sub_customer_status", "STG_MON_CustMasterSchedule_Subitems", [
          "customer",
          "stg_status",
        ]);

        await ty
          .createTable(db, "MON_SyncState")
          .addColumn("customer", ty.varchar(255), (c) => c.notNull())
          // Byte-order collation so range scans match the source's keyset ordering (see keyCollation).
          .addColumn("order_key", ty.byteOrderKey(255), (c) => c.notNull())
          .addColumn("board_id", ty.varchar(32), (c) => c.notNull())
          .addColumn("group_id", ty.varchar(64))
          .addColumn("group_title", ty.text)
          .addColumn("monday_item_id", ty.varchar(32))
          .addColumn("last_sync_hash", ty.varchar(64))
          .addColumn("last_sync_date", TS)
          .addColumn("last_values", ty.text)
          .addColumn("subitem_ids", ty.text)
          .addColumn("sync_status", ty.varchar(16), (c) => c.notNull().defaultTo("ACTIVE"))
          .addPrimaryKeyConstraint("PK_MON_SyncState", ["customer", "order_key"])
          .execute();
        await index(db, "IX_MON_SyncState_board_item", "MON_SyncState", ["board_id", "monday_item_id"]);

        await ty
          .createTable(db, "MON_SyncRuns")
          .addColumn("batch_id", ty.varchar(64), (c) => c.primaryKey())
          .addColumn("started_at", TS, (c) => c.notNull())
          .addColumn("finished_at", TS)
          .addColumn("status", ty.varchar(16), (c) => c.notNull())
          .addColumn("customers", ty.text)
          .addColumn("counts", ty.text)
          .addColumn("api_requests", "integer")
          .addColumn("error", ty.text)
          .addColumn("command", ty.varchar(32))
          .execute();

        await ty
          .autoId(ty.createTable(db, "MON_ChangeLog"), "change_id")
          .addColumn("batch_id", ty.varchar(64), (c) => c.notNull())
          .addColumn("customer", ty.varchar(255), (c) => c.notNull())
          .addColumn("order_key", ty.varchar(255), (c) => c.notNull())
          .addColumn("board_id", ty.varchar(32))
          .addColumn("monday_item_id", ty.varchar(32))
          .addColumn("action", ty.varchar(16), (c) => c.notNull())
          .addColumn("before_image", ty.text)
          .addColumn("after_image", ty.text)
          .addColumn("changed_at", TS, (c) => c.notNull())
          .execute();
        await index(db, "IX_MON_ChangeLog_batch", "MON_ChangeLog", ["batch_id"]);
      },
      async down(db: Kysely<unknown>) {
        for (const table of [
          "MON_ChangeLog",
          "MON_SyncRuns",
          "MON_SyncState",
          "STG_MON_CustMasterSchedule_Subitems",
          "STG_MON_CustMasterSchedule",
        ])
          await db.schema.dropTable(table).execute();
      },
    },
    "0002_quality": {
      // Issue 4: orders that failed validation, one row per (order, rule, column), with the reason.
      async up(db: Kysely<unknown>) {
        await ty
          .autoId(ty.createTable(db, "MON_Quarantine"), "quarantine_id")
          .addColumn("customer", ty.varchar(255), (c) => c.notNull())
          .addColumn("order_key", ty.varchar(255), (c) => c.notNull())
          .addColumn("rule", ty.varchar(128), (c) => c.notNull())
          .addColumn("severity", ty.varchar(16), (c) => c.notNull())
          .addColumn("column_name", ty.varchar(255))
          .addColumn("value", ty.text)
          .addColumn("message", ty.text, (c) => c.notNull())
          .addColumn("batch_id", ty.varchar(64), (c) => c.notNull())
          .addColumn("first_seen", TS, (c) => c.notNull())
          .addColumn("last_seen", TS, (c) => c.notNull())
          .execute();
        await index(db, "IX_MON_Quarantine_customer_order", "MON_Quarantine", ["customer", "order_key"]);
        await index(db, "IX_MON_Quarantine_batch", "MON_Quarantine", ["batch_id"]);
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable("MON_Quarantine").execute();
      },
    },
    "0003_locks": {
      // Issue 6: a lease per customer so two processes on one database never sync it at once, and a log
      // of customer runs (who ran which customer when, and how it ended).
      async up(db: Kysely<unknown>) {
        await ty
          .createTable(db, "MON_SyncLocks")
          .addColumn("customer", ty.varchar(255), (c) => c.primaryKey())
          .addColumn("owner", ty.varchar(255), (c) => c.notNull())
          .addColumn("batch_id", ty.varchar(64), (c) => c.notNull())
          .addColumn("acquired_at", TS, (c) => c.notNull())
          .addColumn("expires_at", TS, (c) => c.notNull())
          .execute();
        await ty
          .createTable(db, "MON_SyncRunCustomers")
          .addColumn("batch_id", ty.varchar(64), (c) => c.notNull())
          .addColumn("customer", ty.varchar(255), (c) => c.notNull())
          .addColumn("owner", ty.varchar(255), (c) => c.notNull())
          .addColumn("started_at", TS, (c) => c.notNull())
          .addColumn("finished_at", TS)
          .addColumn("status", ty.varchar(16), (c) => c.notNull())
          .addColumn("counts", ty.text)
          .addColumn("error", ty.text)
          .addPrimaryKeyConstraint("PK_MON_SyncRunCustomers", ["batch_id", "customer"])
          .execute();
        await index(db, "IX_MON_SyncRunCustomers_customer", "MON_SyncRunCustomers", [
          "customer",
          "started_at",
        ]);
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable("MON_SyncRunCustomers").execute();
        await db.schema.dropTable("MON_SyncLocks").execute();
      },
    },
    "0004_drop_idempotency_key": {
      // Issue 11: the staged row's idempotency_key was never written. The push step derives each request's
      // Idempotency-Key from its run and staged rows (steps/push.ts), so there is nothing to keep.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable("STG_MON_CustMasterSchedule").dropColumn("idempotency_key").execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema
          .alterTable("STG_MON_CustMasterSchedule")
          .addColumn("idempotency_key", ty.varchar(128))
          .execute();
      },
    },
    "0005_one_quarantine_record": {
      // Issue 11: an order held back by validation had a QUARANTINED staging row beside its MON_Quarantine
      // rows. MON_Quarantine is now the one record (the next validation of the order writes it again), so
      // the staging rows go; they never had size lines. Nothing to restore on the way down.
      async up(db: Kysely<unknown>) {
        await sql`delete from ${sql.table("STG_MON_CustMasterSchedule")} where stg_status = ${"QUARANTINED"}`.execute(
          db,
        );
      },
      async down() {},
    },
    "0006_rollback_holds": {
      // Issue 15: orders a rollback put back are held, so the next sync does not push the same values again
      // until the source changes (or `order-sync release`).
      async up(db: Kysely<unknown>) {
        await ty
          .createTable(db, "MON_RollbackHolds")
          .addColumn("customer", ty.varchar(255), (c) => c.notNull())
          .addColumn("order_key", ty.byteOrderKey(255), (c) => c.notNull())
          .addColumn("batch_id", ty.varchar(64), (c) => c.notNull())
          .addColumn("rollback_batch_id", ty.varchar(64), (c) => c.notNull())
          .addColumn("held_hash", ty.varchar(64))
          .addColumn("held_at", TS, (c) => c.notNull())
          .addPrimaryKeyConstraint("PK_MON_RollbackHolds", ["customer", "order_key"])
          .execute();
        await index(db, "IX_MON_RollbackHolds_batch", "MON_RollbackHolds", ["batch_id"]);
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable("MON_RollbackHolds").execute();
      },
    },
    "0007_webhooks": {
      // Issue 14: the webhook inbox (one row per delivery, unique on monday's triggerUuid or the catch-up's
      // log id), the board edits accepted from it, and the status history of both sides.
      async up(db: Kysely<unknown>) {
        await ty
          .autoId(ty.createTable(db, "MON_WebhookInbox"), "inbox_id")
          .addColumn("event_id", ty.varchar(128), (c) => c.notNull().unique())
          .addColumn("board_id", ty.varchar(32))
          .addColumn("item_id", ty.varchar(32))
          .addColumn("event_type", ty.varchar(64), (c) => c.notNull())
          .addColumn("origin", ty.varchar(16), (c) => c.notNull())
          .addColumn("body", ty.text, (c) => c.notNull())
          .addColumn("status", ty.varchar(16), (c) => c.notNull())
          .addColumn("received_at", TS, (c) => c.notNull())
          .addColumn("applied_at", TS)
          .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("last_error", ty.text)
          .execute();
        await index(db, "IX_MON_WebhookInbox_status", "MON_WebhookInbox", ["status", "inbox_id"]);
        await ty
          .autoId(ty.createTable(db, "MON_BoardChanges"), "change_id")
          .addColumn("event_id", ty.varchar(128), (c) => c.notNull())
          .addColumn("customer", ty.varchar(255))
          .addColumn("order_key", ty.varchar(255))
          .addColumn("board_id", ty.varchar(32), (c) => c.notNull())
          .addColumn("item_id", ty.varchar(32), (c) => c.notNull())
          .addColumn("column_id", ty.varchar(128), (c) => c.notNull())
          .addColumn("column_type", ty.varchar(32))
          .addColumn("kind", ty.varchar(24), (c) => c.notNull())
          .addColumn("resolution", ty.varchar(32), (c) => c.notNull())
          .addColumn("value", ty.text)
          .addColumn("previous_value", ty.text)
          .addColumn("canonical_value", ty.text)
          .addColumn("canonical_previous", ty.text)
          .addColumn("user_id", ty.varchar(32))
          .addColumn("changed_at", TS, (c) => c.notNull())
          .addColumn("recorded_at", TS, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("UX_MON_BoardChanges_change")
          .on("MON_BoardChanges")
          .columns(["board_id", "item_id", "column_id", "changed_at"])
          .unique()
          .execute();
        await index(db, "IX_MON_BoardChanges_order", "MON_BoardChanges", ["order_key"]);
        await ty
          .autoId(ty.createTable(db, "MON_StatusHistory"), "history_id")
          .addColumn("event_id", ty.varchar(128), (c) => c.notNull().unique())
          .addColumn("order_key", ty.varchar(255))
          .addColumn("board_id", ty.varchar(32), (c) => c.notNull())
          .addColumn("item_id", ty.varchar(32), (c) => c.notNull())
          .addColumn("column_id", ty.varchar(128), (c) => c.notNull())
          .addColumn("status", ty.text)
          .addColumn("previous_status", ty.text)
          .addColumn("side", ty.varchar(16), (c) => c.notNull())
          .addColumn("changed_at", TS, (c) => c.notNull())
          .execute();
        await index(db, "IX_MON_StatusHistory_item", "MON_StatusHistory", [
          "board_id",
          "item_id",
          "changed_at",
        ]);
      },
      async down(db: Kysely<unknown>) {
        for (const table of ["MON_StatusHistory", "MON_BoardChanges", "MON_WebhookInbox"])
          await db.schema.dropTable(table).execute();
      },
    },
    "0008_bulk_jobs": {
      // Issue 18: every bulk import job, recorded after its start and before its CSV is uploaded, so a run
      // that crashed while a job ran finds it, polls it to its end and adopts what it created.
      async up(db: Kysely<unknown>) {
        await ty
          .autoId(ty.createTable(db, "MON_BulkJobs"), "bulk_id")
          .addColumn("job_id", ty.varchar(64), (c) => c.notNull().unique())
          .addColumn("customer", ty.varchar(255), (c) => c.notNull())
          .addColumn("batch_id", ty.varchar(64), (c) => c.notNull())
          .addColumn("board_id", ty.varchar(32), (c) => c.notNull())
          .addColumn("group_id", ty.varchar(64), (c) => c.notNull())
          .addColumn("kind", ty.varchar(16), (c) => c.notNull())
          .addColumn("status", ty.varchar(24), (c) => c.notNull())
          .addColumn("row_count", "integer", (c) => c.notNull())
          .addColumn("order_keys", ty.text, (c) => c.notNull())
          .addColumn("counts", ty.text)
          .addColumn("failure_reason", ty.varchar(64))
          .addColumn("failure_message", ty.text)
          .addColumn("started_at", TS, (c) => c.notNull())
          .addColumn("finished_at", TS)
          .execute();
        await index(db, "IX_MON_BulkJobs_customer", "MON_BulkJobs", ["customer", "finished_at"]);
        await index(db, "IX_MON_BulkJobs_started", "MON_BulkJobs", ["started_at"]);
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable("MON_BulkJobs").execute();
      },
    },
    "0009_source_hash": {
      // Issue 16: the database's fingerprint of each order's source columns (src/source/fingerprint.ts), as
      // of the values the state holds: compared in the read query, so unchanged orders never leave the
      // database. The staged row carries the fingerprint read with its row until record stores it.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable("MON_SyncState").addColumn("source_hash", ty.varchar(160)).execute();
        await db.schema
          .alterTable("STG_MON_CustMasterSchedule")
          .addColumn("source_hash", ty.varchar(64))
          .execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.alterTable("STG_MON_CustMasterSchedule").dropColumn("source_hash").execute();
        await db.schema.alterTable("MON_SyncState").dropColumn("source_hash").execute();
      },
    },
    "0010_operator_actions": {
      // Issues 13 and 17: the audit of operators' retry, discard, release and rollback, and the DEAD orders
      // discarded (left alone until their source changes).
      async up(db: Kysely<unknown>) {
        await ty
          .autoId(ty.createTable(db, "MON_OperatorActions"), "action_id")
          .addColumn("action", ty.varchar(16), (c) => c.notNull())
          .addColumn("actor", ty.varchar(255), (c) => c.notNull())
          .addColumn("customer", ty.varchar(255))
          .addColumn("order_key", ty.varchar(255))
          .addColumn("batch_id", ty.varchar(64))
          .addColumn("result", ty.varchar(16), (c) => c.notNull())
          .addColumn("detail", ty.text)
          .addColumn("acted_at", TS, (c) => c.notNull())
          .execute();
        await index(db, "IX_MON_OperatorActions_at", "MON_OperatorActions", ["acted_at"]);
        await index(db, "IX_MON_OperatorActions_order", "MON_OperatorActions", ["customer", "order_key"]);
        await ty
          .createTable(db, "MON_Discards")
          .addColumn("customer", ty.varchar(255), (c) => c.notNull())
          .addColumn("order_key", ty.byteOrderKey(255), (c) => c.notNull())
          .addColumn("batch_id", ty.varchar(64), (c) => c.notNull())
          .addColumn("discarded_hash", ty.varchar(64))
          .addColumn("staged_action", ty.varchar(16), (c) => c.notNull())
          .addColumn("last_error", ty.text)
          .addColumn("discarded_at", TS, (c) => c.notNull())
          .addPrimaryKeyConstraint("PK_MON_Discards", ["customer", "order_key"])
          .execute();
      },
      async down(db: Kysely<unknown>) {
        for (const table of ["MON_Discards", "MON_OperatorActions"])
          await db.schema.dropTable(table).execute();
      },
    },
    "0011_retention": {
      // Issue 13: `prune` keeps the newest batch of each order's change log; finding the superseded entries
      // looks up later entries of the same order, which this index makes a seek instead of a scan.
      async up(db: Kysely<unknown>) {
        await index(db, "IX_MON_ChangeLog_order", "MON_ChangeLog", ["customer", "order_key"]);
      },
      async down(db: Kysely<unknown>) {
        await dropIndex(db, dialect, "IX_MON_ChangeLog_order", "MON_ChangeLog");
      },
    },
    "0013_dashboard_indexes": {
      // Issue 17: the dashboard's reads at 1,000,000 orders. Runs newest first, board changes newest first
      // (and by kind), the inbox's oldest PENDING arrival, and stays in a status walked item by item.
      async up(db: Kysely<unknown>) {
        for (const [name, table, columns] of DASHBOARD_INDEXES) await index(db, name, table, columns);
      },
      async down(db: Kysely<unknown>) {
        for (const [name, table] of DASHBOARD_INDEXES) await dropIndex(db, dialect, name, table);
      },
    },
    "0014_sync_state_counts": {
      // Issue 16: a no-op sync counts the state's active items of each customer and of each board (the GONE
      // check, the board check, the config check's group by): covering indexes make those index-only scans
      // instead of a lookup of each state row (a second of a million-order no-op).
      async up(db: Kysely<unknown>) {
        for (const [name, table, columns] of STATE_COUNT_INDEXES) await index(db, name, table, columns);
      },
      async down(db: Kysely<unknown>) {
        for (const [name, table] of STATE_COUNT_INDEXES) await dropIndex(db, dialect, name, table);
      },
    },
    "0015_status_spans": {
      // Issue 17: time in each status at 1,000,000 orders. Each status change carries when the item's next
      // change of that column happened (`next_at`, the history's lead, see status-spans.ts) and whether it
      // is the item's first stay in that status (`first_stay`), so the view is a GROUP BY with sums over
      // the history instead of a window and a count(distinct) over millions of rows; on SQLite and PostgreSQL
      // an index holding the view's columns, order key first, lets it read the index alone and, for one
      // customer, only that customer's orders' changes (MySQL/MariaDB and SQL Server cannot index the
      // unbounded `status` text).
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable("MON_StatusHistory").addColumn("next_at", TS).execute();
        await db.schema.alterTable("MON_StatusHistory").addColumn("first_stay", "integer").execute();
        await linkStatusHistory(db, dialect);
        if (dialect === "sqlite" || dialect === "postgres")
          await index(db, "IX_MON_StatusHistory_spans", "MON_StatusHistory", [
            "order_key",
            "changed_at",
            "status",
            "next_at",
            "first_stay",
          ]);
      },
      async down(db: Kysely<unknown>) {
        if (dialect === "sqlite" || dialect === "postgres")
          await dropIndex(db, dialect, "IX_MON_StatusHistory_spans", "MON_StatusHistory");
        await db.schema.alterTable("MON_StatusHistory").dropColumn("first_stay").execute();
        await db.schema.alterTable("MON_StatusHistory").dropColumn("next_at").execute();
      },
    },
  };
}

/** The indexes of `0013_dashboard_indexes`: name, table, columns. */
const DASHBOARD_INDEXES: readonly [string, string, string[]][] = [
  ["IX_MON_SyncRuns_started", "MON_SyncRuns", ["started_at"]],
  ["IX_MON_BoardChanges_changed", "MON_BoardChanges", ["changed_at", "change_id"]],
  ["IX_MON_BoardChanges_kind_changed", "MON_BoardChanges", ["kind", "changed_at", "change_id"]],
  ["IX_MON_WebhookInbox_status_received", "MON_WebhookInbox", ["status", "received_at"]],
  ["IX_MON_StatusHistory_stays", "MON_StatusHistory", ["board_id", "item_id", "column_id", "changed_at"]],
];

/** The indexes of `0014_sync_state_counts`: name, table, columns. */
const STATE_COUNT_INDEXES: readonly [string, string, string[]][] = [
  [
    "IX_MON_SyncState_customer_active",
    "MON_SyncState",
    ["customer", "board_id", "sync_status", "monday_item_id"],
  ],
  ["IX_MON_SyncState_board_active", "MON_SyncState", ["board_id", "sync_status", "monday_item_id"]],
];

/** `DROP INDEX`: MySQL/MariaDB and SQL Server name the table too. */
function dropIndex(db: Kysely<unknown>, dialect: DbDialect, name: string, table: string): Promise<void> {
  const drop = db.schema.dropIndex(name);
  return (dialect === "mysql" || dialect === "mssql" ? drop.on(table) : drop).execute().then(() => undefined);
}

function index(db: Kysely<unknown>, name: string, table: string, columns: string[]): Promise<void> {
  return db.schema
    .createIndex(name)
    .on(table)
    .columns(columns)
    .execute()
    .then(() => undefined);
}

/** A Kysely `MigrationProvider` that serves {@link migrations} from code: nothing to find on disk. */
export function migrationProvider(dialect: DbDialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}

/**
 * Kysely's migrator. On PostgreSQL its tables are pinned to the connection's current schema: unpinned,
 * Kysely looks for its lock table in every schema of the server and can find another schema's.
 */
async function migrator(db: Db): Promise<Migrator> {
  let migrationTableSchema: string | undefined;
  if (db.dialect === "postgres") {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db.kysely);
    migrationTableSchema = rows[0]?.schema;
  }
  return new Migrator({
    db: db.kysely,
    provider: migrationProvider(db.dialect),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
}

/**
 * Brings the database to the latest schema; running it again applies nothing.
 * Concurrent runs are serialised by Kysely's migration lock (PostgreSQL) or one `BEGIN IMMEDIATE`
 * transaction (SQLite).
 *
 * @example
 * const { applied } = await migrateToLatest(db); // ["0001_initial"] the first time, [] after
 */
export async function migrateToLatest(db: Db): Promise<{ applied: string[] }> {
  if (db.dialect !== "sqlite") return migrateNow(db);
  // Nothing to apply: no write at all (a read-only connection stays read-only).
  const applied = await appliedMigrations(db);
  if (Object.keys(migrations(db.dialect)).every((m) => applied.includes(m))) return { applied: [] };
  // Kysely takes no migration lock on SQLite (it assumes one connection): two processes starting on a
  // fresh file would both create the tables. One write transaction around it serialises them.
  return db.kysely.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await migrateNow({ ...db, kysely: conn });
      await sql`commit`.execute(conn);
      return result;
    } catch (e) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw e;
    }
  });
}

async function migrateNow(db: Db): Promise<{ applied: string[] }> {
  const { error, results = [] } = await (await migrator(db)).migrateToLatest();
  const applied = results.filter((r) => r.status === "Success").map((r) => r.migrationName);
  if (error !== undefined) {
    const failed = results.find((r) => r.status === "Error")?.migrationName;
    const reason = errorMessage(error);
    throw new MigrationError(
      failed ? `migration ${failed} failed: ${reason}` : `migrations failed: ${reason}`,
      applied,
      failed,
      { cause: error },
    );
  }
  return { applied };
}

/** Brings the database to exactly the migration `name` (up or down); for tests of one migration's effect. */
export async function migrateTo(db: Db, name: string): Promise<void> {
  const { error } = await (await migrator(db)).migrateTo(name);
  if (error) throw new MigrationError(`migration to ${name} failed: ${errorMessage(error)}`, [], name);
}

/** Names of the migrations the database has applied, oldest first. */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const all = await (await migrator(db)).getMigrations();
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
}
