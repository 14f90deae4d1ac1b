import { existsSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, starterConfig } from "../../config/index.js";
import { writeDemoDatabase } from "../../demo/index.js";
import type { GlobalOptions } from "../context.js";
import { plural, printJson } from "../output.js";
import { initFromBoard } from "./init-from-board.js";

export const CONFIG_FILE = "order-sync.yaml";
export const DB_FILE = "order-sync.db";

function positiveInt(value: string, flag: string, max = 10_000_000): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new ConfigError(`${flag} must be a whole number from 0 to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** Writes the starter config and the demo database into `dir`; refuses to overwrite without `force`. */
export async function initFiles(dir: string, orders: number, seed: number, force: boolean) {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  const configPath = join(folder, CONFIG_FILE);
  const dbPath = join(folder, DB_FILE);
  const existing = [configPath, dbPath].filter((p) => existsSync(p));
  if (existing.length && !force)
    throw new ConfigError(`${existing.join(" and ")} already exist; pass --force to overwrite`);
  for (const p of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(p, { force: true });
  writeFileSync(configPath, starterConfig(DB_FILE));
  const written = await writeDemoDatabase(dbPath, { count: orders, seed });
  return { configPath, dbPath, orders: written.inserted, cancelled: written.cancelled };
}

/** `order-sync init [--dir D] [--orders N] [--from-board ID]`: the set-up contract (DESIGN.md). */
export async function initCommand(
  opts: { dir: string; orders: string; seed: string; force?: boolean; fromBoard?: string },
  global: GlobalOptions,
): Promise<number> {
  if (opts.fromBoard !== undefined)
    return initFromBoard(opts.fromBoard, opts.dir, opts.force === true, global);
  const result = await initFiles(
    opts.dir,
    positiveInt(opts.orders, "--orders"),
    positiveInt(opts.seed, "--seed", 2 ** 31),
    opts.force === true,
  );
  if (global.json) printJson(result);
  else
    process.stdout.write(
      `wrote ${result.configPath}\nwrote ${result.dbPath} with ${plural(result.orders, "order")} in ORDERS_UNIFIED (${result.cancelled} cancelled)\n` +
        `next: order-sync emulator --port 4000 --config ${result.configPath}   (in another terminal)\n` +
        `      MONDAY_API_URL=http://127.0.0.1:4000/v2 MONDAY_API_TOKEN=dev order-sync sync --config ${result.configPath}\n`,
    );
  return 0;
}

export { positiveInt };
