import { sql, type Expression, type Kysely } from "kysely";
import { openDatabase, rowsPerStatement, type Db } from "../db/index.js";
import type { OrderRow } from "../source/index.js";
import { tableIdentifier } from "../source/index.js";
import { CANCELLED_MARK, DEMO_COLUMNS, DEMO_SIZES, generateOrders } from "./orders.js";

/** The source table name the demo writes by default. */
export const DEMO_TABLE = "ORDERS_UNIFIED";

/** Rows per multi-row INSERT, before the parameter cap. */
const ROWS_PER_INSERT = 500;
/** INSERTs per transaction: big enough to amortise commits, small enough to keep the WAL modest. */
const INSERTS_PER_TRANSACTION = 20;

/** The demo table's engine-specific column types: the byte-ordered key, dates and timestamps. */
const DEMO_TYPES: Record<
  Db["dialect"],
  { key: Expression<unknown> | "varchar(64)"; date: string; ts: string }
> = {
  sqlite: { key: "varchar(64)", date: "text", ts: "text" },
  postgres: { key: sql`varchar(64) collate "C"`, date: "date", ts: "timestamp" },
  mysql: { key: sql`varchar(64) character set utf8mb4 collate utf8mb4_bin`, date: "date", ts: "datetime" },
  mssql: { key: sql`nvarchar(64) collate Latin1_General_100_BIN2`, date: "date", ts: "datetime2(0)" },
};

/**
 * Creates the demo `ORDERS_UNIFIED` table (if missing) with portable types: text keys and names,
 * integer quantities, `date` and a timestamp (`DATETIME` on MySQL/MariaDB, `DATETIME2(0)` on SQL Server: whole seconds, as the demo writes them)
 * where the engine has them, ISO text on SQLite. The key is byte-ordered (see `keyCollation`) and indexed
 * with the customer, matching how `readOrderPages` reads. SQL Server and MySQL text columns are Unicode
 * (`nvarchar`; the table's `utf8mb4`).
 */
export async function createOrdersTable(db: Db, table: string = DEMO_TABLE): Promise<void> {
  const k = db.kysely as unknown as Kysely<unknown>;
  const ty = DEMO_TYPES[db.dialect];
  const text = (size: number) =>
    db.dialect === "mssql" ? sql.raw(`nvarchar(${size})`) : sql.raw(`varchar(${size})`);
  let t = k.schema
    .createTable(table)
    .ifNotExists()
    .addColumn("AAG ORDER NUMBER", ty.key, (c) => c.primaryKey())
    .addColumn("CUSTOMER", text(255), (c) => c.notNull())
    .addColumn("PO NUMBER", text(64))
    .addColumn("STYLE", text(255))
    .addColumn("COLOR", text(64))
    .addColumn("SEASON", text(16))
    .addColumn("ORDER QTY", "integer")
    .addColumn("TOTAL QTY", "integer");
  for (const size of DEMO_SIZES) t = t.addColumn(`SIZE_${size}`, "integer");
  t = t
    .addColumn("EX FACTORY DATE", sql.raw(ty.date))
    .addColumn("DELIVERY DATE", sql.raw(ty.date))
    .addColumn("ORDER STATUS", text(32))
    .addColumn("LAST MODIFIED", sql.raw(ty.ts));
  if (db.dialect === "mysql") t = t.modifyEnd(sql`default character set utf8mb4`);
  await t.execute();
  const index = k.schema.createIndex(`IX_${table.replace(/\W/g, "_")}_customer_key`);
  // MySQL and SQL Server have no CREATE INDEX IF NOT EXISTS: an index already there is their error
  // 1061 (ER_DUP_KEYNAME) or 1913, and is fine.
  const portable = db.dialect === "sqlite" || db.dialect === "postgres";
  await (portable ? index.ifNotExists() : index)
    .on(table)
    // `.columns()` would split "AAG ORDER NUMBER" at its spaces (it reads "name desc"); use identifiers.
    .expression(sql`${sql.id("CUSTOMER")}, ${sql.id("AAG ORDER NUMBER")}`)
    .execute()
    .catch((e: { errno?: number; number?: number }) => {
      if (portable || (e.errno !== 1061 && e.number !== 1913)) throw e;
    });
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
  const perInsert = rowsPerStatement(db.dialect, DEMO_COLUMNS.length, ROWS_PER_INSERT);
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
