import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError, parseConfig, type Config } from "../../config/index.js";
import { FaultSpecError, parseFaultSpec, startEmulator, type Emulator } from "../../emulator/index.js";
import { emulatorBoards } from "../emulator-boards.js";
import type { GlobalOptions } from "../context.js";
import { positiveInt } from "./init.js";
import { listenError } from "./serve.js";

function positiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new ConfigError(`${flag} must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}

function readConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new ConfigError(`config file ${path} not found`);
  }
  try {
    return parseConfig(parseYaml(text), path);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`${path} is not valid YAML: ${(e as Error).message}`);
  }
}

/**
 * `order-sync emulator --port N [--config FILE] [--token T] [--user TOKEN=NAME]... [--app-token T]...`: serves
 * the emulated API at `http://HOST:N/v2`; with a config (given, or `order-sync.yaml` when present) its boards,
 * groups and columns exist from the start with the config's ids. monday's limits are on unless `--no-limits`.
 * Runs until SIGINT/SIGTERM.
 */
export interface EmulatorFlags {
  port: string;
  host: string;
  token?: string;
  /** `--user TOKEN=NAME`, repeatable. */
  user?: string[];
  /** `--app-token TOKEN`, repeatable. */
  appToken?: string[];
  signingSecret?: string;
  latency: string;
  /** `false` with `--no-limits`; on otherwise. */
  limits?: boolean;
  budget: string;
  timeScale: string;
  faults?: string;
  seed: string;
}

/** The environment variable that may hold `--signing-secret` (a secret is better kept off the command line). */
export const SIGNING_SECRET_ENV = "MONDAY_SIGNING_SECRET";

/** Commander's collector of a repeatable flag. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `TOKEN=NAME` of `--user` (split at the first `=`, so a name may hold one). */
export function parseUserFlag(value: string): { token: string; name: string } {
  const at = value.indexOf("=");
  const token = at < 0 ? "" : value.slice(0, at).trim();
  const name = at < 0 ? "" : value.slice(at + 1).trim();
  // The value is not echoed: it holds a token.
  if (!token || !name) throw new ConfigError("--user must be <token>=<name>, both non-empty");
  return { token, name };
}

function parseAppTokens(values: readonly string[]): string[] {
  const blank = values.find((t) => t.trim() === "");
  if (blank !== undefined) throw new ConfigError("--app-token must not be empty");
  return values.map((t) => t.trim());
}

/** The users, app tokens and signing secret the flags (and the environment) give. */
function userOptions(opts: EmulatorFlags, env: NodeJS.ProcessEnv) {
  const users = (opts.user ?? []).map(parseUserFlag);
  const appTokens = parseAppTokens(opts.appToken ?? []);
  const signingSecret = opts.signingSecret ?? env[SIGNING_SECRET_ENV];
  if (appTokens.length > 0 && !signingSecret)
    throw new ConfigError(
      `--app-token needs --signing-secret (or ${SIGNING_SECRET_ENV}): app webhooks are signed with it`,
    );
  return {
    ...(users.length > 0 || appTokens.length > 0 ? { users: { users, appTokens } } : {}),
    ...(signingSecret ? { signingSecret } : {}),
  };
}

function parseFaults(spec: string | undefined) {
  if (!spec) return {};
  try {
    return parseFaultSpec(spec);
  } catch (e) {
    if (e instanceof FaultSpecError) throw new ConfigError(`--faults: ${e.message}`);
    throw e;
  }
}

/** One line on what the emulator enforces and whom it knows (names only: tokens and secrets stay unprinted). */
function describeSetup(emulator: Emulator): string {
  const limits = emulator.limitSettings().enforceLimits ? "on (--no-limits turns them off)" : "off";
  const users = emulator.users.list().map((u) => u.name);
  const who = emulator.users.isClosed
    ? `users: ${users.join(", ")}`
    : "any non-empty token is the default user";
  return `monday.com limits ${limits}; ${who}`;
}

export async function emulatorCommand(
  opts: EmulatorFlags,
  global: GlobalOptions,
  configIsDefault: boolean,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const port = positiveInt(opts.port, "--port", 65535);
  const config = !configIsDefault || existsSync(global.config) ? readConfig(global.config) : undefined;
  const emulator = await startEmulator({
    port,
    host: opts.host,
    ...(opts.token ? { token: opts.token } : {}),
    ...userOptions(opts, env),
    ...(config ? { boards: emulatorBoards(config) } : {}),
    latencyMs: positiveInt(opts.latency, "--latency", 60_000),
    enforceLimits: opts.limits !== false,
    budgetPerMinute: positiveInt(opts.budget, "--budget", 10 ** 12),
    timeScale: positiveNumber(opts.timeScale, "--time-scale"),
    faults: parseFaults(opts.faults),
    seed: positiveInt(opts.seed, "--seed", 2 ** 31),
  }).catch((e: unknown) => {
    throw listenError(e, opts.host, port, "--port N");
  });
  process.stdout.write(`monday.com emulator listening on ${emulator.url}\n`);
  process.stdout.write(`${describeSetup(emulator)}\n`);
  if (config)
    process.stdout.write(
      `boards from ${global.config}: ${config.boards.map((b) => `${b.id} "${b.name}"`).join(", ")}\n`,
    );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await emulator.close();
  return 0;
}
