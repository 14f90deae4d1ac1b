import { migrateToLatest, type Db } from "../db/index.js";
import type { OrderSnapshot } from "../detect/index.js";
import { batchChanges, findRun, type ChangeRecord } from "../runlog/index.js";
import type { ColumnUndo } from "./plan.js";
import { UnknownBatchError } from "./run.js";

/** What one batch did to one order: the item's action and id, each column and size line before → after. */
export interface OrderChange {
  customer: string;
  orderKey: string;
  action: string;
  itemId: string | null;
  columns: ColumnUndo[];
  subitems: {
    size: string;
    action: string;
    subitemId: string | null;
    from: string | null;
    to: string | null;
  }[];
}

type SizeImage = { size: string; quantity: string | null } | null;

/** The columns (and name, group) whose before- and after-image differ. */
function columnDiff(before: OrderSnapshot | null, after: OrderSnapshot | null): ColumnUndo[] {
  const out: ColumnUndo[] = [];
  if ((before?.name ?? null) !== (after?.name ?? null))
    out.push({ column: "name", from: before?.name ?? null, to: after?.name ?? null });
  if ((before?.group ?? null) !== (after?.group ?? null))
    out.push({ column: "group", from: before?.group ?? null, to: after?.group ?? null });
  const ids = new Set([...Object.keys(before?.columns ?? {}), ...Object.keys(after?.columns ?? {})]);
  for (const id of ids) {
    const [from, to] = [before?.columns[id] ?? null, after?.columns[id] ?? null];
    if (from !== to) out.push({ column: id, from, to });
  }
  return out;
}

function orderChange(item: ChangeRecord, lines: readonly ChangeRecord[]): OrderChange {
  return {
    customer: item.customer,
    orderKey: item.orderKey,
    action: item.action,
    itemId: item.mondayItemId,
    columns: columnDiff(item.before as OrderSnapshot | null, item.after as OrderSnapshot | null),
    subitems: lines.map((l) => {
      const [b, a] = [l.before as SizeImage, l.after as SizeImage];
      return {
        size: b?.size ?? a?.size ?? "",
        action: l.action.replace("SUBITEM_", ""),
        subitemId: l.mondayItemId,
        from: b?.quantity ?? null,
        to: a?.quantity ?? null,
      };
    }),
  };
}

/**
 * `runs show <batch-id>`: what a batch did, order by order and column by column (before → after), from the
 * change log alone (no monday.com call). `rollback --dry-run` lists the reverse, checked against the board.
 */
export async function describeBatch(db: Db, batchId: string): Promise<OrderChange[]> {
  await migrateToLatest(db);
  const changes = await batchChanges(db, batchId);
  if (changes.length === 0 && !(await findRun(db, batchId))) throw new UnknownBatchError(batchId);
  const byOrder = new Map<string, { item?: ChangeRecord; lines: ChangeRecord[] }>();
  for (const c of changes) {
    const key = `${c.customer}\u0000${c.orderKey}`;
    const entry = byOrder.get(key) ?? { lines: [] };
    if (c.action.startsWith("SUBITEM_")) entry.lines.push(c);
    else entry.item ??= c;
    byOrder.set(key, entry);
  }
  return [...byOrder.values()].flatMap((e) => (e.item ? [orderChange(e.item, e.lines)] : []));
}
