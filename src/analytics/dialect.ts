import { sql, type RawBuilder } from "kysely";
import type { DbDialect } from "../db/index.js";

type Expr = RawBuilder<unknown>;

/**
 * The date arithmetic the analytics need, per engine: everything else in their SQL is portable. Each
 * function takes SQL expressions (columns, bound parameters) and returns one; values are always bound.
 */
export interface AnalyticsSql {
  /** A `date` column (or `YYYY-MM-DD` text) as a comparable date. */
  date(e: Expr): Expr;
  /** Whole days from `a` to `b`. */
  daysBetween(a: Expr, b: Expr): RawBuilder<number>;
  /** The date `days` days after the date `e` (`days` bound as a parameter). */
  addDays(e: Expr, days: number): Expr;
  /** The Monday of the ISO week of the date `e`. */
  weekStart(e: Expr): Expr;
  /** `floor(n / 7)` for whole, possibly negative, `n`. */
  weekOf(days: Expr): Expr;
  /** Seconds from the ISO-8601 UTC timestamp text `a` (`…T…Z`, as order-sync writes them) to `b`. */
  secondsBetween(a: Expr, b: Expr): RawBuilder<number>;
  /**
   * `select <columns> <from> order by <orderBy>`, one page of it: `LIMIT … OFFSET …`, or on SQL Server
   * `TOP` over `row_number()` (which every T-SQL parser reads; rows carry an extra `row_n`).
   */
  page(q: { columns: Expr; from: Expr; orderBy: Expr }, limit: number, offset: number): Expr;
}

/** `YYYY-MM-DDTHH:MM:SS.sss` of an ISO timestamp text, without its `Z`. */
const isoPrefix = (e: Expr) => sql`substring(${e}, 1, 23)`;

const plainPage: AnalyticsSql["page"] = (q, limit, offset) =>
  sql`select ${q.columns} ${q.from} order by ${q.orderBy} limit ${limit} offset ${offset}`;

const SQLITE: AnalyticsSql = {
  date: (e) => sql`date(${e})`,
  daysBetween: (a, b) => sql<number>`cast(julianday(${b}) - julianday(${a}) as integer)`,
  addDays: (e, days) => sql`date(${e}, ${`+${days} days`})`,
  weekStart: (e) => sql`date(${e}, '-' || ((cast(strftime('%w', ${e}) as integer) + 6) % 7) || ' days')`,
  weekOf: (d) => sql`(cast(${d} / 7 as integer) - (case when ${d} < 0 and ${d} % 7 <> 0 then 1 else 0 end))`,
  secondsBetween: (a, b) => sql<number>`((julianday(${b}) - julianday(${a})) * 86400.0)`,
  page: plainPage,
};

const POSTGRES: AnalyticsSql = {
  date: (e) => sql`cast(${e} as date)`,
  daysBetween: (a, b) => sql<number>`(${b} - ${a})`,
  addDays: (e, days) => sql`(${e} + ${days}::integer)`,
  weekStart: (e) => sql`cast(date_trunc('week', ${e}) as date)`,
  weekOf: (d) => sql`floor(${d} / 7.0)`,
  secondsBetween: (a, b) =>
    sql<number>`extract(epoch from (cast(${b} as timestamptz) - cast(${a} as timestamptz)))`,
  page: plainPage,
};

/** MySQL 8 and MariaDB 10.5+: `weekday()` is 0 on Monday. */
const MYSQL: AnalyticsSql = {
  date: (e) => sql`cast(${e} as date)`,
  daysBetween: (a, b) => sql<number>`datediff(${b}, ${a})`,
  addDays: (e, days) => sql`date_add(${e}, interval ${days} day)`,
  weekStart: (e) => sql`date_sub(${e}, interval weekday(${e}) day)`,
  weekOf: (d) => sql`floor(${d} / 7)`,
  secondsBetween: (a, b) =>
    sql<number>`(timestampdiff(microsecond, cast(${isoPrefix(a)} as datetime(3)), cast(${isoPrefix(b)} as datetime(3))) / 1000000.0)`,
  page: plainPage,
};

/** SQL Server 2017+: `datediff(day, …)` counts date boundaries, which for dates is whole days. */
const MSSQL: AnalyticsSql = {
  date: (e) => sql`cast(${e} as date)`,
  daysBetween: (a, b) => sql<number>`datediff(day, ${a}, ${b})`,
  addDays: (e, days) => sql`dateadd(day, ${days}, ${e})`,
  // 2001-01-01 was a Monday: whole weeks since then, independent of SET DATEFIRST.
  weekStart: (e) => sql`dateadd(day, -((datediff(day, '2001-01-01', ${e}) % 7 + 7) % 7), ${e})`,
  weekOf: (d) => sql`floor(${d} / 7.0)`,
  secondsBetween: (a, b) =>
    sql<number>`(datediff_big(millisecond, cast(${isoPrefix(a)} as datetime2(3)), cast(${isoPrefix(b)} as datetime2(3))) / 1000.0)`,
  page: (q, limit, offset) =>
    sql`select top (${limit}) * from (select ${q.columns}, row_number() over (order by ${q.orderBy}) as row_n
      ${q.from}) p where p.row_n > ${offset} order by p.row_n`,
};

const BY_DIALECT: Record<DbDialect, AnalyticsSql> = {
  sqlite: SQLITE,
  postgres: POSTGRES,
  mysql: MYSQL,
  mssql: MSSQL,
};

/** The analytics' date arithmetic for `dialect`. */
export const analyticsSql = (dialect: DbDialect): AnalyticsSql => BY_DIALECT[dialect];
