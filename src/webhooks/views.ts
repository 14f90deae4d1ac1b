import { sql } from "kysely";
import type { Db, InboxStatus } from "../db/index.js";
import { inboxState } from "./inbox.js";

/** A page request: at most `limit` rows after `offset`. */
export interface PageQuery {
  limit: number;
  offset: number;
}

/** One inbox event as the dashboard lists it (its body is not: it can be large). */
export interface InboxEventLine {
  inbox_id: number;
  event_id: string;
  event_type: string;
  origin: string;
  board_id: string | null;
  item_id: string | null;
  status: string;
  received_at: string;
  applied_at: string | null;
  attempts: number;
  last_error: string | null;
}

/** How the inbox stands: events per status, the oldest PENDING one's wait, the last arrival. */
export interface InboxOverview {
  counts: Partial<Record<InboxStatus, number>>;
  pending: number;
  oldestPending: string | null;
  lagSeconds: number;
  lastReceived: string | null;
}

/** The inbox's depth and lag (`now` for tests), aggregated in SQL. */
export async function inboxOverview(db: Db, now = Date.now()): Promise<InboxOverview> {
  const [{ counts, oldestPending }, last] = await Promise.all([
    inboxState(db),
    db.kysely
      .selectFrom("MON_WebhookInbox")
      .select(sql<string | null>`max(received_at)`.as("last"))
      .executeTakeFirst(),
  ]);
  return {
    counts,
    pending: counts.PENDING ?? 0,
    oldestPending,
    lagSeconds: oldestPending ? Math.max(0, Math.round((now - Date.parse(oldestPending)) / 1000)) : 0,
    lastReceived: last?.last ?? null,
  };
}

/** Inbox events, newest first, one page (and the total), of one status when `status` is given. */
export async function inboxEvents(
  db: Db,
  q: PageQuery & { status?: InboxStatus },
): Promise<{ rows: InboxEventLine[]; total: number }> {
  let base = db.kysely.selectFrom("MON_WebhookInbox");
  if (q.status) base = base.where("status", "=", q.status);
  const [rows, count] = await Promise.all([
    base
      .select([
        "inbox_id",
        "event_id",
        "event_type",
        "origin",
        "board_id",
        "item_id",
        "status",
        "received_at",
        "applied_at",
        "attempts",
        "last_error",
      ])
      .orderBy("inbox_id", "desc")
      .limit(q.limit)
      .offset(q.offset)
      .execute(),
    base.select((e) => e.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows as InboxEventLine[], total: Number(count.n) };
}

/** One accepted board edit (or conflict) as the dashboard lists it. */
export interface BoardChangeLine {
  change_id: number;
  changed_at: string;
  customer: string | null;
  order_key: string | null;
  board_id: string;
  item_id: string;
  column_id: string;
  kind: string;
  resolution: string;
  before: string | null;
  after: string | null;
  user_id: string | null;
}

/** Kinds of `MON_BoardChanges` rows the dashboard filters on. */
export const BOARD_CHANGE_KINDS = [
  "EDIT",
  "CONFLICT",
  "STALE",
  "NAME",
  "ITEM_CREATED",
  "ITEM_DELETED",
  "ITEM_ARCHIVED",
  "ITEM_RESTORED",
  "UNKNOWN_ITEM",
] as const;

/** Board edits accepted from webhooks, newest first, one page (and the total); `kind` and `order` filter. */
export async function boardChanges(
  db: Db,
  q: PageQuery & { kind?: string; orderKey?: string },
): Promise<{ rows: BoardChangeLine[]; total: number }> {
  let base = db.kysely.selectFrom("MON_BoardChanges");
  if (q.kind) base = base.where("kind", "=", q.kind);
  if (q.orderKey) base = base.where("order_key", "=", q.orderKey);
  const [rows, count] = await Promise.all([
    base
      .select([
        "change_id",
        "changed_at",
        "customer",
        "order_key",
        "board_id",
        "item_id",
        "column_id",
        "kind",
        "resolution",
        sql<string | null>`coalesce(canonical_previous, previous_value)`.as("before"),
        sql<string | null>`coalesce(canonical_value, value)`.as("after"),
        "user_id",
      ])
      .orderBy("changed_at", "desc")
      .orderBy("change_id", "desc")
      .limit(q.limit)
      .offset(q.offset)
      .execute(),
    base.select((e) => e.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows as BoardChangeLine[], total: Number(count.n) };
}

/** Board changes per kind (all of them; the table is grouped in SQL). */
export async function boardChangeCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.kysely
    .selectFrom("MON_BoardChanges")
    .select(["kind", (e) => e.fn.countAll<number | string>().as("n")])
    .groupBy("kind")
    .execute();
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}
