import { sql, type Kysely } from "kysely";
import type { Db } from "../db/index.js";
import { analyticsSql } from "./dialect.js";
import type { AnalyticsFilter, OrdersSource, Row } from "./queries.js";

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const hours = (seconds: number) => Math.round((seconds / 3600) * 100) / 100;

/** The instant that ends `asOf` (YYYY-MM-DD): midnight UTC of the next day, as order-sync writes times. */
export function endOfDay(asOf: string): string {
  return new Date(Date.parse(`${asOf}T00:00:00.000Z`) + 86_400_000).toISOString();
}

/**
 * Time in each status, from `MON_StatusHistory` (two-way sync's record of every status change on the
 * boards, order-sync's own writes included): each change starts a stay that lasts until the item's next
 * change of that column, or until the end of `asOf` for the stay still open then. Changes after `asOf` are
 * left out, and so is history without an order key. The cancelled rule applies; with a customer or season
 * filter (or a cancelled rule on another column) only orders found in the orders table count.
 */
export async function timeInStatus(db: Db, s: OrdersSource, f: AnalyticsFilter): Promise<Row[]> {
  const d = analyticsSql(db.dialect);
  const end = endOfDay(f.asOf);
  const o = (c: string) => sql.ref(`o.${c}`);
  const parts = [sql`h.changed_at < ${end}`];
  // The orders table is joined only when a figure needs one of its columns: with the cancelled mark in
  // the key (the demo's rule) and no customer or season filter, the history's own order_key is enough.
  const join = Boolean(f.customer || f.season) || s.cancelled.column !== s.key;
  const cancelledIn = join ? o(s.cancelled.column) : sql.ref("h.order_key");
  parts.push(sql`${cancelledIn} not like ${`%${s.cancelled.contains}%`}`);
  if (f.customer) parts.push(sql`${o(s.customer)} = ${f.customer}`);
  if (f.season) parts.push(sql`${o(s.season)} = ${f.season}`);
  const history = sql`${sql.table("MON_StatusHistory")} h`;
  const from = join ? sql`${history} join ${sql.table(s.table)} o on ${o(s.key)} = h.order_key` : history;
  if (!join) parts.push(sql`h.order_key is not null`);
  // A stay ends at the item's next change of the column (next_at, kept by two-way sync: migration 0015),
  // or is still open at the end of asOf when that change came later or not at all; an order counts in a
  // status once, on its first stay there (first_stay), which is before asOf when any of its stays is.
  const closed = sql`h.next_at < ${end}`;
  const until = sql`case when ${closed} then h.next_at else ${end} end`;
  const seconds = d.secondsBetween(sql.ref("h.changed_at"), until);
  const { rows } = await sql<Record<string, unknown>>`
    select h.status as status, count(*) as stays, sum(h.first_stay) as orders,
      sum(case when ${closed} then 0 else 1 end) as open_stays,
      sum(${seconds}) as total_seconds, max(${seconds}) as max_seconds
    from ${from} where ${sql.join(parts, sql` and `)}
    group by h.status order by 1`.execute(db.kysely as unknown as Kysely<unknown>);
  return rows.map((r) => {
    const total = num(r.total_seconds);
    const count = num(r.stays);
    return {
      status: r.status === null || r.status === undefined ? null : String(r.status),
      stays: count,
      orders: num(r.orders),
      open_stays: num(r.open_stays),
      total_hours: hours(total),
      avg_hours: count ? hours(total / count) : null,
      max_hours: hours(num(r.max_seconds)),
    };
  });
}
