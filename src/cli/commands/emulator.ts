import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError, parseConfig, type Config } from "../../config/index.js";
import { FaultSpecError, parseFaultSpec, startEmulator } from "../../emulator/index.js";
import { emulatorBoards } from "../emulator-boards.js";
import type { GlobalOptions } from "../context.js";
import { positiveInt } from "./init.js";

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
 * `order-sync emulator --port N [--config FILE] [--token T]`: serves the emulated API at
 * `http://HOST:N/v2`; with a config (given, or `order-sync.yaml` when present) its boards, groups and
 * columns exist from the start with the config's ids. Runs until SIGINT/SIGTERM.
 */
export interface EmulatorFlags {
  port: string;
  host: string;
  token?: string;
  latency: string;
  limits?: boolean;
  budget: string;
  timeScale: string;
  faults?: string;
  seed: string;
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

export async function emulatorCommand(
  opts: EmulatorFlags,
  global: GlobalOptions,
  configIsDefault: boolean,
): Promise<number> {
  const port = positiveInt(opts.port, "--port", 65535);
  const config = !configIsDefault || existsSync(global.config) ? readConfig(global.config) : undefined;
  const emulator = await startEmulator({
    port,
    host: opts.host,
    ...(opts.token ? { token: opts.token } : {}),
    ...(config ? { boards: emulatorBoards(config) } : {}),
    latencyMs: positiveInt(opts.latency, "--latency", 60_000),
    enforceLimits: opts.limits === true,
    budgetPerMinute: positiveInt(opts.budget, "--budget", 10 ** 12),
    timeScale: positiveNumber(opts.timeScale, "--time-scale"),
    faults: parseFaults(opts.faults),
    seed: positiveInt(opts.seed, "--seed", 2 ** 31),
  });
  process.stdout.write(`monday.com emulator listening on ${emulator.url}\n`);
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
