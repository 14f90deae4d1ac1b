// A DEAD order only monday can make (for the operator tests): the order's status is a new label, the config
// lets monday create labels, but the board's status column already holds the 40 labels monday allows, so
// monday answers ColumnValueException for that order alone. `freeLabel` then removes an unused label from
// the emulator's board (what a planner would do on monday), so a retry can succeed.
import { sql } from "kysely";
import type { Db } from "../../src/db/index.js";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { starterConfig, type Config } from "../../src/config/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import type { Emulator } from "../../src/emulator/index.js";
import { testConfig } from "./sync-env.js";

/** The customer whose first open order goes DEAD. */
export const DEAD_CUSTOMER = "BLUE HARBOR";
const STATUS_COLUMN = "order_status";

/** The fixture's edit of the starter config: the status column maps 40 labels, monday may create missing ones. */
export function fortyLabels(raw: Record<string, unknown>): void {
  const board = (raw.boards as Record<string, unknown>[])[0]!;
  board.createLabelsIfMissing = true;
  const status = (board.columns as Record<string, unknown>[]).find((c) => c.id === STATUS_COLUMN)!;
  const labels = status.labels as string[];
  status.labels = [...labels, ...Array.from({ length: 40 - labels.length }, (_, i) => `Stage ${i + 1}`)];
}

/** The config of the fixture (see {@link fortyLabels}). */
export function fortyLabelConfig(): Config {
  return testConfig(fortyLabels);
}

/** The same config as YAML, for the CLI run as a process. */
export function fortyLabelYaml(): string {
  const raw = parseYaml(starterConfig()) as Record<string, unknown>;
  fortyLabels(raw);
  return stringifyYaml(raw);
}

/** Writes `count` demo orders and gives the first open order of {@link DEAD_CUSTOMER} a status monday refuses. */
export async function writeDeadOrder(db: Db, count = 120): Promise<string> {
  await createOrdersTable(db);
  await writeDemoOrders(db, { count, seed: 3 });
  const { rows } = await sql<{ k: string }>`SELECT "AAG ORDER NUMBER" AS k FROM "ORDERS_UNIFIED"
    WHERE "CUSTOMER" = ${DEAD_CUSTOMER} AND "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"} ORDER BY 1`.execute(
    db.kysely,
  );
  const bad = rows[0]!.k;
  await sql`UPDATE "ORDERS_UNIFIED" SET "ORDER STATUS" = ${"Teleported"} WHERE "AAG ORDER NUMBER" = ${bad}`.execute(
    db.kysely,
  );
  return bad;
}

/** Removes the last `Stage N` label from the board's status column: room for one more label. */
export function freeLabel(emulator: Emulator, boardId = "5001000001"): void {
  const column = emulator.store.getBoard(boardId).columns.find((c) => c.id === STATUS_COLUMN)!;
  const labels = column.settings.labels as { label: string }[];
  const at = labels.map((l) => l.label.startsWith("Stage ")).lastIndexOf(true);
  if (at < 0) throw new Error("no Stage label left to free");
  labels.splice(at, 1);
}
