import type { Config } from "../config/index.js";
import type { Db } from "../db/index.js";
import { eventOfLog } from "./event.js";
import { lastEventAt, storeEvent } from "./inbox.js";
import type { WebhooksApi } from "./monday-api.js";

/** Log entries read per request. */
const PAGE = 100;
/** Pages read per board and catch-up at most (10,000 entries). */
const MAX_PAGES = 100;
/** The catch-up reads from this long before the last event that arrived, so nothing at the edge is missed. */
const OVERLAP_MS = 5 * 60_000;

/**
 * Catch-up (issue 14): events lost while `serve` was down longer than monday's 30 minutes of retries are
 * read back from each board's `activity_logs` since the last event that arrived, and stored in the inbox
 * like deliveries (`log:<id>`). Applying them is idempotent: a change already recorded (same item, column
 * and time) is not applied twice, and order-sync's own writes are echoes. Boards that never sent an event
 * are skipped (there is no point to start from). Returns the entries stored.
 */
export async function catchUp(db: Db, api: WebhooksApi, config: Config): Promise<number> {
  let stored = 0;
  for (const board of config.boards) {
    const boardIds = [board.id, ...(board.subitems ? [board.subitems.boardId] : [])];
    const last = await lastEventAt(db, boardIds);
    if (!last) continue;
    const from = new Date(Date.parse(last) - OVERLAP_MS).toISOString();
    for (const boardId of boardIds) {
      for (let page = 1; page <= MAX_PAGES; page++) {
        const logs = await api.activityLogs(boardId, from, page, PAGE);
        for (const log of logs) {
          const event = eventOfLog(boardId, log);
          if (event && (await storeEvent(db, event, "catch-up", log)) === "stored") stored++;
        }
        if (logs.length < PAGE) break;
      }
    }
  }
  return stored;
}
