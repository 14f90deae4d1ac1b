import { randomBytes } from "node:crypto";
import { ConfigError, type CustomerConfig, type Settings } from "../config/index.js";
import { migrateToLatest, type Db } from "../db/index.js";
import { MappingError, mappingSourceColumns, resolveBoard, type ResolvedBoard } from "../mapping/index.js";
import { checkSourceTable } from "../source/index.js";
import { BoardLocks } from "./board-locks.js";
import type { CustomerRunContext, SharedBoards } from "./customer-context.js";
import { SyncEvents } from "./events.js";
import type { SyncMonday } from "./port.js";
import { GroupDirectory } from "./group-directory.js";

/** What the sync engine is given: settings, the database, and monday.com behind an injected shape. */
export interface SyncDeps {
  settings: Settings;
  db: Db;
  monday: SyncMonday;
  events?: SyncEvents;
}

/** A new batch id: sortable by time, unique across processes. */
export function newBatchId(): string {
  return `${new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`;
}

/** The configured customers a run covers; unknown names are a usage error. */
export function selectCustomers(settings: Settings, names: readonly string[] | undefined): CustomerConfig[] {
  const all = settings.config.customers;
  if (!names || names.length === 0) return all;
  const unknown = names.filter((n) => !all.some((c) => c.name === n));
  if (unknown.length)
    throw new ConfigError(
      `unknown customer ${unknown.map((u) => JSON.stringify(u)).join(", ")}; configured: ${all.map((c) => JSON.stringify(c.name)).join(", ")}`,
    );
  return all.filter((c) => names.includes(c.name));
}

/**
 * Reads every board (and subitems board) the customers use, in one request, and resolves the mappings;
 * each board's `items_count` goes into `itemCounts`.
 */
export async function resolveBoards(
  settings: Settings,
  monday: SyncMonday,
  customers: readonly CustomerConfig[],
  groups: GroupDirectory,
  itemCounts?: Map<string, number | null>,
): Promise<Map<string, ResolvedBoard | MappingError>> {
  const boards = settings.config.boards.filter((b) => customers.some((c) => c.board === b.id));
  const ids = [...new Set(boards.flatMap((b) => [b.id, ...(b.subitems ? [b.subitems.boardId] : [])]))];
  const live = new Map((await monday.getBoards(ids)).map((b) => [b.id, b]));
  for (const b of live.values()) if (b.itemsCount !== undefined) itemCounts?.set(b.id, b.itemsCount);
  const out = new Map<string, ResolvedBoard | MappingError>();
  for (const board of boards) {
    const index = settings.config.boards.indexOf(board);
    try {
      const liveBoard = live.get(board.id);
      out.set(
        board.id,
        resolveBoard(board, index, liveBoard, board.subitems ? live.get(board.subitems.boardId) : undefined),
      );
      if (liveBoard) groups.seed(board.id, liveBoard.groups);
    } catch (e) {
      if (!(e instanceof MappingError)) throw e;
      out.set(board.id, e);
    }
  }
  return out;
}

/** Checks the source table has every column the selected customers' mappings read (exit 2 otherwise). */
export async function checkSource(deps: SyncDeps, customers: readonly CustomerConfig[]): Promise<void> {
  const { config } = deps.settings;
  const required: { column: string; where: string }[] = [
    { column: config.source.keyColumn, where: "source.keyColumn" },
    { column: config.source.customerColumn, where: "source.customerColumn" },
    { column: config.source.cancelled.column, where: "source.cancelled.column" },
  ];
  config.boards.forEach((b, i) => {
    if (!customers.some((c) => c.board === b.id)) return;
    b.columns.forEach((c, j) =>
      mappingSourceColumns(c).forEach((column, k) =>
        required.push({
          column,
          where: `boards[${i}].columns[${j}].${k === 0 ? "source" : `transform.join.columns[${k - 1}]`}`,
        }),
      ),
    );
    b.subitems?.sizes.forEach((s, j) =>
      required.push({ column: s.source, where: `boards[${i}].subitems.sizes[${j}].source` }),
    );
  });
  const q = config.quality;
  q.required.forEach((c, i) => required.push({ column: c, where: `quality.required[${i}]` }));
  for (const [key, column] of Object.entries(q.columns))
    if (key !== "sizePrefix" && typeof column === "string")
      required.push({ column, where: `quality.columns.${key}` });
  await checkSourceTable(deps.db, config.source, required);
}

/** What a run has resolved before its customers start: who, which boards, and the boards' shared parts. */
export interface Prepared extends SharedBoards {
  batchId: string;
  customers: CustomerConfig[];
  boards: Map<string, ResolvedBoard | MappingError>;
  events: SyncEvents;
}

/**
 * Selects the customers, migrates, checks the source, then (after `beforeMonday`, where `sync` logs the
 * run) reads the boards from monday and resolves the mappings.
 */
export async function prepare(
  deps: SyncDeps,
  names: readonly string[] | undefined,
  beforeMonday: (customers: CustomerConfig[], batchId: string) => Promise<void> = async () => undefined,
  batchId: string = newBatchId(),
): Promise<Prepared> {
  const customers = selectCustomers(deps.settings, names);
  await migrateToLatest(deps.db);
  await checkSource(deps, customers);
  await beforeMonday(customers, batchId);
  const locks = new BoardLocks();
  const groups = new GroupDirectory({ monday: deps.monday }, locks);
  const itemCounts = new Map<string, number | null>();
  const boards = await resolveBoards(deps.settings, deps.monday, customers, groups, itemCounts);
  return { batchId, customers, boards, groups, locks, itemCounts, events: deps.events ?? new SyncEvents() };
}

/** One customer's context in a prepared run (`signal`: shutdown or a lost lease stops its push). */
export function customerContext(
  deps: SyncDeps,
  p: Prepared,
  customer: CustomerConfig,
  board: ResolvedBoard,
  signal?: AbortSignal,
): CustomerRunContext {
  const { settings, db, monday } = deps;
  return {
    settings,
    db,
    monday,
    events: p.events,
    batchId: p.batchId,
    customer,
    board,
    ...(signal ? { signal } : {}),
  };
}
