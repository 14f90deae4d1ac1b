import { sql, type RawBuilder, type SelectQueryBuilder } from "kysely";
import type { DbDialect } from "../types.js";

/**
 * Bound parameters one statement may carry: SQLite ≥ 3.32 32,766; PostgreSQL and MySQL/MariaDB 65,535;
 * SQL Server 2,100 per request (kept at 2,000: tedious and sp_executesql need a few of their own).
 */
export const MAX_PARAMETERS: Readonly<Record<DbDialect, number>> = {
  sqlite: 32_766,
  postgres: 65_535,
  mysql: 65_535,
  mssql: 2_000,
};

/**
 * How many rows of `columns` bound values fit in one multi-row INSERT on `dialect`, at most `cap`.
 *
 * @example rowsPerStatement("mssql", 17, 200) // 117: 117 × 17 = 1,989 parameters
 */
export function rowsPerStatement(dialect: DbDialect, columns: number, cap: number): number {
  return Math.max(1, Math.min(cap, Math.floor(MAX_PARAMETERS[dialect] / Math.max(1, columns))));
}

/**
 * `LIMIT n` on a query builder; SQL Server has no LIMIT and gets `TOP (n)` instead.
 *
 * @example await limitRows(db.dialect, db.kysely.selectFrom("MON_SyncRuns").selectAll().orderBy("started_at"), 20).execute()
 */
export function limitRows<DB, TB extends keyof DB, O>(
  dialect: DbDialect,
  query: SelectQueryBuilder<DB, TB, O>,
  n: number,
): SelectQueryBuilder<DB, TB, O> {
  return dialect === "mssql" ? query.top(n) : query.limit(n);
}

/**
 * A row limit for a raw `select … order by …` query: `limit ?` at its end or, on SQL Server, `top (?)`
 * after `select` (T-SQL has no LIMIT; TOP parses everywhere OFFSET … FETCH does, and in more tools).
 *
 * @example
 * const { top, limit } = rowLimit(db.dialect, 500);
 * sql`select ${top} * from t order by k ${limit}`
 */
export function rowLimit(
  dialect: DbDialect,
  n: number,
): { top: RawBuilder<unknown>; limit: RawBuilder<unknown> } {
  return dialect === "mssql"
    ? { top: sql`top (${n})`, limit: sql`` }
    : { top: sql``, limit: sql`limit ${n}` };
}

/** Error codes each engine gives a duplicate primary or unique key. */
const DUPLICATE_KEY: Readonly<
  Record<DbDialect, (e: { code?: unknown; errno?: unknown; number?: unknown }) => boolean>
> = {
  sqlite: (e) => e.code === "SQLITE_CONSTRAINT_PRIMARYKEY" || e.code === "SQLITE_CONSTRAINT_UNIQUE",
  postgres: (e) => e.code === "23505",
  mysql: (e) => e.code === "ER_DUP_ENTRY" || e.errno === 1062,
  // 2627: PRIMARY KEY / UNIQUE constraint, 2601: unique index.
  mssql: (e) => e.number === 2627 || e.number === 2601,
};

/** Whether `error` is the engine refusing a duplicate key (an insert that lost a race). */
export function isDuplicateKeyError(dialect: DbDialect, error: unknown): boolean {
  return typeof error === "object" && error !== null && DUPLICATE_KEY[dialect](error as never);
}
