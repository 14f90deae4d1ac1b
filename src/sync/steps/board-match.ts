import { adoptStagedCreate, leftoverRows, type StagedOrder, type StagedSubitem } from "../../stage/index.js";
import { activeItemsOfBoard, countActiveOnBoard, dropState, saveState } from "../../state/index.js";
import type { CustomerRunContext, SharedBoards } from "../customer-context.js";
import type { FoundItem } from "../port.js";
import { adoptedValues, sizeLinesByName } from "./adopt.js";

/**
 * What the reconcile step learned of the customer's board before the run, for matching NEW orders by key:
 * - `agrees`: the board's active items (`items_count`) are as many as the sync state's on it, so no item
 *   on the board is unknown to the state and no NEW order can be there: nothing to look up;
 * - `scanned`: they differ, and a key scan read the board: the items the state does not know, by key;
 * - `unknown`: monday gave no count: each NEW order is looked up by key before it is created.
 */
export type BoardView =
  | { kind: "agrees" }
  | { kind: "scanned"; unknownByKey: Map<string, FoundItem>; unknown: number }
  | { kind: "unknown" };

/** The board check: the view, the figures behind it, and the orders whose item was gone (state dropped). */
export interface BoardCheck {
  view: BoardView;
  itemsOnBoard: number | null;
  itemsInState: number;
  missing: string[];
}

/** A key scan's items that the state does not know (any customer of the board), by key (the first of each key). */
function unknownItems(
  scan: readonly FoundItem[],
  known: ReadonlyMap<string, unknown>,
): Map<string, FoundItem> {
  const byKey = new Map<string, FoundItem>();
  for (const item of scan) if (!known.has(item.id) && !byKey.has(item.key)) byKey.set(item.key, item);
  return byKey;
}

/**
 * Compares the customer's board with the sync state: `items_count` (read with the board's schema at the
 * start of the run, or asked again in one request of a few points once the run has written to the board)
 * against the state's active items on the board. When they differ, a key scan (pages of the key column only)
 * finds the items the state does not know, and the customer's orders whose item is gone: their state is
 * dropped, so detection sees them as NEW and they are created again.
 */
export async function checkBoard(
  ctx: CustomerRunContext,
  shared?: Pick<SharedBoards, "itemCounts" | "locks">,
): Promise<BoardCheck> {
  const { db, monday, board, customer } = ctx;
  const itemsInState = await countActiveOnBoard(db.kysely, board.id);
  if (!monday.itemCounts || !monday.scanKeys)
    return { view: { kind: "unknown" }, itemsOnBoard: null, itemsInState, missing: [] };
  // The count read with the schema holds while this run has not written to the board; then ask again.
  const prepared = shared?.locks.hasWritten(board.id) ? undefined : shared?.itemCounts?.get(board.id);
  const itemsOnBoard = prepared ?? (await monday.itemCounts([board.id])).get(board.id) ?? null;
  if (itemsOnBoard === null) return { view: { kind: "unknown" }, itemsOnBoard, itemsInState, missing: [] };
  if (itemsOnBoard === itemsInState)
    return { view: { kind: "agrees" }, itemsOnBoard, itemsInState, missing: [] };
  const scan = await monday.scanKeys(board.id, board.keyColumn.id);
  const known = await activeItemsOfBoard(db.kysely, board.id);
  const onBoard = new Set(scan.map((i) => i.id));
  const missing = [...known]
    .filter(([id, k]) => k.customer === customer.name && !onBoard.has(id))
    .map(([, k]) => k.orderKey);
  await dropState(db.kysely, customer.name, missing);
  const unknownByKey = unknownItems(scan, known);
  const unknown = scan.filter((i) => !known.has(i.id)).length;
  return { view: { kind: "scanned", unknownByKey, unknown }, itemsOnBoard, itemsInState, missing };
}

/** The items on the board for the given NEW orders' keys, as the board view tells (or by a lookup). */
async function itemsFor(
  ctx: CustomerRunContext,
  view: BoardView,
  keys: readonly string[],
): Promise<Map<string, FoundItem>> {
  if (view.kind === "agrees" || keys.length === 0) return new Map();
  if (view.kind === "scanned")
    return new Map(keys.flatMap((k) => (view.unknownByKey.has(k) ? [[k, view.unknownByKey.get(k)!]] : [])));
  const found = await ctx.monday.findItemsByKey(ctx.board.id, ctx.board.keyColumn.id, [...keys]);
  const byKey = new Map<string, FoundItem>();
  for (const item of found) if (!byKey.has(item.key)) byKey.set(item.key, item);
  return byKey;
}

/** Adopts one found item for a staged create: its sync state, and the staged rows turned into no writes. */
async function adoptOne(
  ctx: CustomerRunContext,
  item: FoundItem,
  create: StagedOrder,
  lines: readonly StagedSubitem[],
): Promise<void> {
  const { values, subitemIds } = adoptedValues(
    item,
    undefined,
    create,
    sizeLinesByName(lines).get(create.orderKey),
  );
  const adoptedSizes = new Set(Object.keys(subitemIds));
  await ctx.db.kysely.transaction().execute(async (tx) => {
    await saveState(
      tx,
      {
        customer: ctx.customer.name,
        orderKey: create.orderKey,
        boardId: ctx.board.id,
        groupId: null,
        mondayItemId: item.id,
        values,
        subitemIds,
        archived: false,
      },
      new Date().toISOString(),
    );
    await adoptStagedCreate(
      tx,
      create.stgId,
      item.id,
      lines.filter((s) => adoptedSizes.has(s.size)).map((s) => s.stgSubId),
    );
  });
  ctx.events.emit("adopted", { customer: ctx.customer.name, orderKey: create.orderKey, itemId: item.id });
}

/**
 * Between stage and push: every NEW order this run staged is matched against the board by its key before
 * it is created (never by name). An item found is adopted with its size lines, as after a crash: the
 * state records it with the staged values, and the staged create becomes an update that writes nothing,
 * so a lost or rolled-back sync state never makes a duplicate. Free when the board agrees with the state;
 * reads the key scan's result when there was one; otherwise looks the keys up, 100 a request.
 * Reports the board check (`boardChecked`) with what is still unknown. Returns how many were adopted.
 */
export async function matchNewOrders(
  ctx: CustomerRunContext,
  check: BoardCheck,
): Promise<{ adopted: number }> {
  let adopted = 0;
  if (check.view.kind !== "agrees") {
    const { orders, subitems } = await leftoverRows(ctx.db, ctx.customer.name);
    const creates = orders.filter(
      (o) => o.batchId === ctx.batchId && o.action === "CREATE" && o.status === "PENDING",
    );
    const found = await itemsFor(
      ctx,
      check.view,
      creates.map((o) => o.orderKey),
    );
    for (const create of creates) {
      const item = found.get(create.orderKey);
      if (!item) continue;
      await adoptOne(
        ctx,
        item,
        create,
        subitems.filter((s) => s.stgId === create.stgId && s.action === "CREATE"),
      );
      adopted++;
    }
  }
  ctx.events.emit("boardChecked", {
    customer: ctx.customer.name,
    boardId: ctx.board.id,
    itemsOnBoard: check.itemsOnBoard,
    itemsInState: check.itemsInState,
    scanned: check.view.kind === "scanned",
    unknown: check.view.kind === "scanned" ? Math.max(0, check.view.unknown - adopted) : 0,
    missing: check.missing.length,
  });
  return { adopted };
}
