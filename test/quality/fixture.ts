import { parse as parseYaml } from "yaml";
import {
  configSchema,
  qualityConfigSchema,
  starterConfig,
  type BoardConfig,
  type Config,
  type CustomerConfig,
  type QualityConfig,
} from "../../src/config/index.js";
import { initialColumnSettings } from "../../src/emulator/column-values.js";
import { resolveBoard, type LiveBoard, type ResolvedBoard } from "../../src/mapping/index.js";
import type { ValidationContext } from "../../src/quality/index.js";

export const KEY = "AAG ORDER NUMBER";
export const CUSTOMER = "BLUE HARBOR";

/** The test board: the starter's columns plus a long text and a dropdown, sizes S/M/L as subitems. */
export const BOARD_YAML = `
id: "7001"
name: Quality Board
keyColumn: { id: order_number, title: AAG Order Number, type: text }
itemName: "{AAG ORDER NUMBER} {STYLE}"
columns:
  - { source: CUSTOMER, id: customer, title: Customer, type: text }
  - { source: PO NUMBER, id: po_number, title: PO Number, type: text }
  - { source: STYLE, id: style, title: Style, type: text }
  - { source: COLOR, id: color, title: Colour, type: text }
  - { source: SEASON, id: season, title: Season, type: text }
  - { source: ORDER QTY, id: order_qty, title: Order Qty, type: numbers }
  - { source: TOTAL QTY, id: total_qty, title: Total Qty, type: numbers }
  - { source: EX FACTORY DATE, id: ex_factory, title: Ex Factory, type: date }
  - { source: DELIVERY DATE, id: delivery, title: Delivery, type: date }
  - { source: ORDER STATUS, id: order_status, title: Order Status, type: status, labels: [Open, Confirmed, Shipped] }
  - { source: NOTES, id: notes, title: Notes, type: long_text }
  - { source: TAGS, id: tags, title: Tags, type: dropdown, labels: [Rush, Sample] }
subitems:
  boardId: "7002"
  quantityColumn: { id: quantity, title: Quantity, type: numbers }
  sizes:
    - { size: S, source: SIZE_S }
    - { size: M, source: SIZE_M }
    - { size: L, source: SIZE_L }
`;

/** The live board a config describes, the way the emulator seeds it (labels in the 2025-10 settings shape). */
export function liveBoardOf(board: BoardConfig): LiveBoard {
  return {
    id: board.id,
    name: board.name,
    groups: [],
    columns: [board.keyColumn, ...board.columns].map((c) => ({
      id: c.id ?? "",
      title: c.title ?? "",
      type: c.type,
      settings: initialColumnSettings(c.type, c.labels),
    })),
  };
}

function subitemsLive(board: BoardConfig): LiveBoard | undefined {
  const s = board.subitems;
  if (!s) return undefined;
  return {
    id: s.boardId,
    name: "Subitems",
    groups: [],
    columns: [{ id: s.quantityColumn.id ?? "", title: s.quantityColumn.title ?? "", type: "numbers" }],
  };
}

/** A whole config with the test board and one customer (parsed through the real schema). */
export function testConfig(extra: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    boards: [parseYaml(BOARD_YAML)],
    customers: [{ name: CUSTOMER, board: "7001", group: "{SEASON}" }],
    ...extra,
  });
}

export const config = testConfig();
export const boardConfig = config.boards[0]!;
export const customerConfig: CustomerConfig = config.customers[0]!;
export const liveBoard = liveBoardOf(boardConfig);
export const board: ResolvedBoard = resolveBoard(boardConfig, 0, liveBoard, subitemsLive(boardConfig));

/** The starter config's first board resolved against its own live board (for the demo data). */
export function starterBoard(): { board: ResolvedBoard; config: Config } {
  const cfg = configSchema.parse(parseYaml(starterConfig()));
  const b = cfg.boards[0]!;
  return { board: resolveBoard(b, 0, liveBoardOf(b), subitemsLive(b)), config: cfg };
}

export const quality = (raw: unknown = undefined): QualityConfig => qualityConfigSchema.parse(raw);

export function context(over: Partial<ValidationContext> = {}): ValidationContext {
  return {
    customer: CUSTOMER,
    board,
    config: quality(),
    keyColumn: KEY,
    customerColumn: "CUSTOMER",
    groupTemplate: customerConfig.group,
    liveBoard,
    ...over,
  };
}

/** A clean order; `over` changes or (with `undefined` under `drop`) removes columns. */
export function order(
  key: string,
  over: Record<string, unknown> = {},
  drop: string[] = [],
): Record<string, unknown> {
  const row: Record<string, unknown> = {
    [KEY]: key,
    CUSTOMER,
    "PO NUMBER": "PO-BH-12345",
    STYLE: "BH-2231 Merino Crew",
    COLOR: "Navy",
    SEASON: "SS26",
    "ORDER QTY": 60,
    "TOTAL QTY": 60,
    SIZE_S: 10,
    SIZE_M: 30,
    SIZE_L: 20,
    "EX FACTORY DATE": "2026-01-10",
    "DELIVERY DATE": "2026-02-20",
    "ORDER STATUS": "Open",
    NOTES: "pack flat",
    TAGS: "Rush",
    ...over,
  };
  for (const d of drop) delete row[d];
  return row;
}
