import { existsSync } from "node:fs";
import { mondayAccountFor } from "../../app.js";
import {
  loadSettings,
  parseConfig,
  resolveSettings,
  starterConfig,
  type Settings,
} from "../../config/index.js";
import { parseConfigYaml } from "../../config/load.js";
import type { BoardSummary } from "../../monday/index.js";
import { terminalSafe } from "../../quality/index.js";
import type { GlobalOptions } from "../context.js";
import { plural, printJson, table } from "../output.js";

/**
 * The monday.com settings of an account-wide command: the config file's when it exists, else (with the
 * default `--config` and no file yet, as before `init`) the defaults, with MONDAY_API_URL/TOKEN applied.
 */
export function accountSettings(configPath: string, configGiven: boolean): Settings {
  if (configGiven || existsSync(configPath)) return loadSettings(configPath);
  return resolveSettings(parseConfig(parseConfigYaml(starterConfig(), "starter config")), process.cwd());
}

function boardText(b: BoardSummary): string {
  const sub = b.subitemsBoardId ? `, subitems board ${b.subitemsBoardId}` : "";
  return (
    `\nboard ${b.id} "${terminalSafe(b.name)}" (${b.type ?? "unknown kind"}${sub}), ${plural(b.columns.length, "column")}\n` +
    `${table(
      ["column id", "title", "type"],
      b.columns.map((c) => [c.id, c.title, c.type]),
    )}\n`
  );
}

/**
 * `order-sync boards list [--json]`: every board the token can see, with its id, kind (`Board.type`), its
 * subitems board and its columns (id, title, type). Reads only.
 */
export async function boardsListCommand(global: GlobalOptions, configGiven: boolean): Promise<number> {
  const settings = accountSettings(global.config, configGiven);
  const boards = await mondayAccountFor(settings).listBoards();
  if (global.json) {
    printJson(
      boards.map((b) => ({
        ...b,
        columns: b.columns.map((c) => ({ id: c.id, title: c.title, type: c.type })),
      })),
    );
    return 0;
  }
  process.stdout.write(`${plural(boards.length, "board")} the token can see\n`);
  for (const b of boards) process.stdout.write(boardText(b));
  return 0;
}
