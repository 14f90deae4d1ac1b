import type { AnyColumn, InsertQueryBuilder, InsertResult } from "kysely";
import { isDuplicateKeyError, type DbDialect } from "../db/index.js";

/**
 * Inserts one row unless a row with the same unique key exists; resolves to whether it inserted. SQLite and
 * PostgreSQL use `ON CONFLICT DO NOTHING`; MySQL/MariaDB and SQL Server have no such clause, so the insert
 * runs as is and a duplicate key counts as "already there" (a duplicate key ends only that statement, never
 * the transaction, on those engines; `INSERT IGNORE` would also hide truncation and other errors).
 */
export async function insertOnce<DB, TB extends keyof DB & string>(
  dialect: DbDialect,
  insert: InsertQueryBuilder<DB, TB, InsertResult>,
  columns: readonly AnyColumn<DB, TB>[],
): Promise<boolean> {
  if (dialect === "sqlite" || dialect === "postgres") {
    const result = await insert.onConflict((oc) => oc.columns(columns).doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }
  try {
    await insert.executeTakeFirst();
    return true;
  } catch (e) {
    if (isDuplicateKeyError(dialect, e)) return false;
    throw e;
  }
}
