import { sql, type Kysely, type Transaction } from "kysely";
import { limitRows, type Database, type Db, type InboxStatus } from "../db/index.js";
import type { BoardEvent } from "./event.js";
import { insertOnce } from "./insert-once.js";

type Executor = Kysely<Database> | Transaction<Database>;

/** A stored inbox event waiting to be applied. */
export interface InboxRow {
  inboxId: number;
  event: BoardEvent;
  attempts: number;
}

/**
 * Stores one event before its delivery is answered (issue 14); the same `event_id` twice (monday's
 * at-least-once delivery, a retry, a replay) is stored once. Returns whether it was new.
 */
export async function storeEvent(
  db: Db,
  event: BoardEvent,
  origin: "webhook" | "catch-up",
  body: unknown,
  now = new Date().toISOString(),
): Promise<"stored" | "duplicate"> {
  const inserted = await insertOnce(
    db.dialect,
    db.kysely.insertInto("MON_WebhookInbox").values(inboxRow(event, origin, body, now)),
    ["event_id"],
  );
  return inserted ? "stored" : "duplicate";
}

interface QueuedEvent {
  event: BoardEvent;
  origin: "webhook" | "catch-up";
  body: unknown;
  done: (outcome: "stored" | "duplicate") => void;
  fail: (error: unknown) => void;
}

/** Most events one group commit inserts. */
const GROUP_MAX = 500;

/**
 * Stores events with group commit: deliveries that arrive while an insert is being committed are stored
 * together by the next one (one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING), so a burst costs a
 * commit per group rather than per event. Each caller learns whether its event was new once it is durable.
 */
export class InboxWriter {
  private queue: QueuedEvent[] = [];
  private flushing = false;

  constructor(private readonly db: Db) {}

  store(event: BoardEvent, origin: "webhook" | "catch-up", body: unknown): Promise<"stored" | "duplicate"> {
    return new Promise((done, fail) => {
      this.queue.push({ event, origin, body, done, fail });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, GROUP_MAX);
        try {
          const fresh = await this.insertGroup(group);
          for (const q of group) q.done(fresh.delete(q.event.eventId) ? "stored" : "duplicate");
        } catch (error) {
          for (const q of group) q.fail(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Inserts a group in one commit; resolves to the event ids that were new. SQLite and PostgreSQL: one
   * multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING`; MySQL/MariaDB and SQL Server (no such clause):
   * one insert per row in one transaction, a duplicate key being "already stored".
   */
  private async insertGroup(group: readonly QueuedEvent[]): Promise<Set<string>> {
    const now = new Date().toISOString();
    const values = group.map((q) => inboxRow(q.event, q.origin, q.body, now));
    const { dialect, kysely } = this.db;
    if (dialect === "sqlite" || dialect === "postgres") {
      const rows = await kysely
        .insertInto("MON_WebhookInbox")
        .values(values)
        .onConflict((oc) => oc.column("event_id").doNothing())
        .returning("event_id")
        .execute();
      return new Set(rows.map((r) => r.event_id));
    }
    return kysely.transaction().execute(async (tx) => {
      const fresh = new Set<string>();
      for (const row of values)
        if (await insertOnce(dialect, tx.insertInto("MON_WebhookInbox").values(row), ["event_id"]))
          fresh.add(row.event_id);
      return fresh;
    });
  }
}

function inboxRow(event: BoardEvent, origin: "webhook" | "catch-up", body: unknown, now: string) {
  return {
    event_id: event.eventId,
    board_id: event.boardId,
    item_id: event.itemId,
    event_type: event.type,
    origin,
    body: JSON.stringify({ event: body, parsed: event }),
    status: "PENDING" as const,
    received_at: now,
  };
}

/** The oldest PENDING events, in the order they arrived. */
export async function pendingEvents(db: Db, limit: number): Promise<InboxRow[]> {
  const query = db.kysely
    .selectFrom("MON_WebhookInbox")
    .select(["inbox_id", "body", "attempts"])
    .where("status", "=", "PENDING")
    .orderBy("inbox_id");
  const rows = await limitRows(db.dialect, query, limit).execute();
  return rows.map((r) => ({
    inboxId: r.inbox_id,
    event: (JSON.parse(r.body) as { parsed: BoardEvent }).parsed,
    attempts: r.attempts,
  }));
}

/**
 * Claims a PENDING event inside the transaction that applies it: false when it is no longer PENDING (another
 * worker or process applied it first). On PostgreSQL the row lock makes a second claimant wait for the first
 * transaction and then see the new status.
 */
export async function claimEvent(db: Executor, inboxId: number): Promise<boolean> {
  const result = await db
    .updateTable("MON_WebhookInbox")
    .set({ status: "PENDING" })
    .where("inbox_id", "=", inboxId)
    .where("status", "=", "PENDING")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Marks an event done (in the transaction that applied it) or failed. */
export async function markEvent(
  db: Executor,
  inboxId: number,
  status: InboxStatus,
  error: string | null = null,
  now = new Date().toISOString(),
): Promise<void> {
  await db
    .updateTable("MON_WebhookInbox")
    .set({ status, applied_at: status === "PENDING" ? null : now, last_error: error })
    .where("inbox_id", "=", inboxId)
    .execute();
}

/** A failed attempt: the event stays PENDING until `maxAttempts`, then FAILED. */
export async function failEvent(db: Db, row: InboxRow, error: string, maxAttempts: number): Promise<void> {
  await db.kysely
    .updateTable("MON_WebhookInbox")
    .set({
      attempts: row.attempts + 1,
      last_error: error.slice(0, 2000),
      status: row.attempts + 1 >= maxAttempts ? "FAILED" : "PENDING",
    })
    .where("inbox_id", "=", row.inboxId)
    .execute();
}

/** How the inbox stands (`status`, the dashboard): events per status, its depth and its lag. */
export interface InboxState {
  counts: Partial<Record<InboxStatus, number>>;
  /** PENDING events: stored, not yet applied. */
  pending: number;
  /** When the oldest PENDING event arrived, or null. */
  oldestPending: string | null;
  /** How long that event has waited, in whole seconds (0 when none waits). */
  lagSeconds: number;
}

/** How the inbox stands: events per status, PENDING ones and how long the oldest has waited. */
export async function inboxState(db: Db, now = Date.now()): Promise<InboxState> {
  const rows = await db.kysely
    .selectFrom("MON_WebhookInbox")
    .select(["status", db.kysely.fn.countAll().as("n"), db.kysely.fn.min("received_at").as("oldest")])
    .groupBy("status")
    .execute();
  const counts: Partial<Record<InboxStatus, number>> = {};
  let oldestPending: string | null = null;
  for (const r of rows) {
    counts[r.status] = Number(r.n);
    if (r.status === "PENDING") oldestPending = (r.oldest as string | null) ?? null;
  }
  const since = oldestPending ? Date.parse(oldestPending) : NaN;
  const lagSeconds = Number.isNaN(since) ? 0 : Math.max(0, Math.floor((now - since) / 1000));
  return { counts, pending: counts.PENDING ?? 0, oldestPending, lagSeconds };
}

/** When the last event of a board arrived (the catch-up reads the activity log from there). */
export async function lastEventAt(db: Db, boardIds: readonly string[]): Promise<string | null> {
  const row = await db.kysely
    .selectFrom("MON_WebhookInbox")
    .select(sql<string | null>`max(received_at)`.as("last"))
    .where("board_id", "in", boardIds)
    .executeTakeFirst();
  return row?.last ?? null;
}

/** PENDING events and the oldest one's arrival (`/health`, `/metrics`). */
export async function inboxDepth(db: Db): Promise<{ pending: number; oldestPending: string | null }> {
  const { pending, oldestPending } = await inboxState(db);
  return { pending, oldestPending };
}
