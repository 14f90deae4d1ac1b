import type { Kysely, Selectable, Transaction } from "kysely";
import type {
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

/** Appends change-log entries (inside the record step's transaction). */
export async function logChanges(db: Executor, entries: readonly NewChangeLogEntry[]): Promise<void> {
  if (entries.length)
    await db
      .insertInto("MON_ChangeLog")
      .values([...entries])
      .execute();
}

/** The newest runs, by start time. */
export async function recentRuns(db: Db, limit: number): Promise<SyncRun[]> {
  return db.kysely
    .selectFrom("MON_SyncRuns")
    .selectAll()
    .orderBy("started_at", "desc")
    .limit(limit)
    .execute();
}

/** The run that finished last, if any. */
export async function lastFinishedRun(
  db: Db,
): Promise<Pick<SyncRun, "batch_id" | "status" | "finished_at" | "error"> | undefined> {
  return db.kysely
    .selectFrom("MON_SyncRuns")
    .select(["batch_id", "status", "finished_at", "error"])
    .where("finished_at", "is not", null)
    .orderBy("finished_at", "desc")
    .limit(1)
    .executeTakeFirst();
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
