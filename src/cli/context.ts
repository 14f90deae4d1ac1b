import { createApp, type App } from "../app.js";
import { loadSettings, type Settings } from "../config/index.js";
import {
  appliedMigrations,
  DatabaseError,
  describePostgresUrl,
  migrateToLatest,
  migrations,
  openDatabase,
  openSqliteCopy,
  type Db,
} from "../db/index.js";
import { createLogger, type Logger } from "../observe/index.js";

/** Options every command takes. */
export interface GlobalOptions {
  config: string;
  json?: boolean;
  logLevel?: string;
  /** `pretty` (the default on a terminal) or `json` (the default elsewhere). */
  logFormat?: "pretty" | "json";
  /** Append the JSON log lines to this file instead of stderr. */
  logFile?: string;
  /** Errors only: no progress, no info lines, the summary's first line. */
  quiet?: boolean;
}

/**
 * The command's logger: level from `--log-level` (else warn with `--json` or `--quiet`, info otherwise),
 * format from `--log-format`, `--log-file`; `write` is where stderr lines go (the live display's `print`).
 */
export function loggerFor(
  opts: GlobalOptions,
  write?: (text: string) => void,
  defaultLevel = "info",
): Logger {
  const level = opts.logLevel ?? (opts.quiet ? "error" : opts.json ? "warn" : defaultLevel);
  return createLogger({
    level,
    ...(opts.logFormat ? { pretty: opts.logFormat === "pretty" } : {}),
    ...(opts.logFile ? { file: opts.logFile } : {}),
    ...(write ? { write } : {}),
  });
}

/** What a command works with: the app (see `src/app.ts`) and a logger; `close()` releases the database. */
export interface CommandContext {
  app: App;
  settings: Settings;
  db: Db;
  log: Logger;
  close(): Promise<void>;
}

/** Loads the config (exit 2 on any problem) and wires the app, opening the database. */
export async function openContext(
  opts: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
  write?: (text: string) => void,
): Promise<CommandContext> {
  const log = loggerFor(opts, write);
  const app = await createApp(loadSettings(opts.config, env));
  return { app, settings: app.settings, db: app.db, log, close: () => app.close() };
}

/**
 * What the read-only commands need of order-sync's own tables: `none` (doctor, validate: they read only the
 * source), or `migrated` (plan, status, runs: they read the sync state and the run log as well).
 */
export type OwnTables = "none" | "migrated";

/**
 * The context of a read-only command (`plan`, `validate`, `doctor`, `status`, `runs`): the database is
 * opened read-only and must exist (a missing SQLite file is an error naming it, exit 2), and nothing is
 * created or migrated in it. When a command needs order-sync's tables and the database lacks some of
 * them (a first run), a SQLite file is read into a private in-memory copy that is migrated instead, so
 * the command answers as for a first run; on PostgreSQL that is an error saying to run `migrate`.
 */
export async function openReadOnlyContext(
  opts: GlobalOptions,
  tables: OwnTables,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandContext & { firstRun: boolean }> {
  const log = loggerFor(opts);
  const settings = loadSettings(opts.config, env);
  let db = await openDatabase(settings.db, { readOnly: true });
  let firstRun = false;
  if (tables === "migrated") {
    const pending = await pendingMigrations(db);
    if (pending.length) {
      await db.close();
      db = await firstRunCopy(settings, pending);
      firstRun = true;
    }
  }
  const app = await createApp(settings, { db });
  return { app, settings, db, log, firstRun, close: () => db.close() };
}

async function pendingMigrations(db: Db): Promise<string[]> {
  const applied = await appliedMigrations(db);
  return Object.keys(migrations(db.dialect)).filter((m) => !applied.includes(m));
}

async function firstRunCopy(settings: Settings, pending: readonly string[]): Promise<Db> {
  if (settings.db.dialect !== "sqlite")
    throw new DatabaseError(
      `the database at ${describePostgresUrl(settings.db.url)} lacks order-sync's tables (${pending.length} ${pending.length === 1 ? "migration" : "migrations"} pending): run \`order-sync migrate\` first`,
      settings.db.dialect,
      describePostgresUrl(settings.db.url),
    );
  const copy = openSqliteCopy(settings.db.url);
  await migrateToLatest(copy);
  return copy;
}
