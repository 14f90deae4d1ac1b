import { MappingError } from "../mapping/index.js";
import {
  buildReport,
  mergeResults,
  strayResult,
  validateOrders,
  type ValidationContext,
  type ValidationReport,
  type ValidationResult,
} from "../quality/index.js";
import { BoardLocks } from "./board-locks.js";
import { checkSource, resolveBoards, selectCustomers, type SyncDeps } from "./prepare.js";
import { detectAll } from "./steps/detect.js";
import { readOrders, readStray } from "./steps/read.js";
import { validateChanges } from "./steps/validate.js";
import { GroupDirectory } from "./group-directory.js";

/**
 * The `validate` command: every open order of the selected customers (changed or not) through the
 * data-quality rules, against the live boards: the read, detect and validate steps of a sync, detect
 * taking every order as new. Writes nothing anywhere (no migrations, no staging, no monday writes).
 */
export async function validateSource(
  deps: SyncDeps,
  options: { customers?: readonly string[] } = {},
): Promise<{ results: ValidationResult[]; report: ValidationReport }> {
  const customers = selectCustomers(deps.settings, options.customers);
  await checkSource(deps, customers);
  const groups = new GroupDirectory({ monday: deps.monday }, new BoardLocks());
  const boards = await resolveBoards(deps.settings, deps.monday, customers, groups);
  const src = deps.settings.config.source;
  const results: ValidationResult[] = [];
  for (const customer of customers) {
    const board = boards.get(customer.board);
    const ctx: ValidationContext = {
      customer: customer.name,
      board,
      config: deps.settings.config.quality,
      keyColumn: src.keyColumn,
      customerColumn: src.customerColumn,
      groupTemplate: customer.group,
    };
    const pages: ValidationResult[] = [validateOrders([], ctx)];
    if (board && !(board instanceof MappingError)) {
      const read = { settings: deps.settings, db: deps.db, board, customer };
      for await (const page of readOrders(read))
        pages.push(
          validateChanges(ctx, detectAll({ settings: deps.settings, board, customer }, page)).result,
        );
      pages.push(strayResult(await readStray(read), ctx));
    }
    results.push(mergeResults(pages, ctx));
  }
  return { results, report: buildReport(results) };
}
