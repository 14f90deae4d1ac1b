import { sql, type Kysely, type TableMetadata } from "kysely";
import type { Db } from "../db/index.js";
import type { Config } from "../config/index.js";
import { SourceError, type RequiredColumn } from "./errors.js";

/** What the source table looks like, as far as reading it is concerned. */
export interface SourceTableInfo {
  /** Schema the name resolved to (PostgreSQL's search path, MySQL's database, SQL Server's `dbo`); undefined on SQLite. */
  schema?: string;
  name: string;
  isView: boolean;
  columns: { name: string; dataType: string }[];
}

type FoundTable = SourceTableInfo & { schema?: string };

/** The source settings a reader needs (`Config["source"]` minus the connection). */
export type SourceSettings = Pick<Config["source"], "table" | "keyColumn" | "customerColumn" | "cancelled">;

/** Splits `schema.table`; a plain name has no schema. */
function splitTableName(table: string): { schema?: string; name: string } {
  const dot = table.indexOf(".");
  return dot < 0 ? { name: table } : { schema: table.slice(0, dot), name: table.slice(dot + 1) };
}

/** `sql.id` for a possibly schema-qualified table name. */
export function tableIdentifier(table: string) {
  const { schema, name } = splitTableName(table);
  return schema === undefined ? sql.id(name) : sql.id(schema, name);
}

async function searchPath(db: Db): Promise<string[]> {
  const r = await sql<{ s: string[] | string }>`select current_schemas(false) as s`.execute(db.kysely);
  const s = r.rows[0]?.s ?? [];
  // pg returns name[] as an array; be lenient with the `{a,b}` text form too.
  return Array.isArray(s)
    ? s
    : s
        .replace(/^\{|\}$/g, "")
        .split(",")
        .filter(Boolean);
}

/** The schema an unqualified name resolves to on MySQL/MariaDB (the database) and SQL Server (the user's default, `dbo`). */
async function defaultSchema(db: Db): Promise<string[]> {
  const query =
    db.dialect === "mysql"
      ? sql<{ s: string | null }>`select database() as s`
      : sql<{ s: string | null }>`select schema_name() as s`;
  const s = (await query.execute(db.kysely)).rows[0]?.s;
  return s ? [s] : [];
}

const DATABASE_NAMES: Record<Exclude<Db["dialect"], "sqlite">, string> = {
  postgres: "PostgreSQL database",
  mysql: "MySQL/MariaDB database",
  mssql: "SQL Server database",
};

async function describeDatabase(db: Db, schemas: string[]): Promise<string> {
  if (db.dialect === "sqlite") {
    const r = await sql<{
      file: string;
    }>`select file from pragma_database_list where name = ${"main"}`.execute(db.kysely);
    return `SQLite database ${r.rows[0]?.file || ":memory:"}`;
  }
  const name =
    db.dialect === "postgres"
      ? sql<{ d: string }>`select current_database() as d`
      : db.dialect === "mssql"
        ? sql<{ d: string }>`select db_name() as d`
        : sql<{ d: string }>`select database() as d`;
  const d = (await name.execute(db.kysely)).rows[0]?.d ?? "?";
  return `${DATABASE_NAMES[db.dialect]} ${d} (schemas searched: ${schemas.join(", ") || "none"})`;
}

/**
 * PostgreSQL, MySQL/MariaDB and SQL Server: look only in the schemas the name can resolve to, through
 * `information_schema` (PostgreSQL's `udt_name` is the type without modifiers; the others' `data_type`).
 * Kysely's `getTables()` reads every schema of the database, which is slow on big databases and races
 * with schemas dropped meanwhile.
 */
async function catalogTables(db: Db, schemas: string[], name: string): Promise<FoundTable[]> {
  if (schemas.length === 0) return [];
  const type = db.dialect === "postgres" ? sql`c.udt_name` : sql`c.data_type`;
  const { rows } = await sql<{
    table_schema: string;
    table_name: string;
    table_type: string;
    column_name: string;
    data_type: string;
  }>`select t.table_schema as table_schema, t.table_name as table_name, t.table_type as table_type,
      c.column_name as column_name, ${type} as data_type
    from information_schema.tables t
    join information_schema.columns c on c.table_schema = t.table_schema and c.table_name = t.table_name
    where t.table_schema in (${sql.join(schemas)}) and lower(t.table_name) = lower(${name})
    order by t.table_schema, t.table_name, c.ordinal_position`.execute(db.kysely);
  const tables = new Map<string, FoundTable>();
  for (const r of rows) {
    const id = `${r.table_schema}.${r.table_name}`;
    let t = tables.get(id);
    if (t === undefined) {
      t = { schema: r.table_schema, name: r.table_name, isView: r.table_type === "VIEW", columns: [] };
      tables.set(id, t);
    }
    t.columns.push({ name: r.column_name, dataType: r.data_type });
  }
  return [...tables.values()];
}

/**
 * Finds the source table the way the database would resolve its name (search path on PostgreSQL),
 * or throws `SourceError` naming the database and any table whose name differs only in case.
 */
export async function describeSourceTable(db: Db, table: string): Promise<SourceTableInfo> {
  const wanted = splitTableName(table);
  const catalog = db.dialect !== "sqlite";
  const schemas = !catalog
    ? []
    : wanted.schema
      ? [wanted.schema]
      : db.dialect === "postgres"
        ? await searchPath(db)
        : await defaultSchema(db);
  const all: FoundTable[] = catalog
    ? await catalogTables(db, schemas, wanted.name)
    : (await (db.kysely as unknown as Kysely<unknown>).introspection.getTables()).map((t: TableMetadata) => ({
        name: t.name,
        isView: t.isView,
        columns: t.columns.map((c) => ({ name: c.name, dataType: c.dataType })),
      }));
  const candidates = all.filter((t) => t.name === wanted.name);
  const found = catalog
    ? schemas.map((s) => candidates.find((t) => t.schema === s)).find((t) => t !== undefined)
    : candidates[0];
  if (found === undefined) {
    const near = all.filter((t) => t.name.toLowerCase() === wanted.name.toLowerCase()).map((t) => t.name);
    const hint = near.length
      ? ` (did you mean ${near.map((n) => `"${n}"`).join(" or ")}? names are case-sensitive)`
      : "";
    throw new SourceError(`table ${table} not found in ${await describeDatabase(db, schemas)}${hint}`, table);
  }
  return {
    ...(found.schema !== undefined && catalog ? { schema: found.schema } : {}),
    name: found.name,
    isView: found.isView,
    columns: found.columns.map((c) => ({ name: c.name, dataType: c.dataType })),
  };
}

/**
 * Checks that the source table exists and has every column the config uses: the key, customer and
 * cancelled columns, plus `requiredColumns` (the mapped columns, each with the config key that maps it).
 * All missing columns are reported at once.
 *
 * @example
 * await checkSourceTable(db, config.source, [{ column: "SIZE_M", where: "boards[0].subitems.sizes[2]" }]);
 * // SourceError: ORDERS_UNIFIED has no column "SIZE_M" (mapped at boards[0].subitems.sizes[2])
 */
export async function checkSourceTable(
  db: Db,
  source: SourceSettings,
  requiredColumns: readonly (string | RequiredColumn)[],
): Promise<SourceTableInfo> {
  const info = await describeSourceTable(db, source.table);
  const wanted: RequiredColumn[] = [
    { column: source.keyColumn, where: "source.keyColumn" },
    { column: source.customerColumn, where: "source.customerColumn" },
    { column: source.cancelled.column, where: "source.cancelled.column" },
    ...requiredColumns.map((c) => (typeof c === "string" ? { column: c } : c)),
  ];
  const have = new Set(info.columns.map((c) => c.name));
  const seen = new Set<string>();
  const missing = wanted.filter((c) => {
    if (have.has(c.column) || seen.has(c.column)) return false;
    seen.add(c.column);
    return true;
  });
  if (missing.length > 0) {
    const lines = missing.map((c) => {
      const near = info.columns.find((h) => h.name.toLowerCase() === c.column.toLowerCase());
      const where = c.where ? ` (mapped at ${c.where})` : "";
      const hint = near ? `; did you mean "${near.name}"? column names are case-sensitive` : "";
      return `${source.table} has no column "${c.column}"${where}${hint}`;
    });
    const columns = info.columns.map((c) => `"${c.name}"`).join(", ");
    throw new SourceError(`${lines.join("\n")}\n  columns present: ${columns}`, source.table, missing);
  }
  return info;
}
