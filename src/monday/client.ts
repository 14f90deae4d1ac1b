// Typed monday.com operations over any `MondayTransport` (HTTP, the emulator, a resilience wrapper).
import { buildBatch, parseBatchResult } from "./batch.js";
import type { BatchOp, BatchOutcome } from "./batch.js";
import { loadDocument } from "./documents.js";
import type { DocumentName } from "./documents.js";
import { NotFoundError, classifyGraphQLError } from "./errors.js";
import type { Complexity, MondayResponse, MondayTransport, RequestOptions } from "./transport.js";

/** A board column; `settings` is monday's JSON settings (status/dropdown labels, ...) as an object. */
export interface BoardColumn {
  id: string;
  title: string;
  type: string;
  settings: Record<string, unknown>;
}

/** The structure of a board: what the mapping layer needs to map orders onto it. */
export interface BoardSchema {
  id: string;
  name: string;
  /** Active items on the board (`items_count`), null when monday does not say. */
  itemsCount?: number | null;
  columns: BoardColumn[];
  groups: Array<{ id: string; title: string }>;
}

/** One column value of an item: `text` is the display string, `value` monday's JSON parsed (null when empty). */
export interface MondayColumnValue {
  type: string;
  text: string | null;
  value: unknown;
}

/**
 * A board as `boards list` shows it: its kind (`Board.type`: `board`, `sub_items_board`, ...), its subitems
 * board (null when it has none) and its columns.
 */
export interface BoardSummary {
  id: string;
  name: string;
  type: string | null;
  subitemsBoardId: string | null;
  columns: BoardColumn[];
}

/** An item (or subitem) as read back from a board. */
export interface MondayItem {
  id: string;
  name: string;
  state: string | null;
  group: { id: string; title: string } | null;
  columnValues: Record<string, MondayColumnValue>;
  subitems: MondayItem[];
}

/** Column values to write, keyed by column id, in monday's write formats (see API-FACTS "Column values"). */
export type ColumnValuesInput = Record<string, unknown>;

/** Input of `createItemOp`. */
export interface CreateItemInput {
  boardId: string;
  groupId?: string;
  itemName: string;
  columnValues?: ColumnValuesInput;
  createLabels?: boolean;
}

/** Input of `changeColumnValuesOp`. */
export interface ChangeColumnValuesInput {
  boardId: string;
  itemId: string;
  columnValues: ColumnValuesInput;
  createLabels?: boolean;
}

/** Input of `createSubitemOp`. */
export interface CreateSubitemInput {
  parentItemId: string;
  itemName: string;
  columnValues?: ColumnValuesInput;
  createLabels?: boolean;
}

/** Options of `MondayClient.listItems` and `findItemsByColumnValue`. */
export interface PageOptions {
  /** Items a page, at most 500 (monday's cap). */
  pageSize?: number;
}

const MAX_PAGE_SIZE = 500;
/** `boards(ids:)` returns 25 boards unless given a limit; ask for all requested ones, chunked. */
/** Boards a page of `listBoards`. */
const BOARDS_PER_PAGE = 50;
const BOARDS_PER_REQUEST = 100;

interface RawItem {
  id: string;
  name: string;
  state?: string | null;
  group?: { id: string; title: string } | null;
  column_values?: Array<{ id: string; type: string; text: string | null; value: unknown }>;
  subitems?: Array<RawItem | null> | null;
}

interface RawItemsPage {
  cursor: string | null;
  items: RawItem[];
}

interface RawKeyItem {
  id: string;
  column_values?: Array<{ id: string; text: string | null } | null> | null;
  subitems?: Array<{ id: string; name: string } | null> | null;
}

interface RawKeysPage {
  cursor: string | null;
  items: RawKeyItem[];
}

/** An item as a key scan reads it: its id, its key column's text, its subitems' ids and names. */
export interface KeyedItem {
  id: string;
  key: string;
  subitems: Array<{ id: string; name: string }>;
}

function toKeyedItem(raw: RawKeyItem, columnId: string): KeyedItem {
  return {
    id: String(raw.id),
    key: raw.column_values?.find((c) => c?.id === columnId)?.text ?? "",
    subitems: (raw.subitems ?? []).filter((s) => s !== null).map((s) => ({ id: String(s.id), name: s.name })),
  };
}

interface RawBoard {
  id: string;
  name: string;
  type?: string | null;
  items_count?: number | null;
  columns?: Array<{ id: string; title: string; type: string; settings: unknown } | null> | null;
  groups?: Array<{ id: string; title: string } | null> | null;
}

/**
 * The monday.com operations the sync uses, typed. Reads page through cursors; writes go in aliased batches.
 *
 * @example
 * const client = new MondayClient(new HttpTransport({ url, token, apiVersion: "2026-10" }));
 * for await (const item of client.listItems("123")) console.log(item.name);
 */
export class MondayClient {
  constructor(private readonly transport: MondayTransport) {}

  /** Columns (settings parsed) and groups of each board; boards that do not exist are left out. */
  async getBoards(ids: readonly string[]): Promise<BoardSchema[]> {
    const boards: BoardSchema[] = [];
    for (let start = 0; start < ids.length; start += BOARDS_PER_REQUEST) {
      const chunk = ids.slice(start, start + BOARDS_PER_REQUEST);
      const data = await this.query<{ boards: Array<RawBoard | null> | null }>("GetBoards", {
        ids: chunk,
        limit: chunk.length,
      });
      for (const board of data.boards ?? []) if (board) boards.push(toBoardSchema(board));
    }
    return boards;
  }

  /** Every board the token can see, page by page (`boards(limit:, page:)`), with kind, subitems board and columns. */
  async listBoards(pageSize = BOARDS_PER_PAGE): Promise<BoardSummary[]> {
    const boards: BoardSummary[] = [];
    for (let page = 1; ; page++) {
      const data = await this.query<{ boards: Array<RawBoard | null> | null }>("ListBoards", {
        limit: pageSize,
        page,
      });
      const got = data.boards ?? [];
      for (const board of got) if (board) boards.push(toBoardSummary(board));
      if (got.length < pageSize) return boards;
    }
  }

  /** Every item of a board with its subitems, page by page (`items_page`, then `next_items_page`). */
  async *listItems(boardId: string, options: PageOptions = {}): AsyncGenerator<MondayItem> {
    const limit = pageSize(options);
    const data = await this.query<{ boards: Array<{ items_page: RawItemsPage } | null> | null }>(
      "GetBoardItems",
      { boardId, limit },
    );
    const board = data.boards?.[0];
    if (!board) throw new NotFoundError(`Board ${boardId} not found`, { code: "BOARD_NOT_FOUND" });
    yield* this.pages(board.items_page, limit);
  }

  /** Active items of each board (`items_count`); a board that does not exist is left out. */
  async getItemCounts(ids: readonly string[]): Promise<Map<string, number | null>> {
    const counts = new Map<string, number | null>();
    for (let start = 0; start < ids.length; start += BOARDS_PER_REQUEST) {
      const chunk = ids.slice(start, start + BOARDS_PER_REQUEST);
      const data = await this.query<{
        boards: Array<{ id: string; items_count: number | null } | null> | null;
      }>("GetBoardItemCounts", { ids: chunk, limit: chunk.length });
      for (const board of data.boards ?? []) if (board) counts.set(String(board.id), board.items_count);
    }
    return counts;
  }

  /**
   * Every active item of a board with only its key column (and its subitems' ids and names), page by page:
   * the cheap scan that compares a board with the sync state (about 25 points an item).
   */
  async *scanKeys(boardId: string, columnId: string, options: PageOptions = {}): AsyncGenerator<KeyedItem> {
    const limit = pageSize(options);
    const data = await this.query<{ boards: Array<{ items_page: RawKeysPage } | null> | null }>(
      "GetBoardKeys",
      { boardId, columnId, limit },
    );
    const board = data.boards?.[0];
    if (!board) throw new NotFoundError(`Board ${boardId} not found`, { code: "BOARD_NOT_FOUND" });
    let page: RawKeysPage | null = board.items_page;
    while (page) {
      for (const item of page.items) yield toKeyedItem(item, columnId);
      if (!page.cursor) return;
      const next: { next_items_page: RawKeysPage } = await this.query("NextKeysPage", {
        cursor: page.cursor,
        limit,
        columnId,
      });
      page = next.next_items_page;
    }
  }

  /**
   * Items whose column `columnId` holds any of `values` (all pages): how an order's item is found by its key.
   *
   * @example
   * const [item] = await client.findItemsByColumnValue("123", "order_key", ["PO-1001"]);
   */
  async findItemsByColumnValue(
    boardId: string,
    columnId: string,
    values: readonly string[],
    options: PageOptions = {},
  ): Promise<MondayItem[]> {
    const limit = pageSize(options);
    const data = await this.query<{ items_page_by_column_values: RawItemsPage }>("FindItemsByColumnValue", {
      boardId,
      columnId,
      values,
      limit,
    });
    const items: MondayItem[] = [];
    for await (const item of this.pages(data.items_page_by_column_values, limit)) items.push(item);
    return items;
  }

  /** Creates a group on a board. */
  async createGroup(boardId: string, title: string): Promise<{ id: string; title: string }> {
    const data = await this.query<{ create_group: { id: string; title: string } | null }>("CreateGroup", {
      boardId,
      groupName: title,
    });
    if (!data.create_group)
      throw new NotFoundError(`Board ${boardId} not found`, { code: "BOARD_NOT_FOUND" });
    return data.create_group;
  }

  /** The complexity budget right now. */
  async getComplexity(): Promise<Complexity> {
    const data = await this.query<{ complexity: Complexity }>("GetComplexity", {});
    return data.complexity;
  }

  /**
   * Sends the ops as one aliased request; one outcome per op, in order (one bad op fails alone).
   * A failure of the whole request (rate limit, auth, network, 5xx) is thrown, for the resilience layer.
   */
  async runBatch(
    ops: readonly BatchOp[],
    options: { idempotencyKey?: string; signal?: AbortSignal; withComplexity?: boolean } = {},
  ): Promise<BatchOutcome[]> {
    if (ops.length === 0) return [];
    const batch = buildBatch(ops, { withComplexity: options.withComplexity ?? false });
    const response = await this.transport.request<Record<string, unknown>>(
      batch.document,
      batch.variables,
      requestOptions(options),
    );
    return parseBatchResult(batch, response);
  }

  /** Runs a named document; any error in the response is thrown (single-purpose requests have no rows). */
  private async query<T>(name: DocumentName, variables: Record<string, unknown>): Promise<T> {
    const response: MondayResponse<T> = await this.transport.request<T>(loadDocument(name), variables);
    const [first] = response.errors;
    if (first !== undefined) {
      throw classifyGraphQLError(first, response.status, { "x-request-id": response.headers.requestId });
    }
    if (response.data === null) throw new NotFoundError(`monday.com returned no data for ${name}`);
    return response.data;
  }

  private async *pages(first: RawItemsPage, limit: number): AsyncGenerator<MondayItem> {
    let page: RawItemsPage | null = first;
    while (page) {
      for (const item of page.items) yield toMondayItem(item);
      if (!page.cursor) return;
      const next: { next_items_page: RawItemsPage } = await this.query("NextItemsPage", {
        cursor: page.cursor,
        limit,
      });
      page = next.next_items_page;
    }
  }
}

/** A `create_item` op for `runBatch`; column values are sent as the JSON string monday expects. */
export function createItemOp(input: CreateItemInput): BatchOp {
  return {
    document: loadDocument("CreateItem"),
    variables: {
      boardId: input.boardId,
      groupId: input.groupId,
      itemName: input.itemName,
      columnValues: input.columnValues === undefined ? undefined : JSON.stringify(input.columnValues),
      createLabels: input.createLabels,
    },
  };
}

/** A `change_multiple_column_values` op: writes only the columns given. */
export function changeColumnValuesOp(input: ChangeColumnValuesInput): BatchOp {
  return {
    document: loadDocument("ChangeColumnValues"),
    variables: {
      boardId: input.boardId,
      itemId: input.itemId,
      columnValues: JSON.stringify(input.columnValues),
      createLabels: input.createLabels,
    },
  };
}

/** A `create_subitem` op (run it after its parent exists). */
export function createSubitemOp(input: CreateSubitemInput): BatchOp {
  return {
    document: loadDocument("CreateSubitem"),
    variables: {
      parentItemId: input.parentItemId,
      itemName: input.itemName,
      columnValues: input.columnValues === undefined ? undefined : JSON.stringify(input.columnValues),
      createLabels: input.createLabels,
    },
  };
}

/** An `archive_item` op (cancelled orders are archived, never deleted). */
export function archiveItemOp(input: { itemId: string }): BatchOp {
  return { document: loadDocument("ArchiveItem"), variables: { itemId: input.itemId } };
}

/** A `move_item_to_group` op (the order's group title changed). */
export function moveItemToGroupOp(input: { itemId: string; groupId: string }): BatchOp {
  return {
    document: loadDocument("MoveItemToGroup"),
    variables: { itemId: input.itemId, groupId: input.groupId },
  };
}

/** A `delete_item` op (rollback of a create). */
export function deleteItemOp(input: { itemId: string }): BatchOp {
  return { document: loadDocument("DeleteItem"), variables: { itemId: input.itemId } };
}

function requestOptions(options: { idempotencyKey?: string; signal?: AbortSignal }): RequestOptions {
  const result: RequestOptions = {};
  if (options.idempotencyKey !== undefined) result.idempotencyKey = options.idempotencyKey;
  if (options.signal !== undefined) result.signal = options.signal;
  return result;
}

function pageSize(options: PageOptions): number {
  const size = options.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${size}`);
  }
  return size;
}

function toBoardSchema(board: RawBoard): BoardSchema {
  return {
    id: String(board.id),
    name: board.name,
    itemsCount: board.items_count ?? null,
    columns: (board.columns ?? [])
      .filter((c) => c !== null)
      .map((c) => ({ id: c.id, title: c.title, type: c.type, settings: parseSettings(c.settings) })),
    groups: (board.groups ?? []).filter((g) => g !== null).map((g) => ({ id: g.id, title: g.title })),
  };
}

function toBoardSummary(board: RawBoard): BoardSummary {
  const { id, name, columns } = toBoardSchema(board);
  return { id, name, type: board.type ?? null, subitemsBoardId: subitemsBoardOf(columns), columns };
}

/**
 * The subitems board a board links: monday's `subitems` column (type `subtasks`) names it in its settings'
 * `boardIds` (as monday's own settings do; API-FACTS does not document the key, so a board without it
 * shows no subitems board rather than a guess).
 */
export function subitemsBoardOf(columns: readonly BoardColumn[]): string | null {
  const ids = columns.find((c) => c.type === "subtasks")?.settings.boardIds;
  const first: unknown = Array.isArray(ids) ? ids[0] : undefined;
  return typeof first === "string" || typeof first === "number" ? String(first) : null;
}

/** `settings` is a JSON scalar: an object from monday, possibly a JSON string from other servers. */
function parseSettings(settings: unknown): Record<string, unknown> {
  const value = typeof settings === "string" ? parseJson(settings) : settings;
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function toMondayItem(raw: RawItem): MondayItem {
  const columnValues: Record<string, MondayColumnValue> = {};
  for (const cv of raw.column_values ?? []) {
    columnValues[cv.id] = { type: cv.type, text: cv.text ?? null, value: parseColumnValue(cv.value) };
  }
  return {
    id: String(raw.id),
    name: raw.name,
    state: raw.state ?? null,
    group: raw.group ? { id: raw.group.id, title: raw.group.title } : null,
    columnValues,
    subitems: (raw.subitems ?? []).filter((s) => s !== null).map(toMondayItem),
  };
}

/** monday returns `value` as a JSON-encoded string; decode it (leave anything undecodable as sent). */
function parseColumnValue(value: unknown): unknown {
  if (typeof value !== "string") return value ?? null;
  const parsed = parseJson(value);
  return parsed === undefined ? value : parsed;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
