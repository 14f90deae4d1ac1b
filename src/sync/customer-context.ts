import type { CustomerConfig, Settings } from "../config/index.js";
import type { Db } from "../db/index.js";
import type { ResolvedBoard } from "../mapping/index.js";
import type { BoardLocks } from "./board-locks.js";
import type { SyncEvents } from "./events.js";
import type { SyncMonday } from "./port.js";
import type { GroupDirectory } from "./group-directory.js";

/** Everything one customer's run needs; read-only for the steps. */
export interface CustomerRunContext {
  settings: Settings;
  db: Db;
  monday: SyncMonday;
  events: SyncEvents;
  batchId: string;
  customer: CustomerConfig;
  board: ResolvedBoard;
  /** Aborted on shutdown (SIGTERM) or a lost lease: the push stops after the request in flight is recorded. */
  signal?: AbortSignal;
}

/**
 * What the customers of one run use together: the groups known per board and the boards' write locks.
 * Both are safe to share (they serialise their own writes); nothing else is shared between customers.
 */
export interface SharedBoards {
  groups: GroupDirectory;
  locks: BoardLocks;
  /** Each board's active items as read with its schema at the start of the run (before any write). */
  itemCounts?: ReadonlyMap<string, number | null>;
}
