import { MappingError } from "../mapping/index.js";
import {
  buildReport,
  strayResult,
  validateOrders,
  ValidationTally,
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
    const first = validateOrders([], ctx);
    if (!board || board instanceof MappingError) {
      results.push(first);
      continue;
    }
    const read = { settings: deps.settings, db: deps.db, board, customer };
    // Page by page into a tally (issue 16): memory holds a page, not the table; the stray rows' keys
    // are told to it first, as they may repeat a page's.
    const stray = strayResult(await readStray(read), ctx);
    const tally = new ValidationTally(ctx, stray.orderKeys);
    tally.add(first);
    for await (const page of readOrders(read))
      tally.add(validateChanges(ctx, detectAll({ settings: deps.settings, board, customer }, page)).result);
    tally.add(stray);
    results.push(tally.result());
  }
  return { results, report: buildReport(results) };
}
