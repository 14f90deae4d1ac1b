import { ConfigError, loadSettings, type Settings } from "../config/index.js";
import { openDatabase, type Db } from "../db/index.js";
import { createLogger, type Logger } from "../observe/index.js";
import { createMondayPort } from "../sync/monday-adapter.js";
import type { SyncMonday } from "../sync/index.js";

/** Options every command takes. */
export interface GlobalOptions {
  config: string;
  json?: boolean;
  logLevel?: string;
}

/** What a command works with; `close()` releases the database. */
export interface CommandContext {
  settings: Settings;
  db: Db;
  log: Logger;
  close(): Promise<void>;
}

/** Loads the config (exit 2 on any problem) and opens the database. */
export async function openContext(
  opts: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandContext> {
  const log = createLogger({ level: opts.logLevel ?? (opts.json ? "warn" : "info") });
  const settings = loadSettings(opts.config, env);
  const db = await openDatabase(settings.db);
  return { settings, db, log, close: () => db.close() };
}

/** The monday.com port for the sync engine, over HTTP (the real API or the emulator) with retries, budget and breaker. */
export function mondayFor(settings: Settings): SyncMonday {
  if (!settings.monday.token)
    throw new ConfigError(
      "MONDAY_API_TOKEN is not set: export your monday.com API token (any non-empty value works with the emulator)",
    );
  return createMondayPort(settings, settings.monday.token);
}
