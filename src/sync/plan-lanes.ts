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
 * within the ingest budget) and every other change `mutations`, one change at a time as `plan` streams them
 * (issue 16: memory holds a page); {@link LanePlanner.result} is the lanes' expected cost.
 */
export class LanePlanner {
  private readonly kind: "ingest" | "backfill" | undefined;
  private ingestLeft: number;
  private readonly groups = new Set<string>();
  private bulkOrders = 0;
  private bulkRows = 0;
  private writes = 0;
  private mutationOrders = 0;

  constructor(private readonly settings: Settings) {
    const lane = settings.config.monday.bulk;
    this.kind = lane === "off" ? undefined : lane === "backfill" ? "backfill" : "ingest";
    this.ingestLeft = this.kind === "ingest" ? BULK_INGEST_PER_HOUR : Infinity;
  }

  /** Sets `c.lane` and counts the change into its lane. */
  assign(c: PlannedChange): void {
    const rows = 1 + (c.subitems?.create.length ?? 0);
    if (this.kind && c.action === "CREATE" && rows <= this.ingestLeft) {
      c.lane = this.kind;
      this.ingestLeft -= this.kind === "ingest" ? rows : 0;
      this.bulkOrders++;
      this.bulkRows += rows;
      this.groups.add(c.customer);
      return;
    }
    if (c.action === "QUARANTINE") return;
    c.lane = "mutations";
    this.mutationOrders++;
    this.writes += writesOf(c);
  }

  /** What each lane is expected to cost for the changes assigned so far. */
  result(): PlannedLanes {
    const { kind, writes, bulkRows: rows } = this;
    const minutes =
      Math.round(((writes * POINTS_PER_WRITE) / this.settings.config.monday.budgetPerMinute) * 10) / 10;
    const result: PlannedLanes = { mutations: { orders: this.mutationOrders, writes, minutes } };
    if (!kind || this.bulkOrders === 0) return result;
    result.bulk = {
      kind,
      orders: this.bulkOrders,
      rows,
      jobs: Math.max(this.groups.size, Math.ceil(rows / BULK_ROWS_PER_JOB[kind])),
      ...(kind === "ingest" && { budgetHours: Math.round((rows / BULK_INGEST_PER_HOUR) * 100) / 100 }),
    };
    return result;
  }
}

/** {@link LanePlanner} over a list of changes at once. */
export function planLanes(settings: Settings, changes: PlannedChange[]): PlannedLanes {
  const planner = new LanePlanner(settings);
  for (const c of changes) planner.assign(c);
  return planner.result();
}
