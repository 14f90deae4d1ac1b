import type { BoardConfig, Config } from "../config/index.js";
import type { BoardSpec, ColumnSpec, GroupSpec } from "../emulator/index.js";

/** A column reference of the config (`keyColumn`, a mapping entry, `quantityColumn`). */
interface ConfigColumn {
  id?: string;
  title?: string;
  type: string;
  labels?: string[];
  source?: string;
}

function columnSpec(ref: ConfigColumn): ColumnSpec {
  return {
    ...(ref.id !== undefined && { id: ref.id }),
    title: ref.title ?? ref.source ?? ref.id ?? ref.type,
    type: ref.type,
    ...(ref.labels !== undefined && { labels: ref.labels }),
  };
}

/** The key column and every mapped column, once each (by id, or by title when no id is given). */
function boardColumns(board: BoardConfig): ColumnSpec[] {
  const seen = new Set<string>();
  const specs: ColumnSpec[] = [];
  for (const ref of [board.keyColumn, ...board.columns, ...(board.tracked ?? [])]) {
    const spec = columnSpec(ref);
    const key = spec.id ? `id:${spec.id}` : `title:${spec.title}`;
    if (seen.has(key)) continue;
    seen.add(key);
    specs.push(spec);
  }
  return specs;
}

/** Groups named literally by customers of this board (templates such as `{SEASON}` are created by the sync). */
function fixedGroups(config: Config, boardId: string): GroupSpec[] {
  const titles = config.customers
    .filter((c) => c.board === boardId && !/\{[^}]*\}/.test(c.group))
    .map((c) => c.group);
  return [...new Set(titles)].map((title) => ({ title }));
}

/**
 * The emulator's board specs for every board the config maps, with the ids it names: the key column and
 * every mapped column (status/dropdown labels included), the subitems board with its quantity column,
 * and the groups that customers name literally. The emulator is seeded from these plain specs so it
 * never depends on the product's config.
 *
 * @example await startEmulator({ port: 0, boards: emulatorBoards(loadSettings("order-sync.yaml").config) })
 */
export function emulatorBoards(config: Config): BoardSpec[] {
  return config.boards.map((board) => {
    const groups = fixedGroups(config, board.id);
    return {
      id: board.id,
      name: board.name,
      columns: boardColumns(board),
      ...(groups.length && { groups }),
      ...(board.subitems && {
        subitemsBoard: {
          id: board.subitems.boardId,
          name: `Subitems of ${board.name}`,
          columns: [columnSpec(board.subitems.quantityColumn), ...board.subitems.columns.map(columnSpec)],
        },
      }),
    };
  });
}
