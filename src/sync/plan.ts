import type { Change } from "../detect/index.js";
import { MappingError } from "../mapping/index.js";
import type { ValidationResult } from "../quality/index.js";
import type { QuarantinedOrder } from "./steps/validate.js";
import { CountsTally, sumCounts, type SyncCounts } from "./counts.js";
import { detectIntoSink } from "./customer-pipeline.js";
import { HaltError } from "./errors.js";
import { customerContext, prepare, type SyncDeps } from "./prepare.js";
import { StepClock } from "./step-clock.js";
import { LanePlanner, type PlannedLanes } from "./plan-lanes.js";
import type { PendingChange } from "./steps/detect.js";
import type { ChangeSink, StageResult } from "./steps/stage.js";

/** One planned change, as `plan` prints it. */
export interface PlannedChange {
  customer: string;
  orderKey: string;
  action: "CREATE" | "UPDATE" | "ARCHIVE" | "QUARANTINE";
  columns: string[];
  subitems?: { create: string[]; update: string[]; archive: string[] };
  /**
   * UPDATE: each changed column's value in the sync state (what the board was last given) and the newly
   * mapped one, e.g. `{ po_number: { from: "PO-1", to: "PO-2" } }` (`name` and `group` too).
   */
  values?: Record<string, { from: unknown; to: unknown }>;
  reason?: string;
  /** The lane the change goes by (issue 18): `mutations`, or a bulk import job. */
  lane?: "mutations" | "ingest" | "backfill";
}

type ChangedOrder = Extract<Change, { kind: "CHANGED" }>;

/** Old → new of every changed column, the item name and the group. */
function changedValues(c: ChangedOrder): Record<string, { from: unknown; to: unknown }> {
  const before = c.known.lastValues;
  const values: Record<string, { from: unknown; to: unknown }> = {};
  for (const id of c.changedColumns)
    values[id] =
      id === "name"
        ? { from: before?.name ?? null, to: c.snapshot.name }
        : { from: before?.columns[id] ?? null, to: c.snapshot.columns[id] ?? null };
  if (c.groupChanged) values.group = { from: before?.group ?? null, to: c.snapshot.group };
  return values;
}

function planned(customer: string, c: Exclude<Change, { kind: "UNCHANGED" }>): PlannedChange {
  if (c.kind === "GONE") return { customer, orderKey: c.orderKey, action: "ARCHIVE", columns: [] };
  if (c.kind === "NEW")
    return {
      customer,
      orderKey: c.orderKey,
      action: "CREATE",
      columns: Object.keys(c.snapshot.columns),
      subitems: { create: Object.keys(c.snapshot.subitems), update: [], archive: [] },
    };
  return {
    customer,
    orderKey: c.orderKey,
    action: "UPDATE",
    columns: [...c.changedColumns, ...(c.groupChanged ? ["group"] : [])],
    subitems: c.subitems,
    values: changedValues(c),
  };
}

/** The `plan` sink: the same steps as `sync`, delivered change by change to `emit`; writes nothing. */
export class PlanSink implements ChangeSink {
  constructor(
    private readonly customer: string,
    private readonly emit: (change: PlannedChange) => void,
  ) {}

  stage(changes: readonly PendingChange[], quarantined: readonly QuarantinedOrder[]): Promise<StageResult> {
    for (const c of changes) this.emit(planned(this.customer, c));
    for (const q of quarantined)
      this.emit({
        customer: this.customer,
        orderKey: q.orderKey,
        action: "QUARANTINE",
        columns: q.columns,
        reason: q.reason,
      });
    return Promise.resolve({ staged: 0, counts: { dead: 0 } });
  }

  halt(result: ValidationResult): Promise<never> {
    const h = result.halt!;
    return Promise.reject(new HaltError(this.customer, h.rule, h.reason, result));
  }

  finish(): Promise<void> {
    return Promise.resolve();
  }
}

/** The plan's counts of changes by action. */
const PLANNED_COUNT: Partial<Record<PlannedChange["action"], keyof SyncCounts>> = {
  CREATE: "created",
  UPDATE: "updated",
  ARCHIVE: "archived",
};

/** What `plan` found: the changes (empty when they went to `onChange`), the counts and the customers that failed. */
export interface PlanResult {
  changes: PlannedChange[];
  counts: SyncCounts;
  /** Which lane the changes take and each lane's expected cost (issue 18). */
  lanes: PlannedLanes;
  errors: { customer: string; error: string }[];
}

/** Options of {@link planSync}. */
export interface PlanOptions {
  customers?: readonly string[];
  /**
   * Receives each planned change as its page is detected (issue 16): `plan --json` streams them, so memory
   * holds a page, not the table. Without it the changes are collected into the result.
   */
  onChange?: (change: PlannedChange) => void;
}

/** The `plan` command: detection only; reads monday's board schema but writes nothing anywhere but migrations. */
export async function planSync(deps: SyncDeps, options: PlanOptions = {}): Promise<PlanResult> {
  const p = await prepare(deps, options.customers);
  const changes: PlannedChange[] = [];
  const parts: SyncCounts[] = [];
  const errors: { customer: string; error: string }[] = [];
  const tallyPlanned = new CountsTally();
  const lanes = new LanePlanner(deps.settings);
  const emit = (c: PlannedChange) => {
    lanes.assign(c);
    const key = PLANNED_COUNT[c.action];
    if (key) tallyPlanned.add({ [key]: 1 });
    tallyPlanned.add({
      subitemsCreated: c.subitems?.create.length ?? 0,
      subitemsUpdated: c.subitems?.update.length ?? 0,
      subitemsArchived: c.subitems?.archive.length ?? 0,
    });
    if (options.onChange) options.onChange(c);
    else changes.push(c);
  };
  for (const customer of p.customers) {
    const board = p.boards.get(customer.board);
    if (!board || board instanceof MappingError) {
      errors.push({ customer: customer.name, error: board?.message ?? "board not configured" });
      continue;
    }
    const ctx = customerContext(deps, p, customer, board);
    const tally = new CountsTally();
    try {
      await detectIntoSink(ctx, new PlanSink(customer.name, emit), { tally, clock: new StepClock() });
    } catch (e) {
      if (!(e instanceof HaltError)) throw e;
      errors.push({ customer: customer.name, error: e.message });
    }
    parts.push(tally.total);
  }
  const counts = sumCounts([...parts, tallyPlanned.total]);
  return { changes, counts, lanes: lanes.result(), errors };
}
