import type { Command } from "commander";
import { migrateToLatest } from "../../db/index.js";
import { EXIT } from "../../errors/index.js";
import { attachSyncLogging } from "../../observe/index.js";
import { cliActor, discardOrders, retryOrders, type OrderOutcome } from "../../operator/index.js";
import { openContext, type GlobalOptions } from "../context.js";
import { formatSummary, printJson, summaryJson, table } from "../output.js";

interface RetryFlags {
  customer?: string[];
  allDead?: boolean;
  now?: boolean;
}

/** A key or name as the terminal shows it: JSON-quoted, so control characters never reach it raw. */
const shown = (s: string) => JSON.stringify(s);

function outcomeTable(outcomes: readonly OrderOutcome[]): string {
  return table(
    ["customer", "order", "was", "result", "what"],
    outcomes.map((o) => [shown(o.customer), shown(o.orderKey), o.state, o.result, o.detail]),
  );
}

/**
 * `order-sync retry <key...> [--customer C ...] [--all-dead] [--now]`: makes FAILED, DEAD, QUARANTINED and
 * discarded orders eligible again (audited in `MON_OperatorActions`); `--now` syncs their customers at once.
 * An unknown key is one line and exit 2, with nothing done.
 */
export async function retryCommand(keys: string[], opts: RetryFlags, global: GlobalOptions): Promise<number> {
  if (keys.length === 0 && !opts.allDead) {
    process.stderr.write("order-sync: retry needs order keys, or --all-dead\n");
    return EXIT.config;
  }
  const ctx = await openContext(global);
  try {
    await migrateToLatest(ctx.db);
    const outcomes = await retryOrders(
      ctx.db,
      { keys, ...(opts.customer ? { customers: opts.customer } : {}), allDead: opts.allDead ?? false },
      cliActor(),
    );
    const customers = [...new Set(outcomes.map((o) => o.customer))];
    let run;
    if (opts.now && customers.length) {
      attachSyncLogging(ctx.app.events, ctx.log);
      run = await ctx.app.sync({ customers, command: "retry" });
    }
    if (global.json) printJson({ retried: outcomes, ...(run ? { run: summaryJson(run) } : {}) });
    else {
      const hint =
        customers.length && !run
          ? [`next: order-sync sync --customer ${customers.map(shown).join(" ")} (or retry --now)`]
          : [];
      const lines = [outcomes.length ? outcomeTable(outcomes) : "no orders to retry", ...hint];
      if (run) lines.push(formatSummary(run, { quiet: global.quiet }));
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    return run?.exitCode ?? 0;
  } finally {
    await ctx.close();
  }
}

/**
 * `order-sync discard <key...> [--customer C ...]`: DEAD orders the sync then leaves alone until their source
 * changes (audited); nothing on the board changes. A key that is unknown or not DEAD is one line and exit 2.
 */
export async function discardCommand(
  keys: string[],
  opts: { customer?: string[] },
  global: GlobalOptions,
): Promise<number> {
  const ctx = await openContext(global);
  try {
    await migrateToLatest(ctx.db);
    const outcomes = await discardOrders(
      ctx.db,
      { keys, ...(opts.customer ? { customers: opts.customer } : {}) },
      cliActor(),
    );
    if (global.json) printJson({ discarded: outcomes });
    else process.stdout.write(`${outcomeTable(outcomes)}\n`);
    return 0;
  } finally {
    await ctx.close();
  }
}

type Run = (fn: (...args: never[]) => Promise<number>) => (...args: unknown[]) => Promise<void>;

/** Registers `retry` and `discard` on the program (one line in main.ts). */
export function registerOperatorCommands(
  program: Command,
  run: Run,
  global: (cmd: Command) => GlobalOptions,
): void {
  program
    .command("retry")
    .description(
      "make FAILED, DEAD, QUARANTINED or discarded orders eligible again, so the next sync sends them (recorded in MON_OperatorActions)",
    )
    .argument("[key...]", "order keys (see order-sync failures)")
    .option("--customer <name...>", "only these customers' orders")
    .option("--all-dead", "every DEAD order (of --customer, when given)")
    .option("--now", "sync the customers of the orders retried right away")
    .action(run((keys: string[], o: RetryFlags, cmd: Command) => retryCommand(keys, o, global(cmd))));
  program
    .command("discard")
    .description(
      "leave DEAD orders alone until their source changes; nothing on the board changes (recorded in MON_OperatorActions)",
    )
    .argument("<key...>", "order keys of DEAD orders (see order-sync failures)")
    .option("--customer <name...>", "only these customers' orders")
    .action(
      run((keys: string[], o: { customer?: string[] }, cmd: Command) => discardCommand(keys, o, global(cmd))),
    );
}
