import { migrateToLatest } from "../../db/index.js";
import { openContext, type GlobalOptions } from "../context.js";
import { printJson } from "../output.js";

/** `order-sync migrate`: creates or upgrades the project's own tables. */
export async function migrateCommand(global: GlobalOptions): Promise<number> {
  const ctx = await openContext(global);
  try {
    const result = await migrateToLatest(ctx.db);
    if (global.json) printJson(result);
    else
      process.stdout.write(
        result.applied.length
          ? `applied migrations: ${result.applied.join(", ")}\n`
          : "database is up to date\n",
      );
    return 0;
  } finally {
    await ctx.close();
  }
}
