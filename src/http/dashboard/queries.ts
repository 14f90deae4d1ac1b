import { sql } from "kysely";
import type { Db } from "../../db/index.js";
import { quarantineCounts } from "../../quality/index.js";
import { lastSuccessByCustomer } from "../../runlog/index.js";
import { currentLeases } from "../../sync/index.js";

/** One customer's line on the customers page. */
export interface CustomerLine {
  customer: string;
  lastSuccess: string | null;
  lease: { owner: string; batchId: string; expiresAt: string; lapsed: boolean } | null;
  failed: number;
  dead: number;
  quarantined: number;
}

/** Customers with their last successful sync, lease and FAILED / DEAD / quarantined counts (aggregated in SQL). */
export async function customerLines(db: Db, customers: readonly string[]): Promise<CustomerLine[]> {
  const [last, leases, staged, held] = await Promise.all([
    lastSuccessByCustomer(db),
    currentLeases(db),
    db.kysely
      .selectFrom("STG_MON_CustMasterSchedule")
      .select(["customer", "stg_status", (e) => e.fn.countAll<number | string>().as("n")])
      .where("stg_status", "in", ["FAILED", "DEAD"])
      .groupBy(["customer", "stg_status"])
      .execute(),
    quarantineCounts(db),
  ]);
  const names = [
    ...new Set([...customers, ...leases.map((l) => l.customer), ...held.map((h) => h.customer)]),
  ];
  return names.sort().map((customer) => {
    const lease = leases.find((l) => l.customer === customer);
    const count = (status: string) =>
      Number(staged.find((s) => s.customer === customer && s.stg_status === status)?.n ?? 0);
    return {
      customer,
      lastSuccess: last.get(customer) ?? null,
      lease: lease
        ? { owner: lease.owner, batchId: lease.batchId, expiresAt: lease.expiresAt, lapsed: lease.lapsed }
        : null,
      failed: count("FAILED"),
      dead: count("DEAD"),
      quarantined: held.find((h) => h.customer === customer)?.orders ?? 0,
    };
  });
}

/** A row that needs a person: a FAILED or DEAD staged order, or a quarantine finding. */
export interface AttentionRow {
  customer: string;
  order_key: string;
  kind: string;
  reason: string;
  at: string;
}

/** Search and page for {@link attentionRows}. */
export interface AttentionQuery {
  q?: string;
  kind?: "FAILED" | "DEAD" | "QUARANTINED";
  limit: number;
  offset: number;
}

/** FAILED, DEAD and quarantined orders with their reasons, newest first, searched and paged in SQL. */
export async function attentionRows(
  db: Db,
  query: AttentionQuery,
): Promise<{ rows: AttentionRow[]; total: number }> {
  const k = db.kysely;
  const staged = k
    .selectFrom("STG_MON_CustMasterSchedule")
    .select([
      "customer",
      "order_key",
      sql<string>`stg_status`.as("kind"),
      sql<string>`coalesce(last_error, '')`.as("reason"),
      sql<string>`stg_updated_date`.as("at"),
    ])
    .where("stg_status", "in", ["FAILED", "DEAD"]);
  const held = k
    .selectFrom("MON_Quarantine")
    .select([
      "customer",
      "order_key",
      sql<string>`'QUARANTINED'`.as("kind"),
      sql<string>`rule || coalesce(' (' || column_name || ')', '') || ': ' || message`.as("reason"),
      sql<string>`last_seen`.as("at"),
    ]);
  let base = k.selectFrom(staged.unionAll(held).as("a"));
  if (query.kind) base = base.where("a.kind", "=", query.kind);
  if (query.q) {
    const like = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base = base.where((e) =>
      e.or(
        (["customer", "order_key", "reason"] as const).map(
          (c) => sql<boolean>`lower(${sql.ref(`a.${c}`)}) like ${like} escape '\\'`,
        ),
      ),
    );
  }
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy("a.at", "desc")
      .orderBy("a.order_key")
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
    base.select((e) => e.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows as AttentionRow[], total: Number(count.n) };
}
