import type { BoardColumnRef, BoardConfig, ColumnType } from "../config/index.js";
import { readColumnLabels, writableLabels, type ColumnLabel } from "./column-settings.js";

/** The parts of a live board's schema that mapping needs (structurally what `MondayClient.getBoards` returns). */
export interface LiveBoard {
  id: string;
  name: string;
  /** Active items on the board when the schema was read (`items_count`), if monday said. */
  itemsCount?: number | null;
  columns: readonly { id: string; title: string; type: string; settings?: unknown }[];
  groups: readonly { id: string; title: string }[];
}

/** A mapped column resolved against the live board: the id to write and the type to write as. */
export interface ResolvedColumn {
  source: string;
  id: string;
  title: string;
  type: ColumnType;
  /** Status/dropdown label texts a write may use (deactivated labels left out), in display order. */
  labels: readonly string[];
  /** Every label of the column's settings with its value id and display index (deactivated included). */
  labelSet: readonly ColumnLabel[];
}

/** A board mapping with every column reference resolved to a live column id. */
export interface ResolvedBoard {
  id: string;
  name: string;
  config: BoardConfig;
  keyColumn: ResolvedColumn;
  columns: readonly ResolvedColumn[];
  subitems?: {
    boardId: string;
    name: string;
    quantityColumn: ResolvedColumn;
    sizes: readonly { size: string; source: string }[];
    /** `skip`: a size whose quantity is 0 has no subitem; `create`: it has one showing 0. */
    zeroQuantity: "skip" | "create";
    /** More subitem columns, each size line getting the order's value. */
    columns: readonly ResolvedColumn[];
  };
}

/** A mapping that does not fit the live board: the customer's run stops before anything is written (exit 2). */
export class MappingError extends Error {
  override name = "MappingError";
  /** Exit code 2: fix the config, the source or the database, then run again. */
  readonly outcome = "config";
  constructor(
    message: string,
    readonly boardId: string,
    readonly configKey: string,
  ) {
    super(message);
  }
}

function resolveColumn(
  board: LiveBoard,
  ref: BoardColumnRef,
  source: string,
  configKey: string,
  createLabels = false,
): ResolvedColumn {
  // An id, when given, is authoritative: a column that is gone is reported even if another has its title.
  const byId = ref.id ? board.columns.find((c) => c.id === ref.id) : undefined;
  const byTitle = !ref.id && ref.title ? board.columns.filter((c) => c.title === ref.title) : [];
  if (byTitle.length > 1)
    throw new MappingError(
      `board ${board.id} ("${board.name}") has ${byTitle.length} columns titled "${ref.title}" (${configKey}); map it by id instead`,
      board.id,
      configKey,
    );
  const live = byId ?? byTitle[0];
  if (!live) {
    const what = ref.id ? `id "${ref.id}"` : `title "${ref.title}"`;
    throw new MappingError(
      `board ${board.id} ("${board.name}") has no column with ${what} (${configKey}); its columns are: ${board.columns
        .map((c) => `${c.id} "${c.title}"`)
        .join(", ")}`,
      board.id,
      configKey,
    );
  }
  if (live.type !== ref.type)
    throw new MappingError(
      `column "${live.id}" ("${live.title}") on board ${board.id} is of type ${live.type}, but ${configKey} maps it as ${ref.type}`,
      board.id,
      configKey,
    );
  const labelSet = readColumnLabels(live.settings);
  const labels = writableLabels(labelSet).map((l) => l.label);
  // Labels the config relies on must still be on the board, unless monday may create them again.
  const gone = createLabels ? [] : (ref.labels ?? []).filter((l) => !labels.includes(l));
  if (gone.length)
    throw new MappingError(
      `${live.type} column "${live.id}" ("${live.title}") on board ${board.id} no longer has the label${gone.length > 1 ? "s" : ""} ${gone
        .map((l) => JSON.stringify(l))
        .join(
          ", ",
        )} that ${configKey}.labels lists (board labels: ${labels.map((l) => JSON.stringify(l)).join(", ") || "none"})`,
      board.id,
      `${configKey}.labels`,
    );
  return { source, id: live.id, title: live.title, type: ref.type, labels, labelSet };
}

/**
 * The board config as the sync sees it: `from-board` columns (the board owns them, issue 14) left out of
 * `columns` and `subitems.columns`, so the sync never hashes or writes them; webhooks bring their edits back.
 */
function syncedColumns(config: BoardConfig): BoardConfig {
  const synced = (cs: BoardConfig["columns"]) => cs.filter((c) => c.direction !== "from-board");
  if (
    !config.columns.some((c) => c.direction === "from-board") &&
    !config.subitems?.columns.some((c) => c.direction === "from-board")
  )
    return config;
  return {
    ...config,
    columns: synced(config.columns),
    ...(config.subitems
      ? { subitems: { ...config.subitems, columns: synced(config.subitems.columns) } }
      : {}),
  };
}

/**
 * Resolves a board's configured mapping (columns by id or by title) against its live schema.
 * Throws {@link MappingError} naming the board, the config key and what is missing.
 */
export function resolveBoard(
  fullConfig: BoardConfig,
  configIndex: number,
  board: LiveBoard | undefined,
  subitemsBoard: LiveBoard | undefined,
): ResolvedBoard {
  const config = syncedColumns(fullConfig);
  const at = `boards[${configIndex}]`;
  if (!board)
    throw new MappingError(
      `board ${config.id} (${at}.id) does not exist or the token cannot see it`,
      config.id,
      `${at}.id`,
    );
  const keyColumn = resolveColumn(board, config.keyColumn, "", `${at}.keyColumn`);
  // Config keys name the entry's place in the file, from-board columns counted.
  const columns = config.columns.map((c) =>
    resolveColumn(
      board,
      c,
      c.source,
      `${at}.columns[${fullConfig.columns.indexOf(c)}]`,
      config.createLabelsIfMissing,
    ),
  );
  let subitems: ResolvedBoard["subitems"];
  if (config.subitems) {
    const s = config.subitems;
    if (!subitemsBoard)
      throw new MappingError(
        `subitems board ${s.boardId} (${at}.subitems.boardId) does not exist or the token cannot see it`,
        s.boardId,
        `${at}.subitems.boardId`,
      );
    subitems = {
      boardId: s.boardId,
      name: s.name,
      quantityColumn: resolveColumn(subitemsBoard, s.quantityColumn, "", `${at}.subitems.quantityColumn`),
      sizes: s.sizes,
      zeroQuantity: s.zeroQuantity,
      columns: s.columns.map((c) =>
        resolveColumn(
          subitemsBoard,
          c,
          c.source,
          `${at}.subitems.columns[${fullConfig.subitems?.columns.indexOf(c) ?? -1}]`,
          config.createLabelsIfMissing,
        ),
      ),
    };
  }
  return { id: board.id, name: board.name, config, keyColumn, columns, ...(subitems ? { subitems } : {}) };
}
