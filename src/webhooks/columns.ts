import type { BoardConfig, ColumnDirection, ColumnType, Config, ConflictPolicy } from "../config/index.js";

/** A board column whose edits order-sync listens to, with who owns it and where its edits go. */
export interface WatchedColumn {
  id?: string;
  title?: string;
  type: ColumnType;
  /** Tracked (board-only) columns are `from-board`. */
  direction: ColumnDirection;
  conflict: ConflictPolicy;
  /** On the subitems board. */
  subitem: boolean;
  tracked: boolean;
  /** The subitems' quantity column (`subitems.quantityColumn`): database-owned, its value per size. */
  quantity?: true;
  /** The write-back table's column, when edits are written back. */
  target?: string;
}

/**
 * Every column of a board whose edits the webhooks bring back: mapped (any direction), the subitems'
 * quantity column (a planner's edit of a size's quantity is a conflict the next sync undoes) and tracked.
 */
export function watchedColumns(board: BoardConfig): WatchedColumn[] {
  const targets = board.writeBack?.columns ?? {};
  const targetOf = (id: string | undefined, fallback: string | undefined) =>
    (id !== undefined ? targets[id] : undefined) ?? fallback;
  const mapped = (subitem: boolean) => (c: BoardConfig["columns"][number]) => {
    const direction = c.direction ?? "to-board";
    const owned = direction !== "to-board";
    const target = board.writeBack && owned ? targetOf(c.id, c.source) : undefined;
    return {
      ...(c.id !== undefined ? { id: c.id } : {}),
      ...(c.title !== undefined ? { title: c.title } : {}),
      type: c.type,
      direction,
      conflict: c.conflict ?? "db-wins",
      subitem,
      tracked: false,
      ...(target !== undefined ? { target } : {}),
    };
  };
  const tracked = (board.tracked ?? []).map((t): WatchedColumn => {
    const target = board.writeBack ? targetOf(t.id, t.target) : undefined;
    return {
      ...(t.id !== undefined ? { id: t.id } : {}),
      ...(t.title !== undefined ? { title: t.title } : {}),
      type: t.type,
      direction: "from-board",
      conflict: "board-wins",
      subitem: false,
      tracked: true,
      ...(target !== undefined ? { target } : {}),
    };
  });
  const q = board.subitems?.quantityColumn;
  const quantity: WatchedColumn[] = q
    ? [
        {
          ...(q.id !== undefined ? { id: q.id } : {}),
          ...(q.title !== undefined ? { title: q.title } : {}),
          type: q.type,
          direction: "to-board",
          conflict: "db-wins",
          subitem: true,
          tracked: false,
          quantity: true,
        },
      ]
    : [];
  return [
    ...board.columns.map(mapped(false)),
    ...(board.subitems?.columns ?? []).map(mapped(true)),
    ...quantity,
    ...tracked,
  ];
}

/** The board config an event belongs to: its board, or the board whose subitems board it is. */
export function boardOfEvent(
  config: Config,
  boardId: string,
): { board: BoardConfig; subitem: boolean } | undefined {
  const board = config.boards.find((b) => b.id === boardId);
  if (board) return { board, subitem: false };
  const parent = config.boards.find((b) => b.subitems?.boardId === boardId);
  return parent ? { board: parent, subitem: true } : undefined;
}

/** The watched column an event names: by id, else by the title it carries. */
export function columnOfEvent(
  board: BoardConfig,
  subitem: boolean,
  columnId: string,
  columnTitle: string | null,
): WatchedColumn | undefined {
  const columns = watchedColumns(board).filter((c) => c.subitem === subitem);
  return (
    columns.find((c) => c.id === columnId) ??
    columns.find((c) => c.id === undefined && columnTitle !== null && c.title === columnTitle)
  );
}
