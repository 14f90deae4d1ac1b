import { sql } from "kysely";
import type { Settings } from "../config/index.js";
import type { Db } from "../db/index.js";
import { plural } from "./output.js";

/** Customers the config and the database disagree on: nothing is ignored without a word. */
export interface CustomerMismatches {
  /** Config customers with no order in the source, with the source customer that is spelt alike. */
  unmatched: { customer: string; closest?: string }[];
  /** Source customers with orders that no config entry covers, and how many orders. */
  uncovered: { customer: string; orders: number }[];
  /** Customers with items on the boards (`MON_SyncState`) that left the config. */
  departed: { customer: string; items: number; boards: string[] }[];
}

/** Case, spaces and punctuation aside, `Blue Harbor` is `BLUE  HARBOR`. */
const normal = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "");

/** Levenshtein distance, for the "did you mean" of a misspelt customer. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  const n = normal(name);
  const same = candidates.find((c) => normal(c) === n);
  if (same) return same;
  const scored = candidates
    .map((c) => ({ c, d: distance(n, normal(c)) }))
    .filter((x) => x.d <= Math.max(1, Math.floor(n.length / 5)))
    .sort((a, b) => a.d - b.d);
  return scored[0]?.c;
}

/** Compares the config's customers with the source's and the sync state's; reads only. */
export async function customerMismatches(db: Db, settings: Settings): Promise<CustomerMismatches> {
  const src = settings.config.source;
  const rows = await sql<{ customer: string | null; orders: number | string }>`
    select ${sql.ref(src.customerColumn)} as customer, count(*) as orders
    from ${sql.table(src.table)} group by ${sql.ref(src.customerColumn)}`.execute(db.kysely);
  const inSource = new Map(
    rows.rows.filter((r) => r.customer !== null).map((r) => [String(r.customer), Number(r.orders)]),
  );
  const configured = settings.config.customers.map((c) => c.name);
  const unmatched = configured
    .filter((c) => !inSource.has(c))
    .map((customer) => {
      const near = closest(
        customer,
        [...inSource.keys()].filter((s) => !configured.includes(s)),
      );
      return near ? { customer, closest: near } : { customer };
    });
  const uncovered = [...inSource]
    .filter(([c]) => !configured.includes(c))
    .map(([customer, orders]) => ({ customer, orders }));
  const departed: CustomerMismatches["departed"] = [];
  const state = await db.kysely
    .selectFrom("MON_SyncState")
    .select(["customer", "board_id"])
    .select((eb) => eb.fn.countAll<number>().as("items"))
    .where("monday_item_id", "is not", null)
    .groupBy(["customer", "board_id"])
    .execute()
    .catch(() => []); // before the first sync there is no sync state
  for (const s of state) {
    if (configured.includes(s.customer)) continue;
    const d = departed.find((x) => x.customer === s.customer);
    if (d) {
      d.items += Number(s.items);
      d.boards.push(s.board_id);
    } else departed.push({ customer: s.customer, items: Number(s.items), boards: [s.board_id] });
  }
  return { unmatched, uncovered, departed };
}

/** The mismatches as one line each (empty when config and database agree). */
export function describeMismatches(m: CustomerMismatches): string[] {
  return [
    ...m.unmatched.map(
      (u) =>
        `config customer "${u.customer}" matches no order in the source${u.closest ? `; the source has "${u.closest}" (fix customers[].name)` : ""}`,
    ),
    ...m.uncovered.map(
      (u) =>
        `source customer "${u.customer}" (${plural(u.orders, "order")}) is in no config entry: its orders are not synced (add it to customers)`,
    ),
    ...m.departed.map(
      (d) =>
        `customer "${d.customer}" left the config but has ${plural(d.items, "item")} on board ${d.boards.join(", ")} that nothing manages now`,
    ),
  ];
}
