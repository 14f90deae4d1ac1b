import { tmpdir } from "node:os";
import { sql } from "kysely";
import { parse as parseYaml } from "yaml";
import {
  parseConfig,
  resolveSettings,
  starterConfig,
  type Config,
  type Settings,
} from "../../src/config/index.js";
import type { Db } from "../../src/db/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { HttpTransport, MondayClient, type MondayItem } from "../../src/monday/index.js";
import { mondayFor } from "../../src/cli/context.js";
import { runSync, type SyncSummary } from "../../src/sync/index.js";

/** A database, the emulator over real HTTP, and settings pointing at both: one sync set-up for a test. */
export interface SyncEnv {
  db: Db;
  emulator: Emulator;
  settings: Settings;
  /** A client over HTTP to read the boards back as a user would. */
  client: MondayClient;
  sync(customers?: string[]): Promise<SyncSummary>;
  close(): Promise<void>;
}

/** The starter config (the demo's boards and mapping), optionally changed by `edit`. */
export function testConfig(edit: (raw: Record<string, unknown>) => void = () => undefined): Config {
  const raw = parseYaml(starterConfig()) as Record<string, unknown>;
  edit(raw);
  return parseConfig(raw);
}

/** Starts the emulator seeded from `config` and wires settings to it. */
export async function syncEnv(db: Db, config: Config = testConfig()): Promise<SyncEnv> {
  const emulator = await startEmulator({ port: 0, config });
  const settings = resolveSettings(config, tmpdir(), {
    MONDAY_API_URL: emulator.url,
    MONDAY_API_TOKEN: "test-token",
  });
  const client = new MondayClient(
    new HttpTransport({ url: emulator.url, token: "test-token", apiVersion: "2026-10" }),
  );
  return {
    db,
    emulator,
    settings,
    client,
    sync: (customers) =>
      runSync({ settings, db, monday: mondayFor(settings) }, customers ? { customers } : {}),
    close: () => emulator.close(),
  };
}

/** Every item of a board (archived ones excluded, as monday's items_page does), read over HTTP. */
export async function boardItems(env: SyncEnv, boardId: string): Promise<MondayItem[]> {
  const items: MondayItem[] = [];
  for await (const item of env.client.listItems(boardId)) items.push(item);
  return items;
}

/** All source rows, keyed by order number. */
export async function sourceRows(db: Db): Promise<Map<string, Record<string, unknown>>> {
  const rows = (await sql<Record<string, unknown>>`SELECT * FROM "ORDERS_UNIFIED"`.execute(db.kysely)).rows;
  return new Map(rows.map((r) => [String(r["AAG ORDER NUMBER"]), r]));
}

/** Rows left in both staging tables. */
export async function stagedCount(db: Db): Promise<number> {
  const a = await db.kysely
    .selectFrom("STG_MON_CustMasterSchedule")
    .select(db.kysely.fn.countAll().as("n"))
    .executeTakeFirst();
  const b = await db.kysely
    .selectFrom("STG_MON_CustMasterSchedule_Subitems")
    .select(db.kysely.fn.countAll().as("n"))
    .executeTakeFirst();
  return Number(a?.n ?? 0) + Number(b?.n ?? 0);
}
