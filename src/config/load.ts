import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { dialectOfUrl, UnsupportedDatabaseUrlError, type DbDialect } from "./db-url.js";
import { configSchema, type Config } from "./schema.js";

/** A config problem the user must fix: the CLI prints `message` and exits 2, never a stack trace. */
export class ConfigError extends Error {
  override name = "ConfigError";
  /** Exit code 2: fix the config, the source or the database, then run again. */
  readonly outcome = "config";
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(issues.length ? `${message}\n${issues.map((i) => `  - ${i}`).join("\n")}` : message);
  }
}

/** The config plus what comes from the environment, resolved once per process. */
export interface Settings {
  config: Config;
  /** Folder of the config file: relative SQLite paths resolve against it. */
  baseDir: string;
  db: { dialect: DbDialect; url: string };
  monday: { apiUrl: string; apiVersion: string; token: string | undefined; timeoutMs: number };
}

/** Formats zod issues as `key.path: message`, e.g. `boards[0].keyColumn.type: Invalid option ...`. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const key = issue.path
      .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join("");
    return `${key || "(top level)"}: ${issue.message}`;
  });
}

/** Validates an already-parsed config object. */
export function parseConfig(raw: unknown, origin = "config"): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(`${origin} is not valid:`, formatIssues(result.error));
  return result.data;
}

/**
 * Reads and validates `order-sync.yaml`, then applies the environment:
 * `ORDER_SYNC_DB_URL`, `MONDAY_API_URL`, `MONDAY_API_TOKEN`.
 */
export function loadSettings(path: string, env: NodeJS.ProcessEnv = process.env): Settings {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === "ENOENT"
        ? `config file ${path} not found (run \`order-sync init\` to write a starter config, or pass --config FILE)`
        : `cannot read config file ${path}: ${(e as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    if (e instanceof YAMLParseError) throw new ConfigError(`${path} is not valid YAML: ${e.message}`);
    throw e;
  }
  return resolveSettings(parseConfig(raw, path), dirname(resolve(path)), env);
}

/** The dialect a URL opens (`fallback` for a SQLite path); an unknown scheme is a ConfigError naming `where`. */
function dbDialectOf(url: string, fallback: DbDialect, where: string): DbDialect {
  try {
    return dialectOfUrl(url) ?? fallback;
  } catch (e) {
    if (e instanceof UnsupportedDatabaseUrlError) throw new ConfigError(`${where}: ${e.message}`);
    throw e;
  }
}

/** Applies environment overrides to a validated config. */
export function resolveSettings(
  config: Config,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Settings {
  const envDb = env.ORDER_SYNC_DB_URL?.trim();
  const url = envDb || config.source.url;
  const dialect = dbDialectOf(
    url,
    envDb ? "sqlite" : config.source.dialect,
    envDb ? "ORDER_SYNC_DB_URL" : "source.url",
  );
  const dbUrl =
    dialect === "sqlite"
      ? isAbsolute(url) || url === ":memory:"
        ? url
        : resolve(baseDir, url.replace(/^file:/, ""))
      : url;
  return {
    config,
    baseDir,
    db: { dialect, url: dbUrl },
    monday: {
      apiUrl: env.MONDAY_API_URL?.trim() || config.monday.apiUrl,
      apiVersion: config.monday.apiVersion,
      token: env.MONDAY_API_TOKEN?.trim() || undefined,
      timeoutMs: config.monday.timeoutSeconds * 1000,
    },
  };
}
