import type { Logger } from "pino";
import type { SyncEvents } from "../sync/index.js";

/** Turns sync events into log lines carrying the batch and customer ids. */
export function attachSyncLogging(events: SyncEvents, log: Logger): void {
  events.on("runStarted", (e) =>
    log.info({ batchId: e.batchId, customers: e.customers }, "sync run started"),
  );
  events.on("customerStarted", (e) =>
    log.debug({ batchId: e.batchId, customer: e.customer }, "customer started"),
  );
  events.on("adopted", (e) =>
    log.warn(
      { customer: e.customer, orderKey: e.orderKey, itemId: e.itemId },
      "adopted an item created by an interrupted run",
    ),
  );
  events.on("rowFailed", (e) => log.warn(e, "row failed"));
  events.on("customerDone", (e) =>
    e.ok
      ? log.info({ batchId: e.batchId, customer: e.customer, ms: e.durationMs }, "customer done")
      : log.error({ batchId: e.batchId, customer: e.customer, error: e.error }, "customer failed"),
  );
  events.on("breakerStateChange", (e) =>
    (e.to === "CLOSED" ? log.info.bind(log) : log.error.bind(log))(
      e,
      `monday.com circuit breaker ${e.from} → ${e.to}`,
    ),
  );
  events.on("runDone", (e) =>
    log.info({ batchId: e.batchId, status: e.status, ms: e.durationMs }, "sync run finished"),
  );
}
