import type { GraphQLResolveInfo } from "graphql";
import { ACCOUNT_QUERIES } from "./account.js";
import { ColumnValueView } from "./column-value-view.js";
export { withTypeResolvers } from "./column-value-view.js";
import { legacyColumnSettings } from "./column-values.js";
import { activityLogs, type ActivityLogQuery } from "./activity-logs.js";
import type { ComplexityCharge } from "./complexity.js";
import { InternalServerError, InvalidArgumentError, MondayApiError } from "./errors.js";
import { itemsByColumnValues, queryBoardItems, type ItemsQuery } from "./items-query.js";
import type { MutationLog, MutationLogEntry } from "./mutation-log.js";
import type { CursorBook, ItemsPage } from "./paging.js";
import type { BoardRecord, ColumnRecord, GroupRecord, ItemRecord, RecordState } from "./records.js";
import type { EmulatorStore } from "./store.js";
import type { Actor, UserDirectory } from "./users.js";
import {
  list,
  pageSlice,
  parseJsonArgument,
  requireItemId,
  str,
  type Args,
  type Views,
} from "./resolvers/args.js";
import { boardMutations } from "./resolvers/boards.js";
import { columnMutations } from "./resolvers/columns.js";
import { itemMutations, jobQueries } from "./resolvers/items.js";
import type { BulkJobBook } from "./bulk/book.js";
import { BULK_MUTATIONS, BULK_QUERIES } from "./bulk/resolvers.js";
import { boardUpdates, itemUpdates, updateMutations, updateQueries } from "./resolvers/updates.js";
import { WEBHOOK_ROOT_FIELDS } from "./webhooks/resolvers.js";
import type { EmulatorWebhooks } from "./webhooks/service.js";

/** Per-request state the resolvers share. */
export interface RequestContext {
  store: EmulatorStore;
  cursors: CursorBook;
  log: MutationLog;
  complexity: ComplexityCharge;
  /** 1-based number of the HTTP request. */
  request: number;
  /** Who sent the request (the token's user). */
  actor: Actor;
  /** The account's users. */
  users: UserDirectory;
  /** The account's webhooks. */
  webhooks: EmulatorWebhooks;
  /** The account's bulk import jobs. */
  bulk: BulkJobBook;
}

/** `items(ids:)` takes at most 100 ids. */
const MAX_ITEM_IDS = 100;

class ColumnView {
  constructor(private readonly record: ColumnRecord) {}
  get id() {
    return this.record.id;
  }
  get title() {
    return this.record.title;
  }
  get description() {
    return this.record.description;
  }
  get type() {
    return this.record.type;
  }
  get archived() {
    return this.record.archived;
  }
  get settings() {
    return this.record.settings;
  }
  get settings_str() {
    return legacyColumnSettings(this.record);
  }
  get revision() {
    return String(this.record.revision);
  }
}

class ItemsResponseView {
  constructor(
    private readonly ctx: RequestContext,
    private readonly page: ItemsPage,
  ) {}
  get cursor() {
    return this.page.cursor;
  }
  items() {
    return this.page.items.map((i) => new ItemView(this.ctx, i));
  }
}

class GroupView {
  constructor(
    private readonly ctx: RequestContext,
    private readonly board: BoardRecord,
    private readonly record: GroupRecord,
  ) {}
  get id() {
    return this.record.id;
  }
  get title() {
    return this.record.title;
  }
  get archived() {
    return this.record.archived;
  }
  get deleted() {
    return this.record.deleted;
  }
  get color() {
    return this.record.color;
  }
  get position() {
    return `${(this.board.groups.indexOf(this.record) + 1) * 65536}.0`;
  }
  items_page(args: Args) {
    const items = queryBoardItems(
      this.ctx.store,
      this.board,
      args.query_params as ItemsQuery | null,
      this.record.id,
    );
    return new ItemsResponseView(this.ctx, this.ctx.cursors.firstPage(items, Number(args.limit)));
  }
}

class BoardView {
  constructor(
    private readonly ctx: RequestContext,
    private readonly record: BoardRecord,
  ) {}
  get id() {
    return this.record.id;
  }
  get name() {
    return this.record.name;
  }
  get description() {
    return this.record.description;
  }
  get state() {
    return this.record.state;
  }
  get board_kind() {
    return this.record.kind;
  }
  get type() {
    return this.record.parentBoardId ? "sub_items_board" : "board";
  }
  updates(args: Args) {
    return boardUpdates(this.ctx, this.record, args, VIEWS);
  }
  get items_count() {
    return this.ctx.store.itemsOfBoard(this.record.id, ["active"]).length;
  }
  columns(args: Args) {
    const ids = list<string>(args.ids);
    const types = list<string>(args.types);
    return this.record.columns
      .filter((c) => !c.archived && (!ids || ids.includes(c.id)) && (!types || types.includes(c.type)))
      .map((c) => new ColumnView(c));
  }
  groups(args: Args) {
    const ids = list<string>(args.ids);
    return this.record.groups
      .filter((g) => !g.deleted && (!ids || ids.includes(g.id)))
      .map((g) => new GroupView(this.ctx, this.record, g));
  }
  top_group() {
    return new GroupView(this.ctx, this.record, this.ctx.store.topGroup(this.record));
  }
  items_page(args: Args) {
    const items = queryBoardItems(this.ctx.store, this.record, args.query_params as ItemsQuery | null);
    return new ItemsResponseView(this.ctx, this.ctx.cursors.firstPage(items, Number(args.limit)));
  }
  activity_logs(args: Args) {
    return activityLogs(this.ctx.store, this.record.id, args as ActivityLogQuery);
  }
}

class ItemView {
  constructor(
    private readonly ctx: RequestContext,
    private readonly record: ItemRecord,
  ) {}
  get id() {
    return this.record.id;
  }
  get name() {
    return this.record.name;
  }
  get state() {
    return this.record.state;
  }
  get created_at() {
    return this.record.createdAt;
  }
  get updated_at() {
    return this.record.updatedAt;
  }
  private boardRecord() {
    return this.ctx.store.getBoard(this.record.boardId);
  }
  board() {
    return new BoardView(this.ctx, this.boardRecord());
  }
  group() {
    const board = this.boardRecord();
    const group = board.groups.find((g) => g.id === this.record.groupId);
    return group ? new GroupView(this.ctx, board, group) : null;
  }
  column_values(args: Args) {
    const ids = list<string>(args.ids);
    const types = list<string>(args.types);
    return this.boardRecord()
      .columns.filter((c) => c.type !== "name" && !c.archived)
      .filter((c) => (!ids || ids.includes(c.id)) && (!types || types.includes(c.type)))
      .map((c) => new ColumnValueView(c, this.record, valueContext(this.ctx)));
  }
  updates(args: Args) {
    return itemUpdates(this.ctx, this.record, args, VIEWS);
  }
  subitems() {
    return this.ctx.store.subitemsOf(this.record).map((s) => new ItemView(this.ctx, s));
  }
  parent_item() {
    const parentId = this.record.parentItemId;
    const parent = parentId ? this.ctx.store.items.get(parentId) : undefined;
    return parent ? new ItemView(this.ctx, parent) : null;
  }
}

/** `column_values: JSON` arrives as a JSON string (or, from a literal, an object); malformed JSON is a 500 on monday. */
function parseColumnValues(raw: unknown): Record<string, unknown> {
  let parsed = raw;
  if (typeof raw === "string") {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new InternalServerError("column_values is not valid JSON");
    }
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InvalidArgumentError("column_values must be a JSON object keyed by column id");
  }
  return parsed as Record<string, unknown>;
}

const view = (ctx: RequestContext, item: ItemRecord) => new ItemView(ctx, item);

/** The views the resolvers in ./resolvers/ serve their results through. */
const VIEWS: Views = {
  column: (column) => new ColumnView(column),
  item: view,
  board: (ctx, board) => new BoardView(ctx, board),
};

const valueContext = (ctx: RequestContext) => ({
  store: ctx.store,
  itemView: (item: ItemRecord) => view(ctx, item),
  columnView: (column: ColumnRecord) => new ColumnView(column),
});

function setState(ctx: RequestContext, args: Args, state: RecordState) {
  return view(ctx, ctx.store.setItemState(requireItemId(args), state));
}

/** What a mutation did, for the log. */
export type Described = Pick<MutationLogEntry, "boardId" | "itemId" | "parentItemId" | "columnIds">;
/** A mutation: parses its arguments, calls the store and says what it wrote. */
export type MutationResolver = (args: Args, ctx: RequestContext) => { result: unknown; logged: Described };

function columnKeys(raw: unknown): string[] | undefined {
  try {
    return Object.keys(parseColumnValues(raw));
  } catch {
    return undefined;
  }
}

/** The mutations: each parses its arguments, calls the store and says what it wrote. */
const MUTATIONS: Readonly<Record<string, MutationResolver>> = {
  ...boardMutations(VIEWS),
  ...columnMutations(VIEWS),
  ...itemMutations(VIEWS),
  ...updateMutations(VIEWS),
  ...BULK_MUTATIONS,
  create_item: (args, ctx) => {
    const item = ctx.store.createItem({
      boardId: String(args.board_id),
      name: String(args.item_name),
      groupId: str(args.group_id),
      columnValues: parseColumnValues(args.column_values),
      createLabels: args.create_labels_if_missing === true,
    });
    return { result: view(ctx, item), logged: { itemId: item.id } };
  },
  create_subitem: (args, ctx) => {
    const item = ctx.store.createSubitem(String(args.parent_item_id), {
      name: String(args.item_name),
      columnValues: parseColumnValues(args.column_values),
      createLabels: args.create_labels_if_missing === true,
    });
    return { result: view(ctx, item), logged: { itemId: item.id, boardId: item.boardId } };
  },
  change_multiple_column_values: (args, ctx) => {
    const values = parseColumnValues(args.column_values);
    const item = ctx.store.changeColumnValues(
      String(args.board_id),
      requireItemId(args),
      values,
      args.create_labels_if_missing === true,
    );
    return { result: view(ctx, item), logged: {} };
  },
  change_simple_column_value: (args, ctx) => {
    const values = { [String(args.column_id)]: args.value ?? null };
    const item = ctx.store.changeColumnValues(
      String(args.board_id),
      requireItemId(args),
      values,
      args.create_labels_if_missing === true,
    );
    return { result: view(ctx, item), logged: {} };
  },
  change_column_value: (args, ctx) => {
    const values = { [String(args.column_id)]: parseJsonArgument(args.value, "value") };
    const item = ctx.store.changeColumnValues(
      String(args.board_id),
      requireItemId(args),
      values,
      args.create_labels_if_missing === true,
    );
    return { result: view(ctx, item), logged: {} };
  },
  archive_item: (args, ctx) => ({ result: setState(ctx, args, "archived"), logged: {} }),
  delete_item: (args, ctx) => ({ result: setState(ctx, args, "deleted"), logged: {} }),
  move_item_to_group: (args, ctx) => ({
    result: view(ctx, ctx.store.moveItem(requireItemId(args), String(args.group_id))),
    logged: {},
  }),
  create_group: (args, ctx) => {
    const board = ctx.store.getBoard(String(args.board_id));
    const group = ctx.store.addGroup(board.id, {
      title: String(args.group_name),
      color: str(args.group_color),
    });
    return { result: new GroupView(ctx, board, group), logged: {} };
  },
};

/** Fills in what the log can tell from the arguments alone. */
function describeArgs(args: Args): Described {
  const columnIds = args.column_id !== undefined ? [String(args.column_id)] : columnKeys(args.column_values);
  return {
    ...(args.board_id !== undefined && { boardId: String(args.board_id) }),
    ...(args.item_id !== undefined && args.item_id !== null && { itemId: String(args.item_id) }),
    ...(args.parent_item_id !== undefined && { parentItemId: String(args.parent_item_id) }),
    ...(columnIds?.length && { columnIds }),
  };
}

function loggedMutation(operation: string, resolve: MutationResolver) {
  return (args: Args, ctx: RequestContext, info: GraphQLResolveInfo) => {
    const base = { at: ctx.store.now(), operation, alias: String(info.path.key), request: ctx.request };
    try {
      const { result, logged } = resolve(args, ctx);
      ctx.log.record({ ...base, ...describeArgs(args), ...logged, ok: true });
      return result;
    } catch (error) {
      const code = error instanceof MondayApiError ? error.code : "INTERNAL_SERVER_ERROR";
      ctx.log.record({ ...base, ...describeArgs(args), ok: false, error: code });
      throw error;
    }
  };
}

function boards(args: Args, ctx: RequestContext) {
  const ids = list<string>(args.ids)?.map(String);
  const state = String(args.state ?? "active");
  const matching = [...ctx.store.boards.values()].filter(
    (b) =>
      (!ids || ids.includes(b.id)) &&
      (state === "all" || b.state === state) &&
      (args.board_kind === undefined || args.board_kind === null || b.kind === args.board_kind),
  );
  return pageSlice(matching, args.limit, args.page).map((b) => new BoardView(ctx, b));
}

function items(args: Args, ctx: RequestContext) {
  const ids = list<string>(args.ids)?.map(String) ?? [];
  if (ids.length > MAX_ITEM_IDS)
    throw new InvalidArgumentError(`items takes at most ${MAX_ITEM_IDS} ids`, { max: MAX_ITEM_IDS });
  const found = ids
    .map((id) => ctx.store.items.get(id))
    .filter(
      (i): i is ItemRecord => i !== undefined && (args.exclude_nonactive !== true || i.state === "active"),
    );
  const ordered = args.newest_first === true ? [...found].sort((a, b) => Number(b.id) - Number(a.id)) : found;
  return pageSlice(ordered, args.limit, args.page).map((i) => view(ctx, i));
}

interface ColumnQuery {
  column_id: string;
  column_values: (string | null)[];
}

function itemsPageByColumnValues(args: Args, ctx: RequestContext) {
  const limit = Number(args.limit);
  if (typeof args.cursor === "string")
    return new ItemsResponseView(ctx, ctx.cursors.nextPage(args.cursor, limit));
  const board = ctx.store.getBoard(String(args.board_id));
  const columns = list<ColumnQuery>(args.columns) ?? [];
  if (columns.length === 0) throw new InvalidArgumentError("give columns (or a cursor) to search by");
  for (const c of columns) if (c.column_id !== "name") ctx.store.getColumn(board, c.column_id);
  const found = itemsByColumnValues(ctx.store, board, columns);
  return new ItemsResponseView(ctx, ctx.cursors.firstPage(found, limit));
}

function nextItemsPage(args: Args, ctx: RequestContext) {
  return new ItemsResponseView(ctx, ctx.cursors.nextPage(String(args.cursor), Number(args.limit)));
}

/**
 * The root value for graphql-js: query and mutation root fields as functions `(args, context, info)`;
 * everything below is resolved by graphql-js's default resolver on the view objects.
 */
export function createRootValue(): Record<string, unknown> {
  return {
    boards,
    items,
    items_page_by_column_values: itemsPageByColumnValues,
    next_items_page: nextItemsPage,
    complexity: (_args: Args, ctx: RequestContext) => ctx.complexity,
    ...ACCOUNT_QUERIES,
    ...jobQueries(),
    ...BULK_QUERIES,
    ...updateQueries(VIEWS),
    ...WEBHOOK_ROOT_FIELDS,
    ...Object.fromEntries(
      Object.entries(MUTATIONS).map(([name, resolve]) => [name, loggedMutation(name, resolve)]),
    ),
  };
}
