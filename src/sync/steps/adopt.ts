import type { OrderSnapshot } from "../../detect/index.js";
import type { StagedOrder, StagedSubitem } from "../../stage/index.js";
import type { SyncStateRow } from "../../state/index.js";
import type { FoundItem } from "../port.js";

// How an item found on the board by its key is adopted into the sync state (after a crash, and for a NEW
// order whose item is already there): shared by the reconcile and board-match steps.

export type SizeLine = { size: string; quantity: string | null };

/** The size lines staged as creates, by order key and subitem name (how monday shows them). */
export function sizeLinesByName(subitems: readonly StagedSubitem[]): Map<string, Map<string, SizeLine>> {
  const byOrder = new Map<string, Map<string, SizeLine>>();
  for (const s of subitems)
    if (s.action === "CREATE" && s.itemName) {
      const byName = byOrder.get(s.orderKey) ?? new Map<string, SizeLine>();
      byName.set(s.itemName, { size: s.size, quantity: s.quantity });
      byOrder.set(s.orderKey, byName);
    }
  return byOrder;
}

/**
 * What monday holds for a found item: the state's record of it or, for an item the state does not know
 * yet, the values of the staged create that made it (monday applies a create whole or not at all), with
 * the size lines found under it.
 */
export function adoptedValues(
  item: FoundItem,
  same: SyncStateRow | undefined,
  create: StagedOrder | undefined,
  lines: Map<string, SizeLine> | undefined,
): { values: OrderSnapshot | null; subitemIds: Record<string, string> } {
  const base = same ? same.lastValues : (create?.newValues ?? null);
  const subitemIds: Record<string, string> = { ...(same?.subitemIds ?? {}) };
  const quantities: Record<string, string | null> = { ...(same?.lastValues?.subitems ?? {}) };
  for (const sub of item.subitems) {
    const line = lines?.get(sub.name);
    if (!line || subitemIds[line.size]) continue;
    subitemIds[line.size] = sub.id;
    quantities[line.size] = line.quantity;
  }
  const values: OrderSnapshot | null = base
    ? {
        ...base,
        subitems: Object.fromEntries(Object.keys(subitemIds).map((size) => [size, quantities[size] ?? null])),
        ...(base.subitemColumns && {
          subitemColumns: Object.fromEntries(
            Object.keys(subitemIds)
              .filter((size) => base.subitemColumns?.[size])
              .map((size) => [size, base.subitemColumns![size]!]),
          ),
        }),
      }
    : null;
  return { values, subitemIds };
}
