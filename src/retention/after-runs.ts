import type { Settings } from "../config/index.js";
import type { Db } from "../db/index.js";
import { errorMessage } from "../errors/index.js";
import type { Logger } from "../observe/index.js";
import type { SyncEvents } from "../sync/index.js";
import { hasRetention, prune } from "./prune.js";

/**
 * `serve` applies the retention after every run it finishes (scheduled or asked for), one prune at a time;
 * what went is one info log line, a failure one error line (the next run tries again).
 */
export function pruneAfterRuns(events: SyncEvents, db: Db, settings: Settings, log: Logger): void {
  if (!hasRetention(settings)) return;
  let running = false;
  events.on("runDone", () => {
    if (running) return;
    running = true;
    prune(db, settings)
      .then((r) => log.info({ rows: r.rows, reportFiles: r.reportFiles.length, notes: r.notes }, "pruned"))
      .catch((e: unknown) => log.error({ error: errorMessage(e) }, "prune failed"))
      .finally(() => {
        running = false;
      });
  });
}
