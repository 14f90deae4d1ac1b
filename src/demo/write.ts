import { sql, type Kysely } from "kysely";
import { openDatabase, type Db } from "../db/index.js";
import type { OrderRow } from "../source/index.js";
import { tableIdentifier } from "../source/index.js";
import { CANCELLED_MARK, DEMO_COLUMNS, DEMO_SIZES, generateOrders } from "./orders.js";

/** The source table name the demo writes by default. */
export const DEMO_TABLE = "ORDERS_UNIFIED";

/** Bound parameters per statement each engine accepts (SQLite ≥ 3.32: 32,766; PostgreSQL: 65,535). */
const MAX_PARAMS: Record<Db["dialect"], number> = { sqlite: 32_766, postgres: 65_535 };
/** Rows per multi-row INSERT, before the parameter cap. */
const ROWS_PER_INSERT = 500;
/** INSERTs per transaction: big enough to amortise commits, small enough to keep the WAL modest. */
const INSERTS_PER_TRANSACTION = 20;

/**
 * Creates the demo `ORDERS_UNIFIED` table (if missing) with portable types: text keys and names,
 * integer quantities, `date`/`timestamp` on PostgreSQL and ISO text on SQLite. The key is byte-ordered
 * (`COLLATE "C"` on PostgreSQL) and indexed with the customer, matching how `readOrderPages` reads.
 */
export async function createOrdersTable(db: Db, table: string = DEMO_TABLE): Promise<void> {
  const k = db.kysely as unknown as Kysely<unknown>;
  const pg = db.dialect === "postgres";
  const date = pg ? "date" : "text";
  let t = k.schema
    .createTable(table)
    .ifNotExists()
    .addColumn("AAG ORDER NUMBER", pg ? sql`varchar(64) collate "C"` : "varchar(64)", (c) => c.primaryKey())
    .addColumn("CUSTOMER", "varchar(255)", (c) => c.notNull())
    .addColumn("PO NUMBER", "varchar(64)")
    .addColumn("STYLE", "varchar(255)")
    .addColumn("COLOR", "varchar(64)")
    .addColumn("SEASON", "varchar(16)")
    .addColumn("ORDER QTY", "integer")
    .addColumn("TOTAL QTY", "integer");
  for (const size of DEMO_SIZES) t = t.addColumn(`SIZE_${size}`, "integer");
  await t
    .addColumn("EX FACTORY DATE", date)
    .addColumn("DELIVERY DATE", date)
    .addColumn("ORDER STATUS", "varchar(32)")
    .addColumn("LAST MODIFIED", pg ? "timestamp" : "text")
    .execute();
  await k.schema
    .createIndex(`IX_${table.replace(/\W/g, "_")}_customer_key`)
    .ifNotExists()
    .on(table)
    // `.columns()` would split "AAG ORDER NUMBER" at its spaces (it reads "name desc"); use identifiers.
    .expression(sql`${sql.id("CUSTOMER")}, ${sql.id("AAG ORDER NUMBER")}`)
    .execute();
}

/** Inserts rows with one multi-row, fully parameterised INSERT. */
async function insertRows(db: Kysely<unknown>, table: string, rows: readonly OrderRow[]): Promise<void> {
  const columns = sql.join(DEMO_COLUMNS.map((c) => sql.id(c)));
  const values = sql.join(rows.map((r) => sql`(${sql.join(DEMO_COLUMNS.map((c) => r[c] ?? null))})`));
  await sql`insert into ${tableIdentifier(table)} (${columns}) values ${values}`.execute(db);
}

/** Options for {@link writeDemoOrders}. */
export interface WriteDemoOptions {
  count: number;
  seed?: number;
  startIndex?: number;
  table?: string;
  /** Called after each transaction with the rows written so far. */
  onProgress?: (inserted: number) => void;
}

/**
 * Streams generated orders into an existing table in multi-row INSERTs inside transactions:
 * memory stays flat however many rows (1,000,000 is fine).
 *
 * @example
 * await createOrdersTable(db);
 * const { inserted, cancelled } = await writeDemoOrders(db, { count: 2000, seed: 42 });
 */
export async function writeDemoOrders(
  db: Db,
  opts: WriteDemoOptions,
): Promise<{ inserted: number; cancelled: number }> {
  const table = opts.table ?? DEMO_TABLE;
  const perInsert = Math.min(ROWS_PER_INSERT, Math.floor(MAX_PARAMS[db.dialect] / DEMO_COLUMNS.length));
  const rows = generateOrders({ count: opts.count, seed: opts.seed ?? 42, startIndex: opts.startIndex ?? 0 });
  let inserted = 0;
  let cancelled = 0;
  let done = false;
  while (!done) {
    await db.kysely.transaction().execute(async (trx) => {
      for (let n = 0; n < INSERTS_PER_TRANSACTION && !done; n++) {
        const chunk: OrderRow[] = [];
        for (let next = rows.next(); ; next = rows.next()) {
          if (next.done) {
            done = true;
            break;
          }
          chunk.push(next.value);
          if (String(next.value["AAG ORDER NUMBER"]).includes(CANCELLED_MARK)) cancelled++;
          if (chunk.length === perInsert) break;
        }
        if (chunk.length > 0) await insertRows(trx as unknown as Kysely<unknown>, table, chunk);
        inserted += chunk.length;
      }
    });
    opts.onProgress?.(inserted);
  }
  return { inserted, cancelled };
}

/**
 * Writes a SQLite demo database: opens (or creates) `file`, creates `ORDERS_UNIFIED`, inserts the orders.
 * Used by `order-sync init`.
 */
export async function writeDemoDatabase(
  file: string,
  opts: Omit<WriteDemoOptions, "table">,
): Promise<{ inserted: number; cancelled: number }> {
  const db = await openDatabase({ dialect: "sqlite", url: file });
  try {
    await createOrdersTable(db);
    return await writeDemoOrders(db, opts);
  } finally {
    await db.close();
  }
}
