import type { Generated, Insertable, Selectable, Updateable } from "kysely";
import { SEVERITIES, type Severity } from "../config/quality-rules.js";

export type { DbDialect } from "../config/db-url.js";

/** What a staged row asks monday.com to do with an item (`DELETE`: only `rollback --delete` stages it). */
export const STAGED_ACTIONS = ["CREATE", "UPDATE", "ARCHIVE", "DELETE"] as const;
export type StagedAction = (typeof STAGED_ACTIONS)[number];

/**
 * Staged row states: `PENDING → IN_FLIGHT → DONE`, `IN_FLIGHT → FAILED → PENDING`, `DEAD`. Orders that
 * fail validation are never staged: their record is `MON_Quarantine`.
 */
export const STAGED_STATUSES = ["PENDING", "IN_FLIGHT", "DONE", "FAILED", "DEAD"] as const;
export type StagedStatus = (typeof STAGED_STATUSES)[number];

/** Whether a synced order still has a live item on the board. */
export const SYNC_STATUSES = ["ACTIVE", "ARCHIVED"] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** Outcome of a run in `MON_SyncRuns`. */
export const RUN_STATUSES = ["RUNNING", "SUCCESS", "PARTIAL", "FAILED", "HALTED", "STOPPED"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Kinds of change recorded with a before-image in `MON_ChangeLog` (rollback reads them). */
export const CHANGE_ACTIONS = [
  "CREATE",
  "UPDATE",
  "ARCHIVE",
  "SUBITEM_CREATE",
  "SUBITEM_UPDATE",
  "SUBITEM_ARCHIVE",
  "DELETE",
  "SUBITEM_DELETE",
] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/**
 * `STG_MON_CustMasterSchedule`: one row per order to push. JSON columns hold text; dates are
 * ISO-8601 strings (`new Date().toISOString()`), kept as text so every engine stores them alike.
 */
export interface StagedOrderTable {
  stg_id: Generated<number>;
  batch_id: string;
  customer: string;
  order_key: string;
  board_id: string;
  action: StagedAction;
  stg_status: StagedStatus;
  item_name: string | null;
  group_title: string | null;
  /** JSON object: monday column id → value to write. */
  column_values: string | null;
  /** JSON array of the source columns that changed. */
  changed_columns: string | null;
  new_hash: string | null;
  /** JSON snapshot of the mapped values, copied into `MON_SyncState.last_values` on success. */
  new_values: string | null;
  /** The source fingerprint read with the row the change was mapped from (0009), for `MON_SyncState.source_hash`. */
  source_hash?: string | null;
  monday_item_id: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  stg_created_date: string;
  stg_updated_date: string;
}

/** `STG_MON_CustMasterSchedule_Subitems`: one row per size line of a staged order. */
export interface StagedSubitemTable {
  stg_sub_id: Generated<number>;
  /** The parent row's `stg_id`. */
  stg_id: number;
  batch_id: string;
  customer: string;
  order_key: string;
  size: string;
  action: StagedAction;
  stg_status: StagedStatus;
  item_name: string | null;
  column_values: string | null;
  /** The size's quantity in canonical text form. */
  quantity: string | null;
  monday_subitem_id: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  stg_created_date: string;
  stg_updated_date: string;
}

/** `MON_SyncState`: what monday.com holds for each order, keyed by (customer, order_key). */
export interface SyncStateTable {
  customer: string;
  order_key: string;
  board_id: string;
  group_id: string | null;
  group_title: string | null;
  monday_item_id: string | null;
  last_sync_hash: string | null;
  last_sync_date: string | null;
  /** JSON snapshot of the mapped values last written. */
  last_values: string | null;
  /** JSON object: size → monday subitem id. */
  subitem_ids: string | null;
  sync_status: Generated<SyncStatus>;
  /**
   * The database's fingerprint of the source row `last_values` was mapped from (0009); NULL when unknown
   * (the next read maps the row and compares the canonical hash).
   */
  source_hash?: string | null;
}

/** `MON_SyncRuns`: one row per run (batch). */
export interface SyncRunTable {
  batch_id: string;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  /** JSON array of customer names. */
  customers: string | null;
  /** JSON object of counters. */
  counts: string | null;
  api_requests: number | null;
  error: string | null;
  command: string | null;
}

/** `MON_ChangeLog`: a before- and after-image of every change pushed, for rollback and audit. */
export interface ChangeLogTable {
  change_id: Generated<number>;
  batch_id: string;
  customer: string;
  order_key: string;
  board_id: string | null;
  monday_item_id: string | null;
  action: ChangeAction;
  before_image: string | null;
  after_image: string | null;
  changed_at: string;
}

/** Data-quality severities (issue 4), lowest first: the config's vocabulary, stored as it is. */
export const QUALITY_SEVERITIES = SEVERITIES;
export type QualitySeverity = Severity;

/**
 * `MON_Quarantine`: why an order is held back from monday.com, one row per (order, rule, column).
 * Rows of an order are replaced each time it is validated and deleted once it validates clean.
 */
export interface QuarantineTable {
  quarantine_id: Generated<number>;
  customer: string;
  order_key: string;
  /** The rule id, e.g. `total-qty-sum`, or a user rule's name. */
  rule: string;
  severity: QualitySeverity;
  /** The source column the issue is about; NULL for whole-row rules. */
  column_name: string | null;
  /** The offending value, JSON-encoded, at most 2,000 characters. */
  value: string | null;
  message: string;
  /** The run that last saw the issue. */
  batch_id: string;
  /** ISO timestamps: when the issue was first and last seen for this order. */
  first_seen: string;
  last_seen: string;
}

/**
 * `MON_RollbackHolds`: orders a rollback put back, held so the next sync does not push the rolled-back
 * values again. `held_hash` is the hash of the source snapshot that made the bad change (NULL: the source had
 * dropped the order, e.g. cancelled it). A sync releases the hold once the source holds something else.
 */
export interface RollbackHoldTable {
  customer: string;
  order_key: string;
  /** The batch that was rolled back. */
  batch_id: string;
  /** The rollback's own batch. */
  rollback_batch_id: string;
  held_hash: string | null;
  held_at: string;
}

/** What an operator did (issue 13 item 6, issue 17): `MON_OperatorActions.action`. */
export const OPERATOR_ACTIONS = ["retry", "discard", "release", "rollback"] as const;
export type OperatorActionName = (typeof OPERATOR_ACTIONS)[number];

/**
 * `MON_OperatorActions`: the audit of every retry, discard, release and rollback an operator asked for, from
 * the CLI or the dashboard, one row per order (or per batch for a rollback), whatever its result.
 */
export interface OperatorActionTable {
  action_id: Generated<number>;
  action: OperatorActionName;
  /** Who: `cli:<os user>@<host>` or `dashboard:<session id>` (never a token). */
  actor: string;
  customer: string | null;
  order_key: string | null;
  /** The batch a rollback undid (or a release named); the rollback's own batch is in `detail`. */
  batch_id: string | null;
  /** `done`, `nothing` (nothing to do), `refused` (not allowed for that row) or `failed`. */
  result: string;
  /** One line: what was done, or why not. */
  detail: string | null;
  acted_at: string;
}

/**
 * `MON_Discards`: DEAD orders an operator discarded. The sync leaves such an order alone while its source
 * still makes the same change (`discarded_hash`; NULL for an archive), and forgets the discard once it changes.
 */
export interface DiscardTable {
  customer: string;
  order_key: string;
  batch_id: string;
  discarded_hash: string | null;
  /** The staged action that went DEAD (CREATE, UPDATE, ARCHIVE). */
  staged_action: string;
  last_error: string | null;
  discarded_at: string;
}

/** Kysely's table typing for order-sync's own tables (the source table is dynamic and untyped). */
export interface Database {
  STG_MON_CustMasterSchedule: StagedOrderTable;
  STG_MON_CustMasterSchedule_Subitems: StagedSubitemTable;
  MON_SyncState: SyncStateTable;
  MON_SyncRuns: SyncRunTable;
  MON_ChangeLog: ChangeLogTable;
  MON_Quarantine: QuarantineTable;
  MON_SyncLocks: SyncLockTable;
  MON_SyncRunCustomers: SyncRunCustomerTable;
  MON_RollbackHolds: RollbackHoldTable;
  MON_WebhookInbox: WebhookInboxTable;
  MON_BoardChanges: BoardChangeTable;
  MON_StatusHistory: StatusHistoryTable;
  MON_OperatorActions: OperatorActionTable;
  MON_Discards: DiscardTable;
  MON_BulkJobs: BulkJobTable;
}

/**
 * `MON_BulkJobs` (issue 18): one bulk import job. `status` is `STARTED` (recorded, CSV not yet uploaded),
 * `UPLOADED`, then monday's last `BulkImportState` once `finished_at` is set. `order_keys` is a JSON array
 * of the orders in the file; `row_count` its rows (parents and subitems), which ingest counts per hour.
 */
export interface BulkJobTable {
  bulk_id: Generated<number>;
  job_id: string;
  customer: string;
  batch_id: string;
  board_id: string;
  group_id: string;
  kind: string;
  status: string;
  row_count: number;
  order_keys: string;
  counts: string | null;
  failure_reason: string | null;
  failure_message: string | null;
  started_at: string;
  finished_at: string | null;
}

/** States of an inbox event: waiting, applied, dropped as an echo of order-sync's own write, ignored, failed. */
export const INBOX_STATUSES = ["PENDING", "APPLIED", "ECHO", "IGNORED", "FAILED"] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/** `MON_WebhookInbox` (issue 14): every webhook delivery accepted, stored before it is answered. */
export interface WebhookInboxTable {
  inbox_id: Generated<number>;
  /** monday's `triggerUuid`, or `log:<id>` for an event the catch-up read from the activity log. */
  event_id: string;
  board_id: string | null;
  item_id: string | null;
  event_type: string;
  /** `webhook` or `catch-up`. */
  origin: string;
  /** The `event` object as monday sent it (JSON). */
  body: string;
  status: InboxStatus;
  received_at: string;
  applied_at: string | null;
  attempts: Generated<number>;
  last_error: string | null;
}

/** `MON_BoardChanges` (issue 14): board edits accepted from webhooks (echoes of order-sync's writes never). */
export interface BoardChangeTable {
  change_id: Generated<number>;
  event_id: string;
  customer: string | null;
  order_key: string | null;
  board_id: string;
  item_id: string;
  /** The column id, or `name`, `item` for item-level events. */
  column_id: string;
  column_type: string | null;
  /** EDIT, CONFLICT, STALE, ITEM_CREATED, ITEM_DELETED, ITEM_ARCHIVED, ITEM_RESTORED, UNKNOWN_ITEM. */
  kind: string;
  /** What was done: written-back, recorded, restore-on-sync, board-wins, db-wins, recreate, forget, report. */
  resolution: string;
  /** `value` / `previousValue` as monday sent them (JSON). */
  value: string | null;
  previous_value: string | null;
  canonical_value: string | null;
  canonical_previous: string | null;
  user_id: string | null;
  /** monday's `changedAt` (or `triggerTime`), ISO-8601. */
  changed_at: string;
  recorded_at: string;
}

/** `MON_StatusHistory` (issue 14): every status change seen on the board, order-sync's own included. */
export interface StatusHistoryTable {
  history_id: Generated<number>;
  event_id: string;
  order_key: string | null;
  board_id: string;
  item_id: string;
  column_id: string;
  status: string | null;
  previous_status: string | null;
  /** `board` (a planner) or `order-sync` (the echo of a sync write). */
  side: string;
  changed_at: string;
  /** When the item's next change of this column happened (the history's lead), null while it is the latest (0015). */
  next_at: string | null;
  /** 1 on the item's first change to this status, 0 on later ones (0015). */
  first_stay: number | null;
}

/**
 * `MON_SyncLocks`: one lease per customer being synced. `owner` is `host:pid:random`; the holder renews
 * `expires_at` while it runs and deletes the row when done. A lapsed lease (a crashed holder) may be taken.
 */
export interface SyncLockTable {
  customer: string;
  owner: string;
  batch_id: string;
  acquired_at: string;
  expires_at: string;
}

/** `MON_SyncRunCustomers`: each customer's part of a run, with the process that ran it. */
export interface SyncRunCustomerTable {
  batch_id: string;
  customer: string;
  owner: string;
  started_at: string;
  finished_at: string | null;
  /** RUNNING, SUCCESS, FAILED, STOPPED or SKIPPED (another process held the lease). */
  status: string;
  /** JSON of the customer's counts. */
  counts: string | null;
  error: string | null;
}

export type StagedOrder = Selectable<StagedOrderTable>;
export type NewStagedOrder = Insertable<StagedOrderTable>;
export type StagedOrderUpdate = Updateable<StagedOrderTable>;
export type StagedSubitem = Selectable<StagedSubitemTable>;
export type NewStagedSubitem = Insertable<StagedSubitemTable>;
export type StagedSubitemUpdate = Updateable<StagedSubitemTable>;
export type SyncState = Selectable<SyncStateTable>;
export type NewSyncState = Insertable<SyncStateTable>;
export type SyncStateUpdate = Updateable<SyncStateTable>;
export type SyncRun = Selectable<SyncRunTable>;
export type NewSyncRun = Insertable<SyncRunTable>;
export type SyncRunUpdate = Updateable<SyncRunTable>;
export type ChangeLogEntry = Selectable<ChangeLogTable>;
export type NewChangeLogEntry = Insertable<ChangeLogTable>;
export type QuarantineEntry = Selectable<QuarantineTable>;
export type NewQuarantineEntry = Insertable<QuarantineTable>;
export type RollbackHold = Selectable<RollbackHoldTable>;
export type NewRollbackHold = Insertable<RollbackHoldTable>;
export type OperatorActionRow = Selectable<OperatorActionTable>;
export type Discard = Selectable<DiscardTable>;
