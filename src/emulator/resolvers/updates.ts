import { InvalidArgumentError } from "../errors.js";
import type { BoardRecord, ItemRecord } from "../records.js";
import type { MutationResolver, RequestContext } from "../resolvers.js";
import type { UpdateRecord } from "../updates.js";
import { list, pageSlice, str, type Args, type Views } from "./args.js";

/** `Update.text_body`: the body without its HTML. */
const textOf = (body: string) => body.replace(/<[^>]*>/g, "");

/** An update as the SDL's `Update` serves it. */
function updateView(ctx: RequestContext, views: Views, update: UpdateRecord) {
  return {
    id: update.id,
    body: update.body,
    text_body: textOf(update.body),
    creator_id: update.creatorId,
    item_id: update.itemId,
    item: () => {
      const item = ctx.store.items.get(update.itemId);
      return item ? views.item(ctx, item) : null;
    },
    created_at: update.createdAt,
    updated_at: update.createdAt,
    edited_at: update.createdAt,
  };
}

/** Filters by `ids` and pages (`limit`, `page`) a newest-first list of updates. */
function page(ctx: RequestContext, views: Views, all: UpdateRecord[], args: Args) {
  const ids = list<unknown>(args.ids)?.map(String);
  const matching = ids ? all.filter((u) => ids.includes(u.id)) : all;
  return pageSlice(matching, args.limit, args.page).map((u) => updateView(ctx, views, u));
}

/** `Item.updates`: the item's updates, newest first. */
export function itemUpdates(ctx: RequestContext, item: ItemRecord, args: Args, views: Views) {
  return page(
    ctx,
    views,
    ctx.store.updates.list((u) => u.itemId === item.id),
    args,
  );
}

/** `Board.updates`: updates on the board's items, newest first. */
export function boardUpdates(ctx: RequestContext, board: BoardRecord, args: Args, views: Views) {
  return page(
    ctx,
    views,
    ctx.store.updates.list((u) => board.items.has(u.itemId)),
    args,
  );
}

/** `create_update` on an item (or as a reply to `parent_id`, on the parent's item). */
export function updateMutations(views: Views): Record<string, MutationResolver> {
  return {
    create_update: (args, ctx) => {
      const parentId = str(args.parent_id) ?? null;
      const itemId = parentId ? ctx.store.updates.get(parentId).itemId : str(args.item_id);
      if (itemId === undefined) throw new InvalidArgumentError("create_update needs item_id or parent_id");
      const item = ctx.store.getItem(itemId);
      if (item.state === "deleted")
        throw new InvalidArgumentError(`item ${itemId} is deleted`, { item_id: itemId });
      const update = ctx.store.updates.create({
        itemId: item.id,
        body: String(args.body),
        creatorId: ctx.actor.user.id,
        parentId,
        createdAt: ctx.store.now(),
      });
      return { result: updateView(ctx, views, update), logged: { itemId: item.id, boardId: item.boardId } };
    },
  };
}

/** Root `updates(limit, page, ids, from_date, to_date)`: the account's updates, newest first. */
export function updateQueries(views: Views): Record<string, (args: Args, ctx: RequestContext) => unknown> {
  const inRange = (u: UpdateRecord, args: Args) =>
    (str(args.from_date) === undefined || u.createdAt.slice(0, 19) >= String(args.from_date)) &&
    (str(args.to_date) === undefined ||
      u.createdAt.slice(0, 19) <= String(args.to_date).padEnd(19, "\uffff"));
  return {
    updates: (args, ctx) =>
      page(
        ctx,
        views,
        ctx.store.updates.list((u) => inRange(u, args)),
        args,
      ),
  };
}
