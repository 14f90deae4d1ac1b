import { tmpdir } from "node:os";
import { expect } from "vitest";
import { sql } from "kysely";
import { parse as parseYaml } from "yaml";
import {
  parseConfig,
  resolveSettings,
  starterConfig,
  type Config,
  type Settings,
} from "../../src/config/index.js";
import type { Db, NewStagedOrder } from "../../src/db/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { HttpTransport, MondayClient, type MondayItem } from "../../src/monday/index.js";
import { wireApp } from "../../src/app.js";
import type { SyncSummary } from "../../src/sync/index.js";
import { canonicalValue, renderTemplate } from "../../src/mapping/index.js";

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
  const emulator = await startEmulator({ port: 0, boards: emulatorBoards(config) });
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
    sync: (customers) => wireApp(settings, db).sync(customers ? { customers } : {}),
    close: () => emulator.close(),
  };
}

/**
 * A read-only view for {@link expectBoardsMatchDatabase} when the sync ran in another process (the CLI,
 * `serve`): the test's own database connection, the emulator and the settings the process used.
 */
export function boardView(db: Db, emulator: Emulator, settings: Settings): SyncEnv {
  const client = new MondayClient(
    new HttpTransport({ url: emulator.url, token: "t", apiVersion: "2026-10" }),
  );
  const notHere = () => Promise.reject(new Error("the sync runs in another process"));
  return { db, emulator, settings, client, sync: notHere, close: async () => undefined };
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

/**
 * Asserts the boards hold exactly the database's open orders of the configured customers, field by
 * field: one item per order (no duplicates), its group, name, every mapped column and every size subitem.
 */
export async function expectBoardsMatchDatabase(env: SyncEnv, db: Db): Promise<number> {
  const rows = await sourceRows(db);
  const open = [...rows.values()].filter((r) => !String(r["AAG ORDER NUMBER"]).includes("CANCELLED"));
  let seen = 0;
  for (const board of env.settings.config.boards) {
    const items = await boardItems(env, board.id);
    const keys = items.map((i) => i.columnValues[board.keyColumn.id!]?.text ?? "");
    expect(new Set(keys).size, `duplicate items on board ${board.id}`).toBe(keys.length);
    const customers = env.settings.config.customers.filter((c) => c.board === board.id).map((c) => c.name);
    const expected = open.filter((r) => customers.includes(String(r.CUSTOMER)));
    expect(items.length).toBe(expected.length);
    for (const item of items) {
      const key = item.columnValues[board.keyColumn.id!]?.text ?? "";
      const row = rows.get(key);
      expect(row, `item ${item.id} has key ${key} that is not an open order`).toBeDefined();
      if (!row) continue;
      const customer = env.settings.config.customers.find((c) => c.name === String(row.CUSTOMER))!;
      expect(item.group?.title).toBe(renderTemplate(customer.group, (name) => row[name]));
      expect(item.name).toBe(renderTemplate(board.itemName, (name) => row[name]));
      for (const column of board.columns) {
        const want = canonicalValue(column.type, row[column.source]);
        // A column mapped by title has the id the board gave it.
        const id =
          column.id ??
          env.emulator.store.boards.get(board.id)?.columns.find((c) => c.title === column.title)?.id ??
          "";
        const got = item.columnValues[id]?.text || null;
        expect(got, `${key} ${column.source}`).toBe(want);
      }
      const live = item.subitems.filter((s) => s.state !== "archived");
      const sizes = Object.fromEntries(live.map((s) => [s.name, s.columnValues.quantity?.text ?? null]));
      const keepZero = board.subitems?.zeroQuantity === "create";
      const wantSizes = Object.fromEntries(
        (board.subitems?.sizes ?? [])
          .filter((s) => row[s.source] !== null && (keepZero || Number(row[s.source]) !== 0))
          .map((s) => [s.size, String(Number(row[s.source]))]),
      );
      expect(sizes, `${key} sizes`).toEqual(wantSizes);
      expect(live, `${key} has duplicate subitems`).toHaveLength(Object.keys(wantSizes).length);
    }
    seen += items.length;
  }
  return seen;
}

/** A plain, valid demo order for hand-made fixtures; `fields` override any column. */
export function plainOrder(
  key: string,
  customer: string,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    "AAG ORDER NUMBER": key,
    CUSTOMER: customer,
    "PO NUMBER": "PO-1",
    STYLE: "Plain Tee",
    COLOR: "Black",
    SEASON: "SS26",
    "ORDER QTY": 10,
    "TOTAL QTY": 10,
    SIZE_XS: null,
    SIZE_S: 5,
    SIZE_M: 5,
    SIZE_L: null,
    SIZE_XL: null,
    SIZE_XXL: null,
    "EX FACTORY DATE": "2026-05-01",
    "DELIVERY DATE": "2026-06-01",
    "ORDER STATUS": "Open",
    ...fields,
  };
}

/** A staged order row for hand-made staging fixtures (PENDING CREATE, created now); `over` overrides any field. */
export function stagedOrderRow(over: Partial<NewStagedOrder> = {}): NewStagedOrder {
  const now = new Date().toISOString();
  return {
    batch_id: "b1",
    customer: "BLUE HARBOR",
    order_key: "AAG-1",
    board_id: "5001000001",
    action: "CREATE",
    stg_status: "PENDING",
    item_name: "AAG-1 Crew",
    group_title: "SS26",
    column_values: JSON.stringify({ text: "x" }),
    changed_columns: "[]",
    new_hash: "h",
    new_values: "{}",
    monday_item_id: null,
    last_error: null,
    stg_created_date: now,
    stg_updated_date: now,
    ...over,
  };
}
