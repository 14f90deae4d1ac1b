import type { Command } from "commander";
import { attachSyncLogging } from "../../observe/index.js";
import {
  describeBatch,
  runRollbackTo,
  type Conflict,
  type OrderChange,
  type RollbackSummary,
} from "../../rollback/index.js";
import { migrateToLatest } from "../../db/index.js";
import { EXIT } from "../../errors/index.js";
import { cliActor, recordRollback, releaseHeld, rollbackBatch } from "../../operator/index.js";
import { openContext, type GlobalOptions } from "../context.js";
import { formatSummary, plural, printJson, summaryJson } from "../output.js";

/** A value or key as the terminal shows it: JSON-quoted, control characters (C0, DEL, C1) escaped. */
function shown(value: unknown): string {
  return JSON.stringify(value ?? null).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** One order's lines: an undo (`rollback`), or what a batch did (`runs show`); they have one shape. */
function undoLines(u: OrderChange): string[] {
  const head = `${u.action.padEnd(8)} ${shown(u.customer)} ${shown(u.orderKey)}${u.itemId ? ` item ${u.itemId}` : ""}`;
  return [
    head,
    ...u.columns.map((c) => `           ${shown(c.column)}: ${shown(c.from)} → ${shown(c.to)}`),
    ...u.subitems.map(
      (s) => `           size ${shown(s.size)} ${s.action}: ${shown(s.from)} → ${shown(s.to)}`,
    ),
  ];
}

function conflictLine(c: Conflict): string {
  const what = c.forced ? "overridden (--force)" : "kept";
  return `CONFLICT ${shown(c.customer)} ${shown(c.orderKey)} ${shown(c.column)}: the batch wrote ${shown(c.batch)}, the board holds ${shown(c.board)} (changed by ${c.changedBy}); ${what}`;
}

/** The human report of a rollback (or its dry run). */
function formatRollback(s: RollbackSummary): string {
  const lines = [
    s.dryRun
      ? `dry run: rolling back batch ${s.target} would do this (nothing was written)`
      : `rollback of batch ${s.target}: batch ${s.batchId ?? "-"}`,
    ...s.undo.flatMap(undoLines),
    ...s.conflicts.map(conflictLine),
    `${plural(s.undo.length, "item")} to put back, ${plural(s.conflicts.filter((c) => !c.forced).length, "conflict")} kept, ${s.alreadyUndone} already as before the batch`,
  ];
  if (s.run) lines.push(formatSummary(s.run));
  return lines.join("\n");
}

/** Exit code of a rollback: the run's, or 1 when conflicts were left alone (not everything was put back). */
function exitCode(s: RollbackSummary): number {
  const code = s.run?.exitCode ?? 0;
  return code === 0 && s.conflicts.some((c) => !c.forced) ? 1 : code;
}

interface RollbackFlags {
  customer?: string[];
  dryRun?: boolean;
  force?: boolean;
  delete?: boolean;
  to?: string;
}

/** The one JSON object of a rollback (or, with --to, of each). */
function rollbackJson(s: RollbackSummary): unknown {
  const { run, ...rest } = s;
  return { ...rest, exitCode: exitCode(s), ...(run ? { run: summaryJson(run) } : {}) };
}

/**
 * `order-sync rollback <batch-id>` (or `--to <batch-id>`: every later batch, newest first): undoes batches on
 * the boards (see `src/rollback`).
 */
export async function rollbackCommand(
  batchId: string | undefined,
  opts: RollbackFlags,
  global: GlobalOptions,
): Promise<number> {
  if ((batchId === undefined) === (opts.to === undefined)) {
    process.stderr.write("order-sync: rollback needs a batch id, or --to <batch-id> (not both)\n");
    return EXIT.config;
  }
  const ctx = await openContext(global);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort(new Error(`${signal} received`));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    attachSyncLogging(ctx.app.events, ctx.log);
    const deps = { settings: ctx.settings, db: ctx.db, monday: ctx.app.monday, events: ctx.app.events };
    const common = {
      ...(opts.customer ? { customers: opts.customer } : {}),
      dryRun: opts.dryRun ?? false,
      force: opts.force ?? false,
      delete: opts.delete ?? false,
      signal: stop.signal,
    };
    const summaries = opts.to
      ? await runRollbackTo(deps, { ...common, to: opts.to }).then((all) =>
          recordRollback(ctx.db, all, cliActor()),
        )
      : [await rollbackBatch(deps, { ...common, batchId: batchId! }, cliActor())];
    const code = Math.max(0, ...summaries.map(exitCode));
    if (global.json)
      printJson(
        opts.to
          ? { to: opts.to, exitCode: code, rollbacks: summaries.map(rollbackJson) }
          : rollbackJson(summaries[0]!),
      );
    else
      process.stdout.write(
        `${summaries.map(formatRollback).join("\n\n") || `nothing changed after ${opts.to}`}\n`,
      );
    return code;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await ctx.close();
  }
}

interface ReleaseFlags {
  order?: string[];
  customer?: string[];
  batch?: string;
  all?: boolean;
}

/** `order-sync release`: ends rollback holds, so the next sync pushes those orders again. */
export async function releaseCommand(opts: ReleaseFlags, global: GlobalOptions): Promise<number> {
  if (!opts.all && !opts.order?.length && !opts.customer?.length && opts.batch === undefined) {
    process.stderr.write("order-sync: release needs --order, --customer, --batch or --all\n");
    return EXIT.config;
  }
  const ctx = await openContext(global);
  try {
    await migrateToLatest(ctx.db);
    const released = (
      await releaseHeld(
        ctx.db,
        {
          ...(opts.order ? { orders: opts.order } : {}),
          ...(opts.customer ? { customers: opts.customer } : {}),
          ...(opts.batch !== undefined ? { batchId: opts.batch } : {}),
        },
        cliActor(),
      )
    ).length;
    if (global.json) printJson({ released });
    else process.stdout.write(`released ${released} held orders\n`);
    return 0;
  } finally {
    await ctx.close();
  }
}

/** `order-sync runs show <batch-id>`: what one batch did, order by order, column by column. */
export async function runsShowCommand(batchId: string, global: GlobalOptions): Promise<number> {
  const ctx = await openContext(global);
  try {
    const changes = await describeBatch(ctx.db, batchId);
    if (global.json) printJson({ batchId, changes });
    else
      process.stdout.write(
        `${[`batch ${shown(batchId)}: ${plural(changes.length, "order")} changed`, ...changes.flatMap(undoLines)].join("\n")}\n`,
      );
    return 0;
  } finally {
    await ctx.close();
  }
}

type Run = (fn: (...args: never[]) => Promise<number>) => (...args: unknown[]) => Promise<void>;

/** Registers `rollback` and `release` on the program (one line in main.ts). */
export function registerRollbackCommands(
  program: Command,
  run: Run,
  global: (cmd: Command) => GlobalOptions,
): void {
  program
    .command("rollback")
    .description(
      "undo one batch on the boards from its before-images, only where the board still holds what it wrote; holds the orders",
    )
    .argument("[batch-id]", "the batch to undo (see order-sync runs)")
    .option("--to <batch-id>", "undo every batch after this one, newest first (instead of one batch)")
    .option("--customer <name...>", "only these customers' part of the batch")
    .option("--dry-run", "list exactly what the rollback would do; write nothing")
    .option("--force", "also put back columns changed on the board since the batch (conflicts)")
    .option("--delete", "delete the items the batch created instead of archiving them")
    .action(
      run((batchId: string | undefined, o: RollbackFlags, cmd: Command) =>
        rollbackCommand(batchId, o, global(cmd)),
      ),
    );
  program
    .command("release")
    .description("end rollback holds, so the next sync pushes those orders again")
    .option("--order <key...>", "these orders")
    .option("--customer <name...>", "these customers' held orders")
    .option("--batch <batch-id>", "the orders held by the rollback of this batch")
    .option("--all", "every held order")
    .action(run((o: ReleaseFlags, cmd: Command) => releaseCommand(o, global(cmd))));
  program.commands
    .find((c) => c.name() === "runs")
    ?.command("show")
    .description(
      "what one batch did, order by order and column by column (before → after), from the change log",
    )
    .argument("<batch-id>", "the batch (see order-sync runs)")
    .action(run((batchId: string, _o: unknown, cmd: Command) => runsShowCommand(batchId, global(cmd))));
}
