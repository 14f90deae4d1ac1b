import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError, parseConfig, type Config } from "../../config/index.js";
import { startEmulator } from "../../emulator/index.js";
import type { GlobalOptions } from "../context.js";
import { positiveInt } from "./init.js";

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
export async function emulatorCommand(
  opts: { port: string; host: string; token?: string; latency: string },
  global: GlobalOptions,
  configIsDefault: boolean,
): Promise<number> {
  const port = positiveInt(opts.port, "--port", 65535);
  const config = !configIsDefault || existsSync(global.config) ? readConfig(global.config) : undefined;
  const emulator = await startEmulator({
    port,
    host: opts.host,
    ...(opts.token ? { token: opts.token } : {}),
    ...(config ? { config } : {}),
    latencyMs: positiveInt(opts.latency, "--latency", 60_000),
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
