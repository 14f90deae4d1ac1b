import { quarantineCounts } from "../../quality/index.js";
import { stagingCounts } from "../../stage/index.js";
import { recentRuns } from "../../runlog/index.js";
import { heldCounts } from "../../state/index.js";
import { currentLeases, type MondayStats } from "../../sync/index.js";
import { inboxState, type InboxState } from "../../webhooks/index.js";
import { openReadOnlyContext, type CommandContext, type GlobalOptions } from "../context.js";
import { plural, printJson, table } from "../output.js";

async function lastRuns(db: CommandContext["db"], limit: number) {
  const rows = await recentRuns(db, limit);
  return rows.map((r) => ({
    batchId: r.batch_id,
    command: r.command,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    apiRequests: Number(r.api_requests ?? 0),
    counts: r.counts ? (JSON.parse(r.counts) as Record<string, number> & { monday?: MondayStats }) : null,
    error: r.error,
  }));
}

/** Retries by error class, readably (`ServerError ×4, RateLimitError ×1`), `none` for none. */
function formatRetries(retries: Record<string, number>): string {
  const parts = Object.entries(retries)
    .filter(([, n]) => n > 0)
    .map(([cls, n]) => `${cls} ×${n}`);
  return parts.length ? parts.join(", ") : "none";
}

/**
 * The inbox line: events by state, its depth (PENDING), the oldest one's arrival and lag, and whether that
 * lag is beyond `serve.webhooks.inboxMaxLagSeconds` (when `/health` is unhealthy).
 */
function inboxLine(inbox: InboxState, maxLagSeconds: number): string {
  const counts = Object.entries(inbox.counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(", ");
  const lag = inbox.oldestPending
    ? `; depth ${inbox.pending}, oldest PENDING since ${inbox.oldestPending}, lag ${inbox.lagSeconds} s` +
      (inbox.lagSeconds > maxLagSeconds
        ? ` (more than serve.webhooks.inboxMaxLagSeconds, ${maxLagSeconds} s)`
        : "")
    : "; depth 0";
  return `webhook inbox: ${counts}${lag}\n`;
}

/** `order-sync status`: staged rows by state (old PENDING rows are a problem), the last runs, and the customers being synced right now. */
export async function statusCommand(global: GlobalOptions): Promise<number> {
  const ctx = await openReadOnlyContext(global, "migrated");
  try {
    const staging = await stagingCounts(ctx.db);
    const runs = await lastRuns(ctx.db, 5);
    const monday = (runs[0]?.counts as { monday?: MondayStats } | null)?.monday ?? null;
    const leases = await currentLeases(ctx.db);
    const quarantined = await quarantineCounts(ctx.db);
    const held = await heldCounts(ctx.db);
    const webhookInbox = await inboxState(ctx.db);
    if (global.json)
      printJson({
        staging,
        quarantined,
        runs,
        monday,
        leases,
        held,
        webhookInbox: {
          ...webhookInbox,
          maxLagSeconds: ctx.settings.config.serve.webhooks.inboxMaxLagSeconds,
        },
      });
    else {
      process.stdout.write(
        staging.length
          ? `staging:\n${table(
              ["table", "state", "rows"],
              staging.map((s) => [s.table, s.status, s.count]),
            )}\n`
          : "staging: empty\n",
      );
      if (quarantined.length)
        process.stdout.write(
          `held back by data quality (MON_Quarantine; \`order-sync validate\` says why):\n${table(
            ["customer", "orders"],
            quarantined.map((q) => [q.customer, q.orders]),
          )}\n`,
        );
      process.stdout.write(
        runs.length
          ? `last runs:\n${table(
              [
                "batch",
                "status",
                "started",
                "created",
                "updated",
                "archived",
                "adopted",
                "failed",
                "requests",
              ],
              runs.map((r) => [
                r.batchId,
                r.status ?? "",
                r.startedAt ?? "",
                r.counts?.created ?? 0,
                r.counts?.updated ?? 0,
                r.counts?.archived ?? 0,
                r.counts?.adopted ?? 0,
                (r.counts?.failed ?? 0) + (r.counts?.dead ?? 0),
                r.apiRequests,
              ]),
            )}\n`
          : `no runs yet${ctx.firstRun ? ` (${ctx.settings.db.url} has no order-sync tables yet: the first sync creates them)` : ""}\n`,
      );
      if (leases.length)
        process.stdout.write(
          `customers being synced (leases in MON_SyncLocks):\n${table(
            ["customer", "held by", "batch", "since", "expires"],
            leases.map((l) => [
              l.customer,
              l.owner,
              l.batchId,
              l.acquiredAt,
              `${l.expiresAt}${l.lapsed ? " (lapsed)" : ""}`,
            ]),
          )}\n`,
        );
      if (held.length)
        process.stdout.write(
          `orders held by a rollback (MON_RollbackHolds; order-sync release ends them):\n${table(
            ["customer", "rolled-back batch", "orders"],
            held.map((h) => [h.customer, h.batchId, h.count]),
          )}\n`,
        );
      if (monday)
        process.stdout.write(
          `monday.com after the last run: circuit breaker ${monday.breakerState}, ${plural(monday.requests, "request")}, ` +
            `retries: ${formatRetries(monday.retries)}, ${plural(monday.budgetWaits, "wait")} for complexity budget (${monday.budgetWaitMs} ms)\n`,
        );
      if (Object.keys(webhookInbox.counts).length)
        process.stdout.write(inboxLine(webhookInbox, ctx.settings.config.serve.webhooks.inboxMaxLagSeconds));
    }
    return 0;
  } finally {
    await ctx.close();
  }
}

/** `order-sync runs`: the run log, newest first. */
export async function runsCommand(opts: { limit: string }, global: GlobalOptions): Promise<number> {
  const ctx = await openReadOnlyContext(global, "migrated");
  try {
    const runs = await lastRuns(ctx.db, Math.max(1, Number(opts.limit) || 20));
    if (global.json) printJson(runs);
    else
      process.stdout.write(
        `${table(
          ["batch", "command", "status", "started", "finished", "requests", "error"],
          runs.map((r) => [
            r.batchId,
            r.command ?? "",
            r.status ?? "",
            r.startedAt ?? "",
            r.finishedAt ?? "",
            r.apiRequests,
            (r.error ?? "").split("\n")[0] ?? "",
          ]),
        )}\n`,
      );
    return 0;
  } finally {
    await ctx.close();
  }
}
