import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { mondayAccountFor } from "../../app.js";
import { ConfigError, configFromBoard, type FromBoardInput } from "../../config/index.js";
import { columnLabels } from "../../mapping/index.js";
import { subitemsBoardOf, type BoardSchema } from "../../monday/index.js";
import type { GlobalOptions } from "../context.js";
import { printJson } from "../output.js";
import { accountSettings } from "./boards-list.js";

const CONFIG_FILE = "order-sync.yaml";

function live(board: BoardSchema): FromBoardInput {
  return {
    id: board.id,
    name: board.name,
    columns: board.columns.map((c) => ({
      id: c.id,
      title: c.title,
      type: c.type,
      labels: columnLabels(c.settings),
    })),
  };
}

/** The chosen board and its subitems board (if any), read from monday.com; a wrong id is a config error. */
async function readBoards(
  id: string,
  global: GlobalOptions,
): Promise<{ board: BoardSchema; sub: BoardSchema | undefined }> {
  if (!/^\d+$/.test(id))
    throw new ConfigError(`--from-board ${JSON.stringify(id)} is not a board id (digits only)`);
  const monday = mondayAccountFor(accountSettings(global.config, false));
  const [board] = await monday.getBoards([id]);
  if (!board)
    throw new ConfigError(
      `board ${id} does not exist or the token cannot see it (order-sync boards list shows the boards it can see)`,
    );
  const subId = subitemsBoardOf(board.columns);
  const [sub] = subId ? await monday.getBoards([subId]) : [];
  return { board, sub };
}

/**
 * `order-sync init --from-board ID [--dir D] [--force]`: writes only `order-sync.yaml`, mapped from the
 * board's columns (and its subitems board); an existing file is kept unless `--force`.
 */
export async function initFromBoard(
  id: string,
  dir: string,
  force: boolean,
  global: GlobalOptions,
): Promise<number> {
  const configPath = join(resolve(dir), CONFIG_FILE);
  if (existsSync(configPath) && !force)
    throw new ConfigError(`${configPath} already exists; pass --force to overwrite`);
  const { board, sub } = await readBoards(id, global);
  const result = configFromBoard(live(board), sub && live(sub));
  mkdirSync(resolve(dir), { recursive: true });
  writeFileSync(configPath, result.yaml);
  const summary = {
    configPath,
    board: board.id,
    subitemsBoard: sub?.id ?? null,
    mapped: result.mapped,
    unmapped: result.unmapped,
    keyColumnFound: result.keyFound,
  };
  if (global.json) printJson(summary);
  else process.stdout.write(fromBoardText(summary));
  return 0;
}

function fromBoardText(s: {
  configPath: string;
  board: string;
  subitemsBoard: string | null;
  mapped: Record<string, string>;
  unmapped: string[];
  keyColumnFound: boolean;
}): string {
  const mapped = Object.entries(s.mapped).map(([column, source]) => `${column} ← ${source}`);
  return [
    `wrote ${s.configPath} for board ${s.board}${s.subitemsBoard ? ` (subitems board ${s.subitemsBoard})` : ""}`,
    `mapped: ${mapped.join(", ") || "none"}`,
    ...(s.unmapped.length ? [`not mapped (listed in the file): ${s.unmapped.join(", ")}`] : []),
    ...(s.keyColumnFound ? [] : ["the board has no order-number text column: the file names one to create"]),
    `next: set source.url and customers in it, then order-sync doctor --config ${s.configPath}`,
    "",
  ].join("\n");
}
