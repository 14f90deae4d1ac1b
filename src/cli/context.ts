import { createApp, type App } from "../app.js";
import { loadSettings, type Settings } from "../config/index.js";
import type { Db } from "../db/index.js";
import { createLogger, type Logger } from "../observe/index.js";

/** Options every command takes. */
export interface GlobalOptions {
  config: string;
  json?: boolean;
  logLevel?: string;
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
): Promise<CommandContext> {
  const log = createLogger({ level: opts.logLevel ?? (opts.json ? "warn" : "info") });
  const app = await createApp(loadSettings(opts.config, env));
  return { app, settings: app.settings, db: app.db, log, close: () => app.close() };
}
