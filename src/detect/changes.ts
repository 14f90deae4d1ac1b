import { canonicalJson, hashSnapshot, type OrderSnapshot } from "./snapshot.js";

/** What the sync state knows of an order already on monday. */
export interface KnownOrder {
  orderKey: string;
  mondayItemId: string | null;
  lastHash: string | null;
  lastValues: OrderSnapshot | null;
  subitemIds: Record<string, string>;
  archived: boolean;
}

/** Per-size subitem work for an order. */
export interface SubitemChanges {
  create: string[];
  update: string[];
  archive: string[];
}

/** The outcome of comparing an order's snapshot with the sync state. */
export type Change =
  | {
      kind: "NEW";
      orderKey: string;
      snapshot: OrderSnapshot;
      hash: string;
      /** The database's fingerprint of the source row read (issue 16), for `MON_SyncState.source_hash`. */
      sourceFingerprint?: string;
    }
  | {
      kind: "CHANGED";
      orderKey: string;
      snapshot: OrderSnapshot;
      hash: string;
      sourceFingerprint?: string;
      known: KnownOrder;
      /** Board column ids whose value changed (`name` when the item name changed). */
      changedColumns: string[];
      groupChanged: boolean;
      subitems: SubitemChanges;
    }
  | { kind: "UNCHANGED"; orderKey: string }
  | { kind: "GONE"; orderKey: string; known: KnownOrder };

/**
 * Classifies one order: NEW (never synced, or its item was archived), UNCHANGED (same hash: no staging,
 * no API call), or CHANGED with exactly the columns and sizes that differ.
 */
export function detectChange(
  orderKey: string,
  snapshot: OrderSnapshot,
  known: KnownOrder | undefined,
): Change {
  const hash = hashSnapshot(snapshot);
  if (!known || known.archived || !known.mondayItemId) return { kind: "NEW", orderKey, snapshot, hash };
  if (known.lastHash === hash) return { kind: "UNCHANGED", orderKey };
  const before = known.lastValues;
  const changedColumns = Object.keys(snapshot.columns).filter(
    (id) => !before || !(id in before.columns) || before.columns[id] !== snapshot.columns[id],
  );
  if (!before || before.name !== snapshot.name) changedColumns.unshift("name");
  return {
    kind: "CHANGED",
    orderKey,
    snapshot,
    hash,
    known,
    changedColumns,
    groupChanged: !before || before.group !== snapshot.group,
    subitems: diffSubitems(snapshot, before, known.subitemIds),
  };
}

function diffSubitems(
  snapshot: OrderSnapshot,
  before: OrderSnapshot | null,
  ids: Record<string, string>,
): SubitemChanges {
  const wanted = snapshot.subitems;
  const had = before?.subitems ?? {};
  const columnsChanged = (size: string) =>
    snapshot.subitemColumns !== undefined &&
    canonicalJson(snapshot.subitemColumns[size] ?? {}) !==
      canonicalJson(before?.subitemColumns?.[size] ?? {});
  const create = Object.keys(wanted).filter((size) => !ids[size]);
  const update = Object.keys(wanted).filter(
    (size) => ids[size] && (!(size in had) || had[size] !== wanted[size] || columnsChanged(size)),
  );
  const archive = Object.keys(ids).filter((size) => !(size in wanted));
  return { create, update, archive };
}
