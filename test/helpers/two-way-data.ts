// Deterministic two-way sync records for the demo orders (tests, the dashboard bench and the screenshots):
// a status history per order walking towards its current status, some board edits and conflicts, and the
// webhook inbox events that carried them. Written with multi-row inserts inside transactions.
import type { Insertable } from "kysely";
import type { BoardChangeTable, Db, StatusHistoryTable, WebhookInboxTable } from "../../src/db/index.js";
import { generateOrders, mulberry32 } from "../../src/demo/index.js";

const PATH = ["Open", "Confirmed", "In Production", "Shipped"];
const DAY = 86_400_000;

/** Rows of each table written. */
export interface TwoWayCounts {
  history: number;
  boardChanges: number;
  inbox: number;
}

interface Batch {
  history: Insertable<StatusHistoryTable>[];
  changes: Insertable<BoardChangeTable>[];
  inbox: Insertable<WebhookInboxTable>[];
}

/** The statuses an order went through to reach `current` (On Hold: after Confirmed). */
function pathTo(current: string): string[] {
  if (current === "On Hold") return ["Open", "Confirmed", "On Hold"];
  const i = PATH.indexOf(current);
  return i < 0 ? [current] : PATH.slice(0, i + 1);
}

/** One order's history (and, for some, a board edit or conflict and its inbox event). */
function orderRecords(b: Batch, index: number, row: Record<string, unknown>, rnd: () => number): void {
  const key = String(row["AAG ORDER NUMBER"]);
  const item = String(9_000_000_000 + index);
  const board = `50010000${String(index % 7).padStart(2, "0")}`;
  let at = Date.parse(`${String(row["EX FACTORY DATE"])}T00:00:00Z`) - 70 * DAY + Math.floor(rnd() * DAY);
  let previous: string | null = null;
  const first = b.history.length;
  pathTo(String(row["ORDER STATUS"])).forEach((status, step) => {
    const changedAt = new Date(at).toISOString();
    b.history.push({
      event_id: `h:${index}:${step}`,
      order_key: key,
      board_id: board,
      item_id: item,
      column_id: "status",
      status,
      previous_status: previous,
      side: step % 2 ? "board" : "order-sync",
      changed_at: changedAt,
    });
    previous = status;
    at += Math.floor((1 + rnd() * 20) * DAY);
  });
  // Each change ends at the item's next one (next_at, 0015), as two-way sync links them.
  // Each change ends at the item's next one (next_at, 0015) and marks its first stay in a status
  // (first_stay), as two-way sync links them.
  const seen = new Set<string | null | undefined>();
  for (let i = first; i < b.history.length; i++) {
    const h = b.history[i]!;
    h.next_at = b.history[i + 1]?.changed_at ?? null;
    h.first_stay = seen.has(h.status) ? 0 : 1;
    seen.add(h.status);
  }
  if (rnd() < 0.1) boardEdit(b, index, key, board, item, new Date(at).toISOString(), rnd);
}

function boardEdit(
  b: Batch,
  index: number,
  key: string,
  board: string,
  item: string,
  at: string,
  rnd: () => number,
): void {
  const conflict = rnd() < 0.25;
  const eventId = `e:${index}`;
  b.changes.push({
    event_id: eventId,
    customer: null,
    order_key: key,
    board_id: board,
    item_id: item,
    column_id: conflict ? "numbers" : "text",
    column_type: conflict ? "numbers" : "text",
    kind: conflict ? "CONFLICT" : "EDIT",
    resolution: conflict ? "db-wins" : "written-back",
    value: JSON.stringify({ value: conflict ? "120" : "note from planner" }),
    previous_value: JSON.stringify({ value: conflict ? "100" : "" }),
    canonical_value: conflict ? "120" : "note from planner",
    canonical_previous: conflict ? "100" : "",
    user_id: String(100 + (index % 5)),
    changed_at: at,
    recorded_at: at,
  });
  const pending = rnd() < 0.05;
  b.inbox.push({
    event_id: eventId,
    board_id: board,
    item_id: item,
    event_type: "update_column_value",
    origin: "webhook",
    body: JSON.stringify({ event: { pulseId: item, boardId: board } }),
    status: pending ? "PENDING" : "APPLIED",
    received_at: at,
    applied_at: pending ? null : at,
    last_error: null,
  });
}

/** Rows per INSERT for a table of `columns` columns: under every engine's parameter limit. */
const perInsert = (columns: number) => Math.max(1, Math.floor(2000 / columns));

async function flush(db: Db, b: Batch): Promise<void> {
  await db.kysely.transaction().execute(async (trx) => {
    for (let i = 0; i < b.history.length; i += perInsert(11))
      await trx
        .insertInto("MON_StatusHistory")
        .values(b.history.slice(i, i + perInsert(11)))
        .execute();
    for (let i = 0; i < b.changes.length; i += perInsert(16))
      await trx
        .insertInto("MON_BoardChanges")
        .values(b.changes.slice(i, i + perInsert(16)))
        .execute();
    for (let i = 0; i < b.inbox.length; i += perInsert(11))
      await trx
        .insertInto("MON_WebhookInbox")
        .values(b.inbox.slice(i, i + perInsert(11)))
        .execute();
  });
}

/**
 * Writes the two-way records of demo orders `0..count-1` generated with `seed` (the seed given to
 * `writeDemoOrders`): two to four status changes an order, a board edit for about one in ten (a quarter
 * of them conflicts), and an inbox event for each edit (about 5% still PENDING).
 */
export async function writeTwoWayRecords(
  db: Db,
  opts: { count: number; seed: number; startIndex?: number },
): Promise<TwoWayCounts> {
  const rnd = mulberry32(opts.seed ^ 0x5eed);
  const counts: TwoWayCounts = { history: 0, boardChanges: 0, inbox: 0 };
  let b: Batch = { history: [], changes: [], inbox: [] };
  let index = opts.startIndex ?? 0;
  for (const row of generateOrders({ count: opts.count, seed: opts.seed, startIndex: index })) {
    orderRecords(b, index++, row, rnd);
    if (b.history.length >= 20_000) {
      await flush(db, b);
      counts.history += b.history.length;
      counts.boardChanges += b.changes.length;
      counts.inbox += b.inbox.length;
      b = { history: [], changes: [], inbox: [] };
    }
  }
  await flush(db, b);
  counts.history += b.history.length;
  counts.boardChanges += b.changes.length;
  counts.inbox += b.inbox.length;
  return counts;
}
