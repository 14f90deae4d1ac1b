import type { CustomerConfig, Settings } from "../../config/index.js";
import { mappingSourceColumns, templateColumns, type ResolvedBoard } from "../../mapping/index.js";
import { qualityColumns } from "../../quality/index.js";
import type { Db } from "../../db/index.js";
import {
  readOrderPages,
  readStrayRows,
  spacedCustomerNames,
  type OrderPage,
  type StrayRows,
} from "../../source/index.js";
import type { CustomerRunContext } from "../customer-context.js";

/** Source columns a board mapping reads (the mapped ones, the templates', the size lines' and the rules'). */
export function sourceColumns(settings: Settings, board: ResolvedBoard, customer: CustomerConfig): string[] {
  const src = settings.config.source;
  const cols = new Set<string>([src.keyColumn, src.customerColumn]);
  for (const c of board.config.columns) for (const source of mappingSourceColumns(c)) cols.add(source);
  for (const t of [board.config.itemName, customer.group, board.subitems?.name ?? ""]) {
    for (const c of templateColumns(t)) if (c !== "size") cols.add(c);
  }
  for (const s of board.subitems?.sizes ?? []) cols.add(s.source);
  for (const c of qualityColumns(settings.config.quality)) cols.add(c);
  return [...cols];
}

/**
 * Step 2, read: the customer's open orders (cancelled ones excluded), a page at a time in key order, with
 * only the columns the mapping and the rules read. Never loads the whole table.
 */
export function readOrders(ctx: ReadContext): AsyncIterable<OrderPage> {
  return readOrderPages(ctx.db, { ...readOptions(ctx), pageSize: ctx.settings.config.sync.pageSize });
}

type ReadContext = Pick<CustomerRunContext, "settings" | "db" | "board" | "customer">;

function readOptions({ settings, board, customer }: ReadContext) {
  const src = settings.config.source;
  return {
    table: src.table,
    keyColumn: src.keyColumn,
    customerColumn: src.customerColumn,
    customer: customer.name,
    cancelled: src.cancelled,
    columns: sourceColumns(settings, board, customer),
  };
}

/**
 * The customer's rows the paged read skips (a NULL key, spaces around the customer's name), so validation
 * can report them instead of their being left out without a word (issue 12). Within a run (`batchId`), the
 * table is scanned for spaced customer names once, and again only for a customer it names.
 */
export async function readStray(ctx: ReadContext & { batchId?: string }): Promise<StrayRows> {
  const names = ctx.batchId === undefined ? null : await spacedNamesOfRun(ctx.db, ctx.batchId, ctx.settings);
  return readStrayRows(ctx.db, readOptions(ctx), names ?? undefined);
}

/** Each database's last run and the customers with spaced names it found (one scan a run, not one a customer). */
const spacedByRun = new WeakMap<Db, { batchId: string; names: Promise<Set<string> | null> }>();

function spacedNamesOfRun(db: Db, batchId: string, settings: Settings): Promise<Set<string> | null> {
  const known = spacedByRun.get(db);
  if (known?.batchId === batchId) return known.names;
  const src = settings.config.source;
  const names = spacedCustomerNames(db, {
    table: src.table,
    keyColumn: src.keyColumn,
    customerColumn: src.customerColumn,
    cancelled: src.cancelled,
  });
  const entry = { batchId, names };
  spacedByRun.set(db, entry);
  // A failed scan is not kept: the next customer tries again (and reports the error itself).
  names.catch(() => {
    if (spacedByRun.get(db) === entry) spacedByRun.delete(db);
  });
  return names;
}
