import { Command, CommanderError, Option } from "commander";
import { errorMessage, EXIT, outcomeOf, OUTCOMES } from "../errors/index.js";
import { MondayError } from "../monday/index.js";
import { boardsListCommand } from "./commands/boards-list.js";
import { boardsPullCommand } from "./commands/boards.js";
import { demoCommand } from "./commands/demo.js";
import { doctorCommand } from "./commands/doctor.js";
import { collect, emulatorCommand, SIGNING_SECRET_ENV, type EmulatorFlags } from "./commands/emulator.js";
import { failuresCommand } from "./commands/failures.js";
import { initCommand } from "./commands/init.js";
import { migrateCommand } from "./commands/migrate.js";
import { planCommand } from "./commands/plan.js";
import { pruneCommand } from "./commands/prune.js";
import { registerOperatorCommands } from "./commands/operator.js";
import { registerRollbackCommands } from "./commands/rollback.js";
import { addReconcileCommand } from "./commands/reconcile.js";
import { serveCommand } from "./commands/serve.js";
import { runsCommand, statusCommand } from "./commands/status.js";
import { syncCommand } from "./commands/sync.js";
import { validateCommand, type ValidateFlags } from "./commands/validate.js";
import { addWebhooksCommand } from "./commands/webhooks.js";
import type { GlobalOptions } from "./context.js";

/**
 * A failure the user can act on (an error that carries its outcome: config, source, mapping, database,
 * monday.com unavailable): printed as one message with the outcome's exit code, never as a stack trace.
 */
function userError(e: unknown): { message: string; code: number } | undefined {
  const outcome = outcomeOf(e);
  if (outcome) return { message: errorMessage(e), code: OUTCOMES[outcome].exitCode };
  if (e instanceof MondayError && e.statusCode === 404)
    return {
      message:
        "monday.com answered HTTP 404 (not found): the API URL (MONDAY_API_URL or monday.apiUrl) must end in /v2, e.g. https://api.monday.com/v2 or http://127.0.0.1:4000/v2",
      code: EXIT.config,
    };
  return undefined;
}

/** Commander's own errors (unknown option, missing argument) as one line with a pointer to `--help`. */
function commanderLine(text: string): string {
  const message = text
    .trim()
    .replace(/^error: /, "")
    .replace(/\s*\n\s*/g, " ");
  return `order-sync: ${message} (see order-sync --help, or order-sync <command> --help)\n`;
}

/**
 * A closed stdout (`order-sync status | head -2`) ends the command quietly: the reader has what it wanted.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(EXIT.ok);
    throw e;
  });
}

/** The root command: its global options and help text. */
function rootProgram(): Command {
  return (
    new Command("order-sync")
      // Before any subcommand exists, so every one inherits them: usage errors become one line and exit 2.
      .exitOverride()
      .configureOutput({ outputError: (text, write) => write(commanderLine(text)) })
      .description("Keeps monday.com boards in step with an orders database: staging → monday.com → clear.")
      .option("-c, --config <file>", "config file", "order-sync.yaml")
      .option("--json", "print one JSON summary on stdout (logs go to stderr)")
      .addOption(
        new Option("--log-level <level>", "log level").choices([
          "fatal",
          "error",
          "warn",
          "info",
          "debug",
          "trace",
          "silent",
        ]),
      )
      .addOption(
        new Option("--log-format <format>", "log lines: pretty (default on a terminal) or json").choices([
          "pretty",
          "json",
        ]),
      )
      .option("--log-file <file>", "append the JSON log lines to this file instead of stderr")
      .option("-q, --quiet", "errors only: no progress display, no info log lines, a one-line summary")
      .addHelpText(
        "after",
        `
Environment:
  MONDAY_API_TOKEN    monday.com API token (for the emulator: any non-empty value, or one given with --user/--token)
  MONDAY_SIGNING_SECRET  emulator: the HS256 secret of --app-token webhooks (instead of --signing-secret);
                      serve: verifies the JWT of webhooks an app created
  MONDAY_API_URL      overrides monday.apiUrl, e.g. http://127.0.0.1:4000/v2 for the emulator
  ORDER_SYNC_DB_URL   database URL (postgres://…) or SQLite file; overrides source.url
  ORDER_SYNC_API_TOKEN  serve: bearer token POST /api/sync requires (without it, only loopback callers)
  ORDER_SYNC_WEBHOOK_SECRET  serve: the webhook endpoint's path secret (turns two-way sync on)

Exit codes: 0 all good; 1 some rows failed; 2 usage or config error; 3 halted by a data-quality failure;
4 monday.com unavailable (circuit breaker open, unreachable, token refused, daily limit).`,
      )
  );
}

/** Wraps a command handler so that its exit code reaches `exit`. */
type Run = (fn: (...args: never[]) => Promise<number>) => (...args: unknown[]) => Promise<void>;

const global = (cmd: Command): GlobalOptions => cmd.optsWithGlobals<GlobalOptions>();

/** The commands that set up and sync: init, migrate, plan, sync, validate. */
function addDataCommands(program: Command, run: Run): void {
  program
    .command("init")
    .description(
      "write a starter order-sync.yaml and a SQLite demo database (order-sync.db) holding ORDERS_UNIFIED",
    )
    .option("-d, --dir <dir>", "folder to write into", ".")
    .option("-n, --orders <n>", "demo orders to generate", "2000")
    .option("--seed <n>", "random seed of the demo data", "42")
    .option("-f, --force", "overwrite existing files")
    .option(
      "--from-board <id>",
      "write only order-sync.yaml, mapped from this board's columns and subitems board (see boards list); no database",
    )
    .action(
      run(
        (
          o: { dir: string; orders: string; seed: string; force?: boolean; fromBoard?: string },
          cmd: Command,
        ) => initCommand(o, global(cmd)),
      ),
    );

  program
    .command("migrate")
    .description("create or upgrade order-sync's own tables (sync also does this)")
    .action(run((_o: unknown, cmd: Command) => migrateCommand(global(cmd))));

  program
    .command("plan")
    .description(
      "dry run: what sync would create, update and archive, column by column; no writes to monday.com",
    )
    .option("--customer <name...>", "only these customers")
    .option("--limit <n>", "changes to list (all in --json)", "50")
    .action(run((o: { customer?: string[]; limit: string }, cmd: Command) => planCommand(o, global(cmd))));

  addReconcileCommand(program, run, global);

  program
    .command("sync")
    .description(
      "push new and changed orders to monday.com (read → detect → validate → stage → push → record → clear)",
    )
    .option("--customer <name...>", "only these customers")
    .action(run((o: { customer?: string[] }, cmd: Command) => syncCommand(o, global(cmd))));

  program
    .command("validate")
    .description(
      "data-quality report of every open order (terminal, JSON and HTML); writes nothing to the database or monday.com",
    )
    .option("--customer <name...>", "only these customers")
    .option("--report-dir <dir>", "where to write the JSON and HTML report (default: quality.reportDir)")
    .addOption(
      new Option("--severity <level>", "list only issues of this severity or above").choices([
        "INFO",
        "WARNING",
        "ERROR",
        "CRITICAL",
      ]),
    )
    .option("--limit <n>", "issues to list on the terminal, most severe first", "20")
    .action(run((o: ValidateFlags, cmd: Command) => validateCommand(o, global(cmd))));
}

/** The commands that inspect: boards, doctor, status, failures, runs. */
function addInspectCommands(program: Command, run: Run): void {
  const boards = program.command("boards").description("board schemas");
  boards
    .command("pull")
    .description("show every mapped board's live columns (type, labels) and groups, and save them as JSON")
    .option("-o, --out <file>", "where to save them (relative to the config file)", "boards.json")
    .action(run((o: { out?: string }, cmd: Command) => boardsPullCommand(o, global(cmd))));
  boards
    .command("list")
    .description(
      "every board the token can see: id, kind, subitems board and columns (id, title, type); needs no config file; writes nothing",
    )
    .action(
      run((_o: unknown, cmd: Command) =>
        boardsListCommand(global(cmd), cmd.getOptionValueSourceWithGlobals("config") !== "default"),
      ),
    );

  program
    .command("doctor")
    .description("check the database, the source table, the token and every board mapping; writes nothing")
    .action(run((_o: unknown, cmd: Command) => doctorCommand(global(cmd))));

  program
    .command("status")
    .description(
      "staged rows by state, the last runs, the circuit breaker after the last run, and customers being synced now",
    )
    .action(run((_o: unknown, cmd: Command) => statusCommand(global(cmd))));

  program
    .command("failures")
    .description(
      "every FAILED, DEAD and QUARANTINED order with its error, attempts and last try; writes nothing",
    )
    .option("--customer <name...>", "only these customers")
    .action(run((o: { customer?: string[] }, cmd: Command) => failuresCommand(o, global(cmd))));

  program
    .command("prune")
    .description(
      "apply the config's retention: superseded change-log entries, old finished runs with no change log left, old per-run report files",
    )
    .option("--dry-run", "only print what would be removed (opens the database read-only)")
    .action(run((o: { dryRun?: boolean }, cmd: Command) => pruneCommand(o, global(cmd))));

  program
    .command("runs")
    .description("the run log (MON_SyncRuns), newest first")
    .option("--limit <n>", "runs to list", "20")
    .action(run((o: { limit: string }, cmd: Command) => runsCommand(o, global(cmd))));
  registerRollbackCommands(program, run, global);
  registerOperatorCommands(program, run, global);
}

/** The long-running commands: serve, emulator, demo. */
function addServiceCommands(program: Command, run: Run): void {
  program
    .command("serve")
    .description(
      "HTTP server (the dashboard at /, /metrics, /health, /health/live, /health/ready, POST /api/sync, /api/runs, /api/analytics; POST /webhooks/monday/<secret> with ORDER_SYNC_WEBHOOK_SECRET) and scheduled syncs (serve.schedule); SIGTERM finishes the request in flight and exits",
    )
    .option("-p, --port <n>", "port (default: serve.port, 8080)")
    .option("--host <host>", "address to listen on (default: serve.host, 127.0.0.1)")
    .action(run((o: { port?: string; host?: string }, cmd: Command) => serveCommand(o, global(cmd))));

  program
    .command("emulator")
    .description("serve the built-in monday.com API emulator at http://HOST:PORT/v2")
    .option("-p, --port <n>", "port", "4000")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option(
      "--token <token>",
      "a token of the default user; with any --token or --user, other tokens get monday's 401 (default: any non-empty token is the default user)",
    )
    .option(
      "--user <token=name>",
      "a user of the account and its token (repeatable; the same name twice is one user with two tokens)",
      collect,
    )
    .option(
      "--app-token <token>",
      "marks a token as an app's OAuth token: webhooks it creates are signed (repeatable)",
      collect,
    )
    .option(
      "--signing-secret <secret>",
      `HS256 secret that signs app-token webhooks (or ${SIGNING_SECRET_ENV}; never printed)`,
    )
    .option("--latency <ms>", "added response latency", "0")
    .option(
      "--limits",
      "enforce monday.com's limits (the default): complexity budget, per-query cap, requests a minute, concurrency",
    )
    .option("--no-limits", "turn monday.com's limits off for fast trials (the time scale stays)")
    .option("--budget <points>", "complexity budget a minute (when limits are on)", "10000000")
    .option(
      "--time-scale <x>",
      "run the emulator's clock x times faster (budget windows, retry_in_seconds)",
      "1",
    )
    .option(
      "--faults <spec>",
      "inject faults, e.g. rate_limit=0.05,server_error=0.05,timeout=0.02,drop_after_commit=0.05",
    )
    .option("--seed <n>", "seed of the fault and latency draws", "1")
    .action(
      run((o: EmulatorFlags, cmd: Command) =>
        emulatorCommand(
          o,
          cmd.optsWithGlobals<GlobalOptions>(),
          cmd.getOptionValueSourceWithGlobals("config") === "default",
        ),
      ),
    );

  program
    .command("demo")
    .description("end-to-end demo: demo database + in-process emulator, sync, change some orders, sync again")
    .option("-d, --dir <dir>", "folder for the demo's config and database", "order-sync-demo")
    .option("-n, --orders <n>", "demo orders", "2000")
    .action(run((o: { dir: string; orders: string }, cmd: Command) => demoCommand(o, global(cmd))));
  addWebhooksCommand(program, run, global);
}

/** Builds the `order-sync` program; each command sets `process.exitCode`-style results through `exit`. */
export function buildProgram(exit: (code: number) => void): Command {
  const program = rootProgram();
  const run: Run =
    (fn: (...args: never[]) => Promise<number>) =>
    async (...args: unknown[]) => {
      exit(await (fn as (...a: unknown[]) => Promise<number>)(...args));
    };
  addDataCommands(program, run);
  addInspectCommands(program, run);
  addServiceCommands(program, run);
  return program;
}

/**
 * Runs the CLI and returns the exit code (DESIGN.md: 0 ok, 1 rows failed, 2 usage/config, 3 halted,
 * 4 monday.com unavailable). User errors print one clear message; only bugs print a stack.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  quietOnClosedPipe(process.stdout);
  try {
    await program.parseAsync(argv as string[]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT.config;
    const known = userError(e);
    if (known) {
      process.stderr.write(`order-sync: ${known.message}\n`);
      return known.code;
    }
    process.stderr.write(
      `order-sync: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    return 1;
  }
}
