import type { AdminReply } from "./admin.js";
import { MondayApiError } from "./errors.js";
import type { ItemRecord } from "./records.js";
import type { EmulatorStore } from "./store.js";
import type { Actor, UserDirectory } from "./users.js";

/** What a board edit needs from the emulator. */
export interface BoardEditControls {
  readonly store: EmulatorStore;
  readonly users: UserDirectory;
}

type Body = Record<string, unknown>;
type ItemEdit = (store: EmulatorStore, item: ItemRecord, body: Body) => ItemRecord;

/** A bad request body for a board edit (answered 400). */
class BoardEditError extends Error {
  override name = "BoardEditError";
}

function field<T>(body: Body, key: string, check: (v: unknown) => v is T, expected: string): T {
  const value = body[key];
  if (!check(value)) throw new BoardEditError(`${key} must be ${expected}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === "string";
const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * What a board user can do to an item in monday's UI, keyed by the path's last segment
 * (`POST /__admin/items/<id>/<edit>`). Each goes through the store, so it lands in the change feed and
 * fires webhooks like an API write.
 */
const ITEM_EDITS: Readonly<Record<string, ItemEdit>> = {
  "column-values": (store, item, body) =>
    store.changeColumnValues(
      item.boardId,
      item.id,
      field(body, "columnValues", isObject, "an object keyed by column id"),
      body.createLabels === true,
    ),
  name: (store, item, body) =>
    store.changeColumnValues(item.boardId, item.id, { name: field(body, "name", isString, "a string") }),
  archive: (store, item) => store.setItemState(item.id, "archived"),
  delete: (store, item) => store.setItemState(item.id, "deleted"),
  restore: (store, item) => store.setItemState(item.id, "active"),
  move: (store, item, body) => store.moveItem(item.id, field(body, "groupId", isString, "a group id")),
  subitems: (store, item, body) =>
    store.createSubitem(item.id, {
      name: field(body, "name", isString, "a string"),
      columnValues: isObject(body.columnValues) ? body.columnValues : {},
      createLabels: body.createLabels === true,
    }),
};

const ITEM_PATH = /^\/__admin\/items\/(\d+)\/([a-z-]+)\/?$/;
const BOARD_ITEMS_PATH = /^\/__admin\/boards\/(\d+)\/items\/?$/;

function itemReply(item: ItemRecord): AdminReply {
  const { id, name, state, boardId, groupId, parentItemId } = item;
  return { status: 200, body: { item: { id, name, state, boardId, groupId, parentItemId } } };
}

/** The user an edit is made by: `userId` of the body (a known user), else the admin request's own. */
function editor(controls: BoardEditControls, body: Body, actor: Actor): string {
  if (body.userId === undefined) return actor.user.id;
  const user = controls.users.byId(String(body.userId));
  if (!user) throw new BoardEditError(`no user with id ${String(body.userId)}`);
  return user.id;
}

/** Runs one edit as its user; monday's errors and bad bodies become 4xx replies. */
function runEdit(
  controls: BoardEditControls,
  body: unknown,
  actor: Actor,
  edit: (store: EmulatorStore, body: Body) => ItemRecord,
): AdminReply {
  try {
    if (!isObject(body)) throw new BoardEditError("the body must be a JSON object");
    const userId = editor(controls, body, actor);
    return itemReply(controls.store.actingAs(userId, () => edit(controls.store, body)));
  } catch (error) {
    if (error instanceof BoardEditError) return { status: 400, body: { error: error.message } };
    if (error instanceof MondayApiError)
      return {
        status: error.statusCode === 404 ? 404 : 400,
        body: { error: error.message, code: error.code, error_data: error.errorData },
      };
    throw error;
  }
}

/**
 * The admin routes that act as a board user (a planner editing in monday's UI), or `undefined` when the
 * path is not one:
 *
 * - `POST /__admin/boards/<id>/items` `{userId?, name, groupId?, columnValues?}`: creates an item;
 * - `POST /__admin/items/<id>/column-values` `{userId?, columnValues, createLabels?}`;
 * - `POST /__admin/items/<id>/name` `{userId?, name}`;
 * - `POST /__admin/items/<id>/archive|delete|restore` `{userId?}`;
 * - `POST /__admin/items/<id>/move` `{userId?, groupId}`;
 * - `POST /__admin/items/<id>/subitems` `{userId?, name, columnValues?}`.
 *
 * `userId` defaults to the user of the admin request's token. Replies `{item: {id, name, state, boardId,
 * groupId, parentItemId}}`.
 */
export function boardEditRoute(
  method: string,
  path: string,
): ((controls: BoardEditControls, body: unknown, actor: Actor) => AdminReply) | undefined {
  if (method !== "POST") return undefined;
  const boardItems = BOARD_ITEMS_PATH.exec(path);
  if (boardItems) {
    const boardId = boardItems[1] ?? "";
    return (controls, body, actor) =>
      runEdit(controls, body, actor, (store, b) =>
        store.createItem({
          boardId,
          name: field(b, "name", isString, "a string"),
          groupId: isString(b.groupId) ? b.groupId : null,
          columnValues: isObject(b.columnValues) ? b.columnValues : {},
          createLabels: b.createLabels === true,
        }),
      );
  }
  const [, itemId = "", editName = ""] = ITEM_PATH.exec(path) ?? [];
  const edit = ITEM_EDITS[editName];
  if (!edit) return undefined;
  return (controls, body, actor) =>
    runEdit(controls, body, actor, (store, b) => edit(store, store.getItem(itemId), b));
}
