import type { Kysely, Selectable, Transaction } from "kysely";
import { limitRows, MAX_PARAMETERS } from "../db/index.js";
import type {
  ChangeAction,
  ChangeLogEntry,
  Database,
  Db,
  NewChangeLogEntry,
  RunStatus,
  SyncRun,
  SyncRunCustomerTable,
} from "../db/index.js";

type Executor = Kysely<Database> | Transaction<Database>;

/** ISO-8601 now, as every date column of the project's tables holds it. */
const nowIso = (): string => new Date().toISOString();

/**
 * The run log: `MON_SyncRuns` (one row a run), `MON_SyncRunCustomers` (each customer's part of a run, with
 * the process that ran it) and `MON_ChangeLog` (a before- and after-image of every change pushed). This
 * module is the only one with SQL for those tables (STYLE.md #14); the engine, health checks, the HTTP API
 * and `status` call it.
 */

/** A customer's part of a run, as logged. */
/** A customer's part of a run, as a row. */
export type SyncRunCustomer = Selectable<SyncRunCustomerTable>;

export type CustomerRunStatus = "RUNNING" | "SUCCESS" | "FAILED" | "STOPPED" | "SKIPPED";

/** Logs a run as RUNNING before its first monday.com call, so a run that finds monday down is logged too. */
export async function logRunStarted(
  db: Db,
  run: { batchId: string; customers: readonly string[]; command: string },
): Promise<void> {
  await db.kysely
    .insertInto("MON_SyncRuns")
    .values({
      batch_id: run.batchId,
      started_at: nowIso(),
      finished_at: null,
      status: "RUNNING",
      customers: JSON.stringify(run.customers),
      counts: null,
      api_requests: 0,
      error: null,
      command: run.command,
    })
    .execute();
}

/** Logs how a run ended: its status, counts (with monday's stats), requests and error. */
export async function logRunFinished(
  db: Db,
  batchId: string,
  end: { status: RunStatus; counts: object | null; apiRequests: number; error: string | null },
): Promise<void> {
  await db.kysely
    .updateTable("MON_SyncRuns")
    .set({
      finished_at: nowIso(),
      status: end.status,
      api_requests: end.apiRequests,
      error: end.error,
      ...(end.counts ? { counts: JSON.stringify(end.counts) } : {}),
    })
    .where("batch_id", "=", batchId)
    .execute();
}

/** Writes a customer's line of the run log: RUNNING (or SKIPPED) first, then how it ended. */
export async function logCustomerRun(
  db: Db,
  line: { batchId: string; customer: string; owner: string; startedMs: number },
  status: CustomerRunStatus,
  counts?: object,
  error?: string,
): Promise<void> {
  const row = {
    owner: line.owner,
    status,
    finished_at: status === "RUNNING" ? null : nowIso(),
    counts: counts ? JSON.stringify(counts) : null,
    error: error ?? null,
  };
  if (status === "RUNNING" || status === "SKIPPED")
    await db.kysely
      .insertInto("MON_SyncRunCustomers")
      .values({
        batch_id: line.batchId,
        customer: line.customer,
        started_at: new Date(line.startedMs).toISOString(),
        ...row,
      })
      .execute();
  else
    await db.kysely
      .updateTable("MON_SyncRunCustomers")
      .set(row)
      .where("batch_id", "=", line.batchId)
      .where("customer", "=", line.customer)
      .execute();
}

/**
 * Change-log rows per INSERT: within the smallest parameter limit of all engines (SQL Server's), since a
 * transaction carries no dialect. A row binds at most 9 values.
 */
const CHANGES_PER_INSERT = Math.floor(Math.min(...Object.values(MAX_PARAMETERS)) / 9);

/** Appends change-log entries (inside the record step's transaction). */
export async function logChanges(db: Executor, entries: readonly NewChangeLogEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += CHANGES_PER_INSERT)
    await db
      .insertInto("MON_ChangeLog")
      .values(entries.slice(i, i + CHANGES_PER_INSERT))
      .execute();
}

/** The newest runs, by start time. */
export async function recentRuns(db: Db, limit: number): Promise<SyncRun[]> {
  const newest = db.kysely.selectFrom("MON_SyncRuns").selectAll().orderBy("started_at", "desc");
  return limitRows(db.dialect, newest, limit).execute();
}

/** The run that finished last, if any. */
export async function lastFinishedRun(
  db: Db,
): Promise<Pick<SyncRun, "batch_id" | "status" | "finished_at" | "error"> | undefined> {
  const finished = db.kysely
    .selectFrom("MON_SyncRuns")
    .select(["batch_id", "status", "finished_at", "error"])
    .where("finished_at", "is not", null)
    .orderBy("finished_at", "desc");
  return limitRows(db.dialect, finished, 1).executeTakeFirst();
}

/** The customers whose part of a run FAILED. */
export async function failedCustomers(db: Db, batchId: string): Promise<string[]> {
  const rows = await db.kysely
    .selectFrom("MON_SyncRunCustomers")
    .select(["customer"])
    .where("batch_id", "=", batchId)
    .where("status", "=", "FAILED")
    .execute();
  return rows.map((c) => c.customer);
}

/** One run's row of the run log, if it is there. */
export async function findRun(db: Db, batchId: string): Promise<SyncRun | undefined> {
  return db.kysely.selectFrom("MON_SyncRuns").selectAll().where("batch_id", "=", batchId).executeTakeFirst();
}

/** One entry of `MON_ChangeLog`, its images parsed. */
export interface ChangeRecord {
  changeId: number;
  batchId: string;
  customer: string;
  orderKey: string;
  boardId: string | null;
  mondayItemId: string | null;
  action: ChangeAction;
  before: unknown;
  after: unknown;
  changedAt: string;
}

const parseChange = (r: ChangeLogEntry): ChangeRecord => ({
  changeId: Number(r.change_id),
  batchId: r.batch_id,
  customer: r.customer,
  orderKey: r.order_key,
  boardId: r.board_id,
  mondayItemId: r.monday_item_id,
  action: r.action,
  before: r.before_image ? (JSON.parse(r.before_image) as unknown) : null,
  after: r.after_image ? (JSON.parse(r.after_image) as unknown) : null,
  changedAt: r.changed_at,
});

/** What one batch changed, in the order it was recorded (optionally only some customers' part of it). */
export async function batchChanges(
  db: Db,
  batchId: string,
  customers?: readonly string[],
): Promise<ChangeRecord[]> {
  let q = db.kysely.selectFrom("MON_ChangeLog").selectAll().where("batch_id", "=", batchId);
  if (customers?.length) q = q.where("customer", "in", [...customers]);
  return (await q.orderBy("change_id").execute()).map(parseChange);
}

/** The batches recorded after `changeId` that touched a customer's orders among `keys`, per order. */
export async function laterBatches(
  db: Db,
  customer: string,
  keys: readonly string[],
  changeId: number,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db.kysely
      .selectFrom("MON_ChangeLog")
      .select(["order_key", "batch_id"])
      .distinct()
      .where("customer", "=", customer)
      .where("order_key", "in", keys.slice(i, i + 500))
      .where("change_id", ">", changeId)
      .execute();
    for (const r of rows) out.set(r.order_key, [...(out.get(r.order_key) ?? []), r.batch_id]);
  }
  return out;
}

/** The batches started after `batchId` that changed something, newest first (what `rollback --to` undoes). */
export async function batchesAfter(db: Db, batchId: string): Promise<string[]> {
  const run = await findRun(db, batchId);
  if (!run) return [];
  const rows = await db.kysely
    .selectFrom("MON_SyncRuns as r")
    .select(["r.batch_id"])
    .where("r.started_at", ">", run.started_at)
    .where((eb) =>
      eb.exists(
        eb.selectFrom("MON_ChangeLog as c").select("c.batch_id").whereRef("c.batch_id", "=", "r.batch_id"),
      ),
    )
    .orderBy("r.started_at", "desc")
    .execute();
  return rows.map((r) => r.batch_id);
}

/** A page of the run log, newest first, and how many runs there are. */
export async function runsPage(
  db: Db,
  page: { limit: number; offset: number },
): Promise<{ runs: SyncRun[]; total: number }> {
  const [runs, count] = await Promise.all([
    db.kysely
      .selectFrom("MON_SyncRuns")
      .selectAll()
      .orderBy("started_at", "desc")
      .orderBy("batch_id", "desc")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db.kysely
      .selectFrom("MON_SyncRuns")
      .select((e) => e.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { runs, total: Number(count.n) };
}

/** One run, its customers' parts, and how many changes it logged. */
export async function runDetail(
  db: Db,
  batchId: string,
): Promise<{ run: SyncRun; customers: SyncRunCustomer[]; changes: number } | undefined> {
  const run = await db.kysely
    .selectFrom("MON_SyncRuns")
    .selectAll()
    .where("batch_id", "=", batchId)
    .executeTakeFirst();
  if (!run) return undefined;
  const [customers, count] = await Promise.all([
    db.kysely
      .selectFrom("MON_SyncRunCustomers")
      .selectAll()
      .where("batch_id", "=", batchId)
      .orderBy("customer")
      .execute(),
    db.kysely
      .selectFrom("MON_ChangeLog")
      .select((e) => e.fn.countAll<number | string>().as("n"))
      .where("batch_id", "=", batchId)
      .executeTakeFirstOrThrow(),
  ]);
  return { run, customers, changes: Number(count.n) };
}

/** A page of a run's changes (before- and after-images), optionally of one order, in log order. */
export async function runChanges(
  db: Db,
  batchId: string,
  page: { limit: number; offset: number; orderKey?: string },
): Promise<ChangeLogEntry[]> {
  let q = db.kysely.selectFrom("MON_ChangeLog").selectAll().where("batch_id", "=", batchId);
  if (page.orderKey) q = q.where("order_key", "=", page.orderKey);
  return q.orderBy("change_id").limit(page.limit).offset(page.offset).execute();
}

/** Per customer: when its part of a run last succeeded. */
export async function lastSuccessByCustomer(db: Db): Promise<Map<string, string>> {
  const rows = await db.kysely
    .selectFrom("MON_SyncRunCustomers")
    .select(["customer", (e) => e.fn.max("finished_at").as("at")])
    .where("status", "=", "SUCCESS")
    .groupBy("customer")
    .execute();
  return new Map(rows.filter((r) => r.at).map((r) => [r.customer, String(r.at)]));
}
