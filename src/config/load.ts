import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { dialectOfUrl, UnsupportedDatabaseUrlError, type DbDialect } from "./db-url.js";
import { configSchema, type Config } from "./schema.js";
import { hasUserInfo, redactUrl } from "./secrets.js";

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
 * `ORDER_SYNC_DB_URL`, `MONDAY_API_URL`, `MONDAY_API_TOKEN`. A file (or folder) any user can write is
 * used, with a warning through `warn` (stderr by default).
 */
export function loadSettings(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = (m) => process.stderr.write(`order-sync: warning: ${m}\n`),
): Settings {
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
  warnIfWritableByOthers(path, warn);
  return resolveSettings(parseConfig(parseConfigYaml(text, path), path), dirname(resolve(path)), env);
}

/** Most aliases a config may use: a handful in a real file; an alias bomb (billion laughs) uses thousands. */
export const MAX_YAML_ALIASES = 100;

/**
 * The YAML of a config file, as plain data. A syntax error, or an alias bomb (aliases that expand into
 * millions of nodes) refused by yaml's `maxAliasCount`, is a {@link ConfigError}, never a stack trace.
 */
export function parseConfigYaml(text: string, path: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    if (e instanceof YAMLParseError) throw new ConfigError(`${path} is not valid YAML: ${e.message}`);
    if (e instanceof ReferenceError && /alias/i.test(e.message))
      throw new ConfigError(
        `${path} uses YAML aliases that expand too far (at most ${MAX_YAML_ALIASES} alias uses): ${e.message}`,
      );
    throw e;
  }
}

/**
 * Warns when others than the owner may write the config file (or its folder): whoever can edit it can
 * point `monday.apiUrl` elsewhere and so receive the token. POSIX mode bits only (not on Windows).
 */
export function warnIfWritableByOthers(path: string, warn: (message: string) => void): void {
  if (process.platform === "win32") return;
  const full = resolve(path);
  for (const [what, target] of [
    ["config file", full],
    ["folder of the config file", dirname(full)],
  ] as const) {
    let mode: number;
    try {
      const st = statSync(target);
      // A folder with the sticky bit (like /tmp) only lets owners replace their own files.
      if (what !== "config file" && (st.mode & 0o1000) !== 0) continue;
      mode = st.mode;
    } catch {
      continue;
    }
    if ((mode & 0o002) !== 0)
      warn(
        `the ${what} ${target} can be written by any user (mode ${(mode & 0o777).toString(8)}): whoever edits the config can redirect monday.apiUrl and receive the token; run chmod o-w on it`,
      );
  }
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
  const apiUrl = env.MONDAY_API_URL?.trim() || config.monday.apiUrl;
  if (hasUserInfo(apiUrl))
    throw new ConfigError(
      `MONDAY_API_URL must not hold a user name or password (${redactUrl(apiUrl)}): monday.com takes the token from MONDAY_API_TOKEN`,
    );
  return {
    config,
    baseDir,
    db: { dialect, url: dbUrl },
    monday: {
      apiUrl: apiUrlWithPath(apiUrl, !!env.MONDAY_API_URL?.trim()),
      apiVersion: config.monday.apiVersion,
      token: env.MONDAY_API_TOKEN?.trim() || undefined,
      timeoutMs: config.monday.timeoutSeconds * 1000,
    },
  };
}

/**
 * monday's API lives at `/v2`: a URL with no path at all (`http://127.0.0.1:4000`) is a config error that
 * names the URL and suggests the `/v2` one, instead of a 404 at the first request.
 */
function apiUrlWithPath(url: string, fromEnv: boolean): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(
      `${fromEnv ? "MONDAY_API_URL" : "monday.apiUrl"}: ${JSON.stringify(url)} is not a URL`,
    );
  }
  if (parsed.pathname === "/" && !parsed.search)
    throw new ConfigError(
      `${fromEnv ? "MONDAY_API_URL" : "monday.apiUrl"}: ${url} has no path; monday.com's API is at /v2: use ${parsed.origin}/v2`,
    );
  return url;
}
