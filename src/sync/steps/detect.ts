import { buildSnapshot, detectChange, RowError, type Change } from "../../detect/index.js";
import { MappedRow } from "../../mapping/index.js";
import type { OrderPage, OrderRow } from "../../source/index.js";
import { loadHolds, loadStateRange, type SourceHashRefresh, type SyncStateRow } from "../../state/index.js";
import type { CustomerRunContext } from "../customer-context.js";

/** A change that needs work on monday (everything but UNCHANGED). */
export type PendingChange = Exclude<Change, { kind: "UNCHANGED" }>;
/** An order monday no longer should show: the source has dropped it (deleted or cancelled). */
export type GoneChange = Change & { kind: "GONE" };

/** One changed order of a page, with the row it came from, as mapped (validation reads it), and its sync state. */
export interface DetectedOrder {
  row: OrderRow;
  /** The row's mapped values, the snapshot's: validation's rules read them rather than map the row again. */
  mapped: MappedRow;
  orderKey: string;
  /** The change, or why the row could not be mapped (the order is quarantined). */
  change: PendingChange | RowError;
  state?: SyncStateRow;
}

/** The detect step's result for one page. */
export interface DetectResult {
  /** Orders that are NEW or CHANGED, or could not be mapped, in page order. */
  detected: DetectedOrder[];
  /** Orders in the page's key range that the source no longer has. */
  gone: GoneChange[];
  /** Quarantined orders whose source went back to what monday holds: fine again. */
  fixed: string[];
  /** Orders held by a rollback whose source now holds something else: their holds end (the sink releases them). */
  released: string[];
  /** `held`: orders left alone because a rollback holds them and their source still makes the same change. */
  counts: { unchanged: number; held: number };
  /** Orders read and found unchanged whose fingerprint the state should keep (issue 16; `sync` stores them). */
  refresh?: SourceHashRefresh[];
}

/** What the holds of a rollback leave of a page's changes (see {@link applyHolds}). */
interface HeldResult {
  detected: DetectedOrder[];
  gone: GoneChange[];
  released: string[];
  held: number;
}

/**
 * Holds (issue 15): an order a rollback put back is skipped while its source still makes the change that was
 * rolled back (the same hash, or GONE again for an order that had been archived); once the source holds
 * anything else the hold is released and the order syncs as usual. Unmappable rows are left to validation.
 */
export async function applyHolds(
  ctx: Pick<CustomerRunContext, "db" | "customer">,
  detected: DetectedOrder[],
  gone: GoneChange[],
): Promise<HeldResult> {
  const keys = [...detected.map((d) => d.orderKey), ...gone.map((g) => g.orderKey)];
  const holds = keys.length ? await loadHolds(ctx.db.kysely, ctx.customer.name, keys) : new Map();
  const out: HeldResult = { detected: [], gone: [], released: [], held: 0 };
  if (holds.size === 0) return { ...out, detected, gone };
  const keep = (key: string, hash: string | null): boolean => {
    const hold = holds.get(key);
    if (!hold) return true;
    if (hold.heldHash === hash) {
      out.held++;
      return false;
    }
    out.released.push(key);
    return true;
  };
  out.detected = detected.filter(
    (d) => d.change instanceof RowError || d.change.kind === "GONE" || keep(d.orderKey, d.change.hash),
  );
  out.gone = gone.filter((g) => keep(g.orderKey, null));
  return out;
}

/** The sync state's orders that have an item on monday and are not archived, as GONE changes. */
export function goneOf(states: Iterable<SyncStateRow>): GoneChange[] {
  return [...states]
    .filter((s) => !s.archived && s.mondayItemId)
    .map((s): GoneChange => ({ kind: "GONE", orderKey: s.orderKey, known: s }));
}

/** One row against its sync state: the change, or the {@link RowError} that makes it unmappable. */
export function classify(
  ctx: Pick<CustomerRunContext, "board" | "customer">,
  mapped: MappedRow,
  orderKey: string,
  state: SyncStateRow | undefined,
): Change | RowError {
  try {
    return detectChange(orderKey, buildSnapshot(mapped, orderKey, ctx.board, ctx.customer), state);
  } catch (e) {
    if (!(e instanceof RowError)) throw e;
    return e;
  }
}

/**
 * Step 3, detect: lines a page up with the same key range of the sync state (`after` < key ≤ the page's
 * last key) and classifies each order by the canonical hash of its mapped fields. Unchanged orders cost
 * nothing; state rows the page does not hold are GONE.
 */
export async function detectChanges(
  ctx: Pick<CustomerRunContext, "settings" | "db" | "board" | "customer">,
  page: OrderPage,
  after: string | null,
  previouslyQuarantined: ReadonlySet<string>,
): Promise<DetectResult> {
  const keyColumn = ctx.settings.config.source.keyColumn;
  const known = await loadStateRange(ctx.db, ctx.customer.name, after, page.lastKey);
  const result: DetectResult = {
    detected: [],
    gone: [],
    fixed: [],
    released: [],
    counts: { unchanged: 0, held: 0 },
  };
  for (const row of page.rows) {
    const orderKey = String(row[keyColumn]);
    const state = known.get(orderKey);
    known.delete(orderKey);
    const mapped = new MappedRow(row);
    const change = classify(ctx, mapped, orderKey, state);
    if (!(change instanceof RowError) && change.kind === "UNCHANGED") {
      result.counts.unchanged++;
      if (previouslyQuarantined.has(orderKey)) result.fixed.push(orderKey);
      continue;
    }
    result.detected.push({ row, mapped, orderKey, change, ...(state ? { state } : {}) });
  }
  const holds = await applyHolds(ctx, result.detected, goneOf(known.values()));
  result.detected = holds.detected;
  result.gone = holds.gone;
  result.released = holds.released;
  result.counts.held = holds.held;
  return result;
}

/**
 * Detect for `validate`: every order of the page, changed or not, as if new (the sync state is not read),
 * so validation judges every open order, the unmappable ones included, as a sync would.
 */
export function detectAll(
  ctx: Pick<CustomerRunContext, "settings" | "board" | "customer">,
  page: OrderPage,
): DetectedOrder[] {
  const keyColumn = ctx.settings.config.source.keyColumn;
  return page.rows.map((row) => {
    const orderKey = String(row[keyColumn]);
    const mapped = new MappedRow(row);
    // Without a state row an order is NEW (or unmappable): never UNCHANGED.
    const change = classify(ctx, mapped, orderKey, undefined) as PendingChange | RowError;
    return { row, mapped, orderKey, change };
  });
}

/**
 * The detect step after the last page: sync-state orders past the last key read are GONE (held ones left
 * alone, as {@link detectChanges}).
 */
export async function detectGoneAfter(
  ctx: Pick<CustomerRunContext, "db" | "customer">,
  after: string | null,
): Promise<{ gone: GoneChange[]; released: string[]; counts: { held: number } }> {
  const gone = goneOf((await loadStateRange(ctx.db, ctx.customer.name, after, null)).values());
  const holds = await applyHolds(ctx, [], gone);
  return { gone: holds.gone, released: holds.released, counts: { held: holds.held } };
}
