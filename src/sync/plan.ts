import type { Change } from "../detect/index.js";
import { MappingError } from "../mapping/index.js";
import type { ValidationResult } from "../quality/index.js";
import type { QuarantinedOrder } from "./steps/validate.js";
import { CountsTally, sumCounts, type SyncCounts } from "./counts.js";
import { detectIntoSink } from "./customer-pipeline.js";
import { HaltError } from "./errors.js";
import { customerContext, prepare, type SyncDeps } from "./prepare.js";
import { StepClock } from "./step-clock.js";
import { planLanes, type PlannedLanes } from "./plan-lanes.js";
import type { PendingChange } from "./steps/detect.js";
import type { ChangeSink, StageResult } from "./steps/stage.js";

/** One planned change, as `plan` prints it. */
export interface PlannedChange {
  customer: string;
  orderKey: string;
  action: "CREATE" | "UPDATE" | "ARCHIVE" | "QUARANTINE";
  columns: string[];
  subitems?: { create: string[]; update: string[]; archive: string[] };
  reason?: string;
  /** The lane the change goes by (issue 18): `mutations`, or a bulk import job. */
  lane?: "mutations" | "ingest" | "backfill";
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
  };
}

/** The `plan` sink: the same steps as `sync`, delivered into a list of planned changes; writes nothing. */
export class PlanSink implements ChangeSink {
  readonly changes: PlannedChange[] = [];

  constructor(private readonly customer: string) {}

  stage(changes: readonly PendingChange[], quarantined: readonly QuarantinedOrder[]): Promise<StageResult> {
    for (const c of changes) this.changes.push(planned(this.customer, c));
    for (const q of quarantined)
      this.changes.push({
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

/** The `plan` command: detection only; reads monday's board schema but writes nothing anywhere but migrations. */
export async function planSync(
  deps: SyncDeps,
  options: { customers?: readonly string[] } = {},
): Promise<{
  changes: PlannedChange[];
  counts: SyncCounts;
  lanes: PlannedLanes;
  errors: { customer: string; error: string }[];
}> {
  const p = await prepare(deps, options.customers);
  const changes: PlannedChange[] = [];
  const parts: SyncCounts[] = [];
  const errors: { customer: string; error: string }[] = [];
  for (const customer of p.customers) {
    const board = p.boards.get(customer.board);
    if (!board || board instanceof MappingError) {
      errors.push({ customer: customer.name, error: board?.message ?? "board not configured" });
      continue;
    }
    const ctx = customerContext(deps, p, customer, board);
    const sink = new PlanSink(customer.name);
    const tally = new CountsTally();
    try {
      await detectIntoSink(ctx, sink, { tally, clock: new StepClock() });
    } catch (e) {
      if (!(e instanceof HaltError)) throw e;
      errors.push({ customer: customer.name, error: e.message });
    }
    changes.push(...sink.changes);
    parts.push(tally.total);
  }
  const counts = sumCounts(parts);
  for (const c of changes) {
    const key = PLANNED_COUNT[c.action];
    if (key) counts[key]++;
  }
  return { changes, counts, lanes: planLanes(deps.settings, changes), errors };
}
