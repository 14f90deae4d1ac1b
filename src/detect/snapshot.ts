import { createHash } from "node:crypto";
import type { CustomerConfig } from "../config/index.js";
import { MAX_ITEM_NAME } from "../monday/index.js";
import {
  MappedRow,
  mappingSpecs,
  renderTemplate,
  ValueError,
  type Canonical,
  type MappedValue,
  type ResolvedBoard,
} from "../mapping/index.js";

/**
 * What an order looks like on its board, in canonical form: hashed for change detection and recorded
 * in `MON_SyncState.last_values` once monday holds it.
 */
export interface OrderSnapshot {
  name: string;
  group: string;
  /** Board column id → canonical value (the key column included). */
  columns: Record<string, Canonical>;
  /** Size → canonical quantity, for sizes whose quantity is not NULL (nor 0, unless `zeroQuantity: create`). */
  subitems: Record<string, Canonical>;
  /**
   * Size → subitem column id → canonical value, when the board maps subitem columns besides the quantity
   * (absent otherwise, so hashes of boards without them do not change).
   */
  subitemColumns?: Record<string, Record<string, Canonical>>;
}

/** A row that cannot be mapped: names the order, the source column, the value and what is wrong. */
export class RowError extends Error {
  override name = "RowError";
  constructor(
    readonly orderKey: string,
    readonly column: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`order ${orderKey}, column [${column}]: ${reason}`);
  }
}

/**
 * Renders the item-name or group template of one row; a column the row lacks, or a value no text can be
 * made of (a binary), is a {@link RowError} naming the order and that column, so only this order is held back.
 */
function renderRowTemplate(
  template: string,
  row: Readonly<Record<string, unknown>>,
  orderKey: string,
  what: string,
): string {
  let current = template;
  try {
    return renderTemplate(template, (column) => {
      current = column;
      if (!(column in row))
        throw new RowError(orderKey, column, undefined, "the template names a column the source row lacks");
      return row[column];
    });
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    throw new RowError(
      orderKey,
      current,
      e.value,
      `the ${what} cannot be made from [${current}]: ${e.message}`,
    );
  }
}

/**
 * Builds the canonical snapshot of one source row for its board; throws {@link RowError}. Given a
 * {@link MappedRow}, its values are the ones validation then reads.
 */
export function buildSnapshot(
  source: Readonly<Record<string, unknown>> | MappedRow,
  orderKey: string,
  board: ResolvedBoard,
  customer: CustomerConfig,
): OrderSnapshot {
  const mapped = source instanceof MappedRow ? source : new MappedRow(source);
  const row = mapped.row;
  const name = renderRowTemplate(board.config.itemName, row, orderKey, "item name");
  if (name.length === 0)
    throw new RowError(
      orderKey,
      board.config.itemName,
      "",
      `the item name is empty; monday needs 1–${MAX_ITEM_NAME} characters`,
    );
  if ([...name].length > MAX_ITEM_NAME)
    throw new RowError(
      orderKey,
      board.config.itemName,
      name,
      `the item name has ${name.length} characters; monday allows at most ${MAX_ITEM_NAME}`,
    );
  const group = renderRowTemplate(customer.group, row, orderKey, "group title") || "Orders";
  const columns: Record<string, Canonical> = { [board.keyColumn.id]: orderKey };
  const specs = mappingSpecs(board);
  board.columns.forEach((column, i) => {
    columns[column.id] = guarded(
      orderKey,
      column.source,
      row[column.source],
      mapped.mapped(specs[i] ?? column),
    );
  });
  const subitems = sizeLines(mapped, orderKey, board);
  const entries = board.subitems?.columns ?? [];
  if (entries.length === 0) return { name, group, columns, subitems };
  const configEntries = board.config.subitems?.columns ?? [];
  const values: Record<string, Canonical> = {};
  entries.forEach((column, i) => {
    const entry = configEntries[i];
    const spec =
      entry && entry.source === column.source
        ? { ...column, transform: entry.transform, defaultCountry: entry.defaultCountry }
        : column;
    values[column.id] = guarded(orderKey, column.source, row[column.source], mapped.mapped(spec));
  });
  const subitemColumns = Object.fromEntries(Object.keys(subitems).map((size) => [size, { ...values }]));
  return { name, group, columns, subitems, subitemColumns };
}

/**
 * Size → canonical quantity of the sizes that get a subitem: not NULL, and not 0 unless the board's
 * `subitems.zeroQuantity` is `create` (a size that drops to 0 then loses its subitem: detect archives it).
 */
function sizeLines(mapped: MappedRow, orderKey: string, board: ResolvedBoard): Record<string, Canonical> {
  const subitems: Record<string, Canonical> = {};
  if (!board.subitems) return subitems;
  const keepZero = board.subitems.zeroQuantity === "create";
  for (const { size, source } of board.subitems.sizes) {
    const qty = guarded(orderKey, source, mapped.row[source], mapped.value(source, "numbers"));
    if (qty !== null && (keepZero || qty !== "0")) subitems[size] = qty;
  }
  return subitems;
}

/** A mapped value, its {@link ValueError} turned into a {@link RowError} naming the order and column. */
function guarded(orderKey: string, source: string, raw: unknown, mapped: MappedValue): Canonical {
  if ("value" in mapped) return mapped.value;
  if (mapped.error instanceof ValueError) throw new RowError(orderKey, source, raw, mapped.error.message);
  throw mapped.error;
}

/** JSON with object keys sorted at every level, so equal snapshots always hash alike. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** SHA-256 (hex) of a snapshot's canonical JSON. */
export function hashSnapshot(snapshot: OrderSnapshot): string {
  return createHash("sha256").update(canonicalJson(snapshot)).digest("hex");
}
