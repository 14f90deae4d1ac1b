import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadSettings } from "../../config/index.js";
import { columnLabels } from "../../mapping/index.js";
import type { GlobalOptions } from "../context.js";
import { mondayFor } from "../../app.js";
import { printJson, table } from "../output.js";

/**
 * `order-sync boards pull [--out FILE]`: the live schema (columns with type, settings and labels; groups)
 * of every board and subitems board the config maps, printed and saved as JSON. Reads only.
 */
export async function boardsPullCommand(opts: { out?: string }, global: GlobalOptions): Promise<number> {
  const settings = loadSettings(global.config);
  const ids = [
    ...new Set(settings.config.boards.flatMap((b) => [b.id, ...(b.subitems ? [b.subitems.boardId] : [])])),
  ];
  const boards = await mondayFor(settings).getBoards(ids);
  const missing = ids.filter((id) => !boards.some((b) => b.id === id));
  const out = resolve(settings.baseDir, opts.out ?? "boards.json");
  writeFileSync(out, `${JSON.stringify({ pulledAt: new Date().toISOString(), boards }, null, 2)}\n`);
  if (global.json) printJson({ file: out, boards, missing });
  else {
    for (const b of boards) {
      process.stdout.write(`\nboard ${b.id} "${b.name}"\n`);
      process.stdout.write(
        `${table(
          ["column id", "title", "type", "labels"],
          b.columns.map((c) => [c.id, c.title, c.type, columnLabels(c.settings).join(", ")]),
        )}\n`,
      );
      if (b.groups.length)
        process.stdout.write(`groups: ${b.groups.map((g) => `${g.id} "${g.title}"`).join(", ")}\n`);
    }
    for (const id of missing)
      process.stdout.write(`\n! board ${id} does not exist or the token cannot see it\n`);
    process.stdout.write(`\nsaved to ${out}\n`);
  }
  return missing.length ? 2 : 0;
}
