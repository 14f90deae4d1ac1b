/**
 * Which lane each planned order takes and what each lane is expected to cost (issue 18): the mutation lane
 * from the complexity budget (about 10,000 points a write), the bulk lane from its documented limits
 * (rows a job, 19,000 ingested items an hour, 100 job starts an hour). monday does not document how fast a
 * job processes, so the bulk lane's time is not estimated beyond those limits.
 */
import type { Settings } from "../config/index.js";
import { BULK_INGEST_PER_HOUR, BULK_ROWS_PER_JOB } from "../monday/index.js";
import type { PlannedChange } from "./plan.js";

/** A write costs about this many complexity points (monday's guidance for `create_item`). */
const POINTS_PER_WRITE = 10_000;

/** The expected cost of each lane. */
export interface PlannedLanes {
  mutations: { orders: number; writes: number; minutes: number };
  bulk?: {
    kind: "ingest" | "backfill";
    orders: number;
    rows: number;
    /** Jobs at least: one per customer (one per board and group in fact), each within the rows a job takes. */
    jobs: number;
    /** Hours the 19,000-items-an-hour budget needs for these rows (ingest only). */
    budgetHours?: number;
  };
}

const writesOf = (c: PlannedChange): number =>
  c.action === "QUARANTINE"
    ? 0
    : c.action === "ARCHIVE"
      ? 1
      : Math.max(1, c.columns.length ? 1 : 0) +
        (c.subitems ? c.subitems.create.length + c.subitems.update.length + c.subitems.archive.length : 0);

/**
 * Marks each planned CREATE with its lane (`ingest`/`backfill` when `monday.bulk` sends it through a job,
 * within the ingest budget) and every other change `mutations`; returns the lanes' expected cost.
 */
export function planLanes(settings: Settings, changes: PlannedChange[]): PlannedLanes {
  const lane = settings.config.monday.bulk;
  const kind = lane === "off" ? undefined : lane === "backfill" ? "backfill" : "ingest";
  let ingestLeft = kind === "ingest" ? BULK_INGEST_PER_HOUR : Infinity;
  const bulkRows: number[] = [];
  const groups = new Set<string>();
  let writes = 0;
  let mutationOrders = 0;
  for (const c of changes) {
    const rows = 1 + (c.subitems?.create.length ?? 0);
    if (kind && c.action === "CREATE" && rows <= ingestLeft) {
      c.lane = kind;
      ingestLeft -= kind === "ingest" ? rows : 0;
      bulkRows.push(rows);
      groups.add(c.customer);
      continue;
    }
    if (c.action === "QUARANTINE") continue;
    c.lane = "mutations";
    mutationOrders++;
    writes += writesOf(c);
  }
  const minutes =
    Math.round(((writes * POINTS_PER_WRITE) / settings.config.monday.budgetPerMinute) * 10) / 10;
  const result: PlannedLanes = { mutations: { orders: mutationOrders, writes, minutes } };
  if (!kind || bulkRows.length === 0) return result;
  const rows = bulkRows.reduce((a, b) => a + b, 0);
  result.bulk = {
    kind,
    orders: bulkRows.length,
    rows,
    jobs: Math.max(groups.size, Math.ceil(rows / BULK_ROWS_PER_JOB[kind])),
    ...(kind === "ingest" && { budgetHours: Math.round((rows / BULK_INGEST_PER_HOUR) * 100) / 100 }),
  };
  return result;
}
