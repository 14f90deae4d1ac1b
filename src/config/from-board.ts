// `order-sync init --from-board ID`: a starter config written from a live board's columns.
import { stringify } from "yaml";
import { parseConfigYaml } from "./load.js";
import { COLUMN_TYPES, type ColumnType, type Config } from "./schema.js";
import { starterConfig } from "./starter.js";

/** A live board column as the config writer needs it (`labels`: its writable status/dropdown labels). */
export interface LiveColumn {
  id: string;
  title: string;
  type: string;
  labels: readonly string[];
}

/** A live board: its id, name and columns. */
export interface LiveBoard {
  id: string;
  name: string;
  columns: readonly LiveColumn[];
}

/** What the writer decided, for the command's summary. */
export interface FromBoardResult {
  yaml: string;
  /** Board column id → the source column it was mapped to. */
  mapped: Record<string, string>;
  /** Board columns with no source column of a matching name (left as comments in the file). */
  unmapped: string[];
  /** The key column was found on the board (else the file names one to create). */
  keyFound: boolean;
}

type Mapping = Config["boards"][number]["columns"][number];

/** `PO Number`, `po_number`, `PO NUMBER` → `PONUMBER`. */
const normal = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, "");

const WRITABLE = new Set<string>(COLUMN_TYPES);

/** The starter config's own board: its source columns and the board column names it gives each. */
function starterBoard(): Config["boards"][number] {
  const raw = parseConfigYaml(starterConfig(), "starter config") as Config;
  return raw.boards[0]!;
}

/** Names under which a source column is likely to appear on a board: itself, and the starter's id and title. */
function sourceNames(): Map<string, string> {
  const board = starterBoard();
  const names = new Map<string, string>();
  const key = "AAG ORDER NUMBER";
  for (const n of [key, board.keyColumn.id ?? "", board.keyColumn.title ?? ""]) names.set(normal(n), key);
  for (const c of board.columns)
    for (const n of [c.source, c.id ?? "", c.title ?? ""]) if (n) names.set(normal(n), c.source);
  return names;
}

/** The source column a board column likely holds, by its title or id. */
function sourceOf(column: LiveColumn, names: Map<string, string>): string | undefined {
  return names.get(normal(column.title)) ?? names.get(normal(column.id));
}

function mappingOf(column: LiveColumn, source: string): Mapping {
  return {
    source,
    id: column.id,
    title: column.title,
    type: column.type as ColumnType,
    ...(column.labels.length && { labels: [...column.labels] }),
  } as Mapping;
}

/** The subitems block: a numbers column for the quantity (one titled like Quantity/Qty first). */
function subitemsBlock(sub: LiveBoard | undefined): Record<string, unknown> | undefined {
  if (!sub) return undefined;
  const numbers = sub.columns.filter((c) => c.type === "numbers");
  const quantity = numbers.find((c) => /^(QUANTITY|QTY)/.test(normal(c.title))) ?? numbers[0];
  if (!quantity) return undefined;
  return {
    boardId: sub.id,
    name: "{size}",
    quantityColumn: { id: quantity.id, title: quantity.title, type: "numbers" },
    sizes: starterBoard().subitems?.sizes ?? [],
  };
}

/**
 * A starter config for `board` (and its subitems board): every board column whose title or id names a
 * source column of ORDERS_UNIFIED is mapped to it; the others are listed as comments to map by hand.
 *
 * @example
 * const { yaml } = configFromBoard({ id: "123", name: "Orders", columns }, undefined);
 */
export function configFromBoard(board: LiveBoard, sub: LiveBoard | undefined): FromBoardResult {
  const names = sourceNames();
  const mapped: Record<string, string> = {};
  const columns: Mapping[] = [];
  const unmapped: LiveColumn[] = [];
  let key: LiveColumn | undefined;
  for (const column of board.columns) {
    const source = sourceOf(column, names);
    if (source === "AAG ORDER NUMBER" && column.type === "text" && !key) key = column;
    else if (source && WRITABLE.has(column.type) && source !== "AAG ORDER NUMBER") {
      columns.push(mappingOf(column, source));
      mapped[column.id] = source;
    } else if (column.type !== "name" && column.type !== "subtasks") unmapped.push(column);
  }
  if (key) mapped[key.id] = "AAG ORDER NUMBER";
  const subitems = subitemsBlock(sub);
  const entry = {
    id: board.id,
    name: board.name,
    keyColumn: key
      ? { id: key.id, title: key.title, type: "text" }
      : { id: "order_number", title: "AAG Order Number", type: "text" },
    itemName: "{AAG ORDER NUMBER} {STYLE}",
    columns,
    ...(subitems && { subitems }),
  };
  const customers = [{ name: "CUSTOMER NAME", board: board.id, group: "{SEASON}" }];
  const yaml = `${header(starterConfig())}${boardsText(entry, key !== undefined, unmapped)}${customersText(customers)}`;
  return { yaml, mapped, unmapped: unmapped.map((c) => c.id), keyFound: key !== undefined };
}

/** The starter's source/monday/sync/serve sections (everything before `boards:`). */
function header(starter: string): string {
  return starter.slice(0, starter.indexOf("\nboards:\n") + 1);
}

function boardsText(entry: Record<string, unknown>, keyFound: boolean, unmapped: LiveColumn[]): string {
  const notes = [
    ...(keyFound
      ? []
      : ["# The board has no text column named like the order number: create one (keyColumn below)."]),
    ...(unmapped.length
      ? [
          "# Board columns with no source column of that name; map them by hand (source: <column>):",
          ...unmapped.map((c) => `#   ${c.id}: "${c.title}" (${c.type})`),
        ]
      : []),
  ];
  return `${["boards:", ...notes].join("\n")}\n${indent(stringify([entry]))}`;
}

function customersText(customers: readonly Record<string, unknown>[]): string {
  return `\n# Replace with the values of source.customerColumn (CUSTOMER) your orders hold.\ncustomers:\n${indent(stringify(customers))}`;
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => (l ? `  ${l}` : l))
    .join("\n");
