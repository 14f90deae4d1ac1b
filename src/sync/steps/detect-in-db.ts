import { createHash } from "node:crypto";
import { RowError } from "../../detect/index.js";
import { MappedRow } from "../../mapping/index.js";
import {
  countActiveStates,
  countOpenOrders,
  describeSourceTable,
  keyHandling,
  readChangedOrderPages,
  readGoneKeys,
  type ChangedPage,
  type ChangedReadOptions,
  type OrderPage,
} from "../../source/index.js";
import { loadStateByKeys, sourceHashOf, type SourceHashRefresh } from "../../state/index.js";
import type { CustomerRunContext } from "../customer-context.js";
import {
  applyHolds,
  classify,
  detectChanges,
  detectGoneAfter,
  goneOf,
  type DetectResult,
  type GoneChange,
} from "./detect.js";
import { readOrders, sourceColumns } from "./read.js";

type Ctx = Pick<CustomerRunContext, "settings" | "db" | "board" | "customer">;

/** The sync state's orders after the last page that the source no longer has, and the unchanged count. */
export interface GoneAfter {
  gone: GoneChange[];
  released: string[];
  counts: { held: number; unchanged?: number };
}

/** How one customer's orders are read and detected: every row (classic), or only those the database finds changed. */
export interface Detector {
  pages: AsyncIterable<OrderPage>;
  detect(page: OrderPage, after: string | null, quarantined: ReadonlySet<string>): Promise<DetectResult>;
  goneAfter(after: string | null): Promise<GoneAfter>;
}

/** The source column a user's persisted row fingerprint lives in (README: "Change detection in the database"). */
export const ROW_HASH_COLUMN = "row_hash";

/**
 * The mapping's fingerprint, bound into each row's: the config, the board as resolved from monday (its
 * columns and labels) and the customer. Anything else the snapshot depends on is the row itself.
 */
export function mappingSalt(ctx: Ctx, fingerprintColumns: readonly string[]): string {
  const replacer = (_key: string, v: unknown) => (v instanceof Map || v instanceof Set ? [...v] : v);
  const what = {
    v: 1,
    config: ctx.settings.config,
    board: ctx.board,
    customer: ctx.customer,
    fingerprintColumns,
  };
  return createHash("sha256").update(JSON.stringify(what, replacer)).digest("hex").slice(0, 32);
}

/** Every row read and compared in the process (a key that is not text: its cast defeats the index). */
function classicDetector(ctx: Ctx): Detector {
  return {
    pages: readOrders(ctx),
    detect: (page, after, quarantined) => detectChanges(ctx, page, after, quarantined),
    goneAfter: (after) => detectGoneAfter(ctx, after),
  };
}

/** Whether a state row stands for an item on the board (else the order is NEW). */
const onBoard = (s: { archived: boolean; mondayItemId: string | null } | undefined): boolean =>
  s !== undefined && !s.archived && s.mondayItemId !== null;

/**
 * One page of rows the database found new or changed: each against its sync state (the canonical hash
 * decides), and the unchanged ones' fingerprints kept for the state. GONE orders are found after the last
 * page ({@link inDatabaseDetector}). `unknown` counts the rows without an item on the board.
 */
async function detectChangedPage(
  ctx: Ctx,
  page: ChangedPage,
  quarantined: ReadonlySet<string>,
  unknown: { n: number },
): Promise<DetectResult> {
  const states = await loadStateByKeys(ctx.db.kysely, ctx.customer.name, page.keys);
  const result: DetectResult = {
    detected: [],
    gone: [],
    fixed: [],
    released: [],
    counts: { unchanged: 0, held: 0 },
  };
  const refresh: SourceHashRefresh[] = [];
  page.rows.forEach((row, i) => {
    const orderKey = page.keys[i]!;
    const state = states.get(orderKey);
    if (!onBoard(state)) unknown.n++;
    const mapped = new MappedRow(row);
    const change = classify(ctx, mapped, orderKey, state);
    const fingerprint = page.fingerprints[i]!;
    if (!(change instanceof RowError) && change.kind === "UNCHANGED") {
      result.counts.unchanged++;
      if (quarantined.has(orderKey)) result.fixed.push(orderKey);
      const sourceHash = sourceHashOf(fingerprint, state?.lastHash ?? null);
      if (sourceHash) refresh.push({ orderKey, sourceHash });
      return;
    }
    if (!(change instanceof RowError) && change.kind !== "GONE") change.sourceFingerprint = fingerprint;
    result.detected.push({ row, mapped, orderKey, change, ...(state ? { state } : {}) });
  });
  const holds = await applyHolds(ctx, result.detected, []);
  return {
    ...result,
    detected: holds.detected,
    released: holds.released,
    counts: { ...result.counts, held: holds.held },
    refresh,
  };
}

/**
 * Only the rows the database does not find alike in the sync state leave it (issue 16). After the last
 * page: the state's items whose order the source no longer has open number `items − (open − unknown)`
 * (every open order without an item was read), so the anti-join that finds them runs only when some are.
 */
function inDatabaseDetector(ctx: Ctx, opts: ChangedReadOptions): Detector {
  let read = 0;
  const unknown = { n: 0 };
  return {
    pages: readChangedOrderPages(ctx.db, opts, { column: opts.keyColumn }),
    detect: (page, _after, quarantined) => {
      read += page.rows.length;
      return detectChangedPage(ctx, page as ChangedPage, quarantined, unknown);
    },
    goneAfter: async () => {
      const open = await countOpenOrders(ctx.db, opts);
      const items = await countActiveStates(ctx.db, ctx.customer.name);
      const keys =
        items - (open - unknown.n) > 0
          ? await readGoneKeys(ctx.db, opts, { column: opts.keyColumn }, { after: null, through: null })
          : [];
      const gone = goneOf((await loadStateByKeys(ctx.db.kysely, ctx.customer.name, keys)).values());
      const holds = await applyHolds(ctx, [], gone);
      return {
        gone: holds.gone,
        released: holds.released,
        counts: { held: holds.held, unchanged: Math.max(0, open - read) },
      };
    },
  };
}

/**
 * The customer's detector: in the database when the source key is a text column (then the queries'
 * key comparisons use its index), every row in the process otherwise. Fingerprints the table's persisted
 * `row_hash` when it has one, else the columns the mapping reads.
 */
export async function detectorFor(ctx: Ctx): Promise<Detector> {
  const src = ctx.settings.config.source;
  const info = await describeSourceTable(ctx.db, src.table);
  const keyType = info.columns.find((c) => c.name === src.keyColumn)?.dataType ?? "";
  if (keyHandling(ctx.db.dialect, keyType) !== "text") return classicDetector(ctx);
  const columns = sourceColumns(ctx.settings, ctx.board, ctx.customer);
  const rowHash = info.columns.find((c) => c.name.toLowerCase() === ROW_HASH_COLUMN);
  const fingerprintColumns = rowHash ? [rowHash.name] : columns;
  return inDatabaseDetector(ctx, {
    table: src.table,
    keyColumn: src.keyColumn,
    customerColumn: src.customerColumn,
    customer: ctx.customer.name,
    cancelled: src.cancelled,
    columns,
    keyIsText: true,
    pageSize: ctx.settings.config.sync.pageSize,
    salt: mappingSalt(ctx, fingerprintColumns),
    fingerprintColumns,
  });
}
