import { redactUrl } from "../config/index.js";
import { appliedMigrations, migrations } from "../db/index.js";
import { MappingError } from "../mapping/index.js";
import { BoardLocks } from "./board-locks.js";
import { checkSource, resolveBoards, type SyncDeps } from "./prepare.js";
import { MondayUnavailableError } from "./port.js";
import { GroupDirectory } from "./group-directory.js";

/** One line of `order-sync doctor`. */
export interface DoctorCheck {
  check: string;
  ok: boolean;
  detail: string;
}

/** What `doctor` found, and the exit code it implies (2 config/mapping, 4 monday.com unavailable). */
export interface DoctorReport {
  ok: boolean;
  exitCode: number;
  checks: DoctorCheck[];
}

/**
 * `order-sync doctor`: checks the database, the source table and its mapped columns, the token, and every
 * board's mapping against its live schema, without writing anything anywhere.
 */
export async function runDoctor(deps: SyncDeps): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  let exitCode = 0;
  const fail = (check: string, detail: string, code: number) => {
    checks.push({ check, ok: false, detail });
    exitCode = Math.max(exitCode, code);
  };
  const { settings, db } = deps;
  const applied = await appliedMigrations(db).catch(() => [] as string[]);
  const pending = Object.keys(migrations(db.dialect)).filter((m) => !applied.includes(m));
  checks.push({
    check: "database",
    ok: true,
    detail: `${db.dialect} reachable; ${pending.length ? `migrations to apply on the next sync: ${pending.join(", ")}` : "tables up to date"}`,
  });
  const customers = settings.config.customers;
  try {
    await checkSource(deps, customers);
    checks.push({
      check: "source",
      ok: true,
      detail: `${settings.config.source.table} has every mapped column`,
    });
  } catch (e) {
    fail("source", (e as Error).message, 2);
  }
  if (!settings.monday.token) {
    fail("monday token", "MONDAY_API_TOKEN is not set", 2);
    return { ok: false, exitCode, checks };
  }
  try {
    const boards = await resolveBoards(
      settings,
      deps.monday,
      customers,
      new GroupDirectory(deps, new BoardLocks()),
    );
    checks.push({
      check: "monday token",
      ok: true,
      detail: `${redactUrl(settings.monday.apiUrl)} accepted the token`,
    });
    for (const [id, board] of boards) {
      if (board instanceof MappingError) fail(`board ${id}`, board.message, 2);
      else
        checks.push({
          check: `board ${id}`,
          ok: true,
          detail: `"${board.name}": key column ${board.keyColumn.id}, ${board.columns.length} mapped columns${board.subitems ? `, subitems board ${board.subitems.boardId}` : ""} all present with their types`,
        });
    }
  } catch (e) {
    if (!(e instanceof MondayUnavailableError)) throw e;
    fail("monday token", e.message, 4);
  }
  return { ok: exitCode === 0, exitCode, checks };
}
