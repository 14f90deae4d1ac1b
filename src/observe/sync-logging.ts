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
  events.on("stepDone", (e) =>
    log.debug(
      { batchId: e.batchId, customer: e.customer, step: e.step, ms: e.durationMs, ok: e.ok },
      `step ${e.step} done`,
    ),
  );
  events.on("customerDone", (e) => {
    const base = { batchId: e.batchId, customer: e.customer, ms: e.durationMs };
    if (e.skipped)
      log.info({ ...base, reason: e.error }, "customer skipped: another process holds its lease");
    else if (e.stopped) log.warn({ ...base, counts: e.counts, reason: e.error }, "customer stopped");
    else if (e.ok) log.info({ ...base, counts: e.counts }, "customer done");
    else log.error({ ...base, counts: e.counts, error: e.error }, "customer failed");
  });
  events.on("runFailed", (e) =>
    log.error({ batchId: e.batchId, error: e.error, ms: e.durationMs }, "sync run failed before it started"),
  );
  events.on("breakerStateChange", (e) =>
    (e.to === "CLOSED" ? log.info.bind(log) : log.error.bind(log))(
      e,
      `monday.com circuit breaker ${e.from} → ${e.to}`,
    ),
  );
  events.on("runDone", (e) =>
    log.info(
      { batchId: e.batchId, status: e.status, exitCode: e.exitCode, ms: e.durationMs },
      "sync run finished",
    ),
  );
}
