// Retention (issue 13): what `order-sync prune` and `serve` (after each run) remove once it is old enough.
import { lstat, readdir, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { RetentionConfig, Settings } from "../config/index.js";
import type { Db } from "../db/index.js";
import {
  deleteChanges,
  deleteRuns,
  prunableRuns,
  runCustomerRows,
  supersededChanges,
} from "../runlog/index.js";
import { heldBatchIds } from "../state/index.js";

const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** `90d` → milliseconds (the config validated the form). */
export function ageMs(age: string): number {
  const unit = age.slice(-1) as keyof typeof UNIT_MS;
  return Number(age.slice(0, -1)) * UNIT_MS[unit];
}

/** What a prune removed (or, with `dryRun`, would remove): rows per table and report files. */
export interface PruneReport {
  dryRun: boolean;
  /** The cut-off of each configured kind (ISO time); kinds without an age are absent. */
  before: { runs?: string; changeLog?: string; reports?: string };
  rows: { MON_ChangeLog: number; MON_SyncRuns: number; MON_SyncRunCustomers: number };
  /** Report files removed, as absolute paths. */
  reportFiles: string[];
  /** Why a kind was left alone (e.g. the report folder is a symlink). */
  notes: string[];
}

const cutoff = (now: number, age: string | undefined) =>
  age === undefined ? undefined : new Date(now - ageMs(age)).toISOString();

/** A validation report of one run (`validation-<batch>.json|html`); `validation-latest.*` never matches. */
const RUN_REPORT = /^validation-(?!latest\.)[A-Za-z0-9_.-]+\.(json|html)$/;

/**
 * Report files older than `before` directly inside `dir`: regular files only, judged by `lstat`, so a
 * symlink (to a file or a folder) is never followed nor removed; a report folder that is itself a symlink is
 * left alone.
 */
async function oldReports(dir: string, before: number, notes: string[]): Promise<string[]> {
  const st = await lstat(dir).catch(() => undefined);
  if (!st) return [];
  if (!st.isDirectory()) {
    notes.push(`report folder ${dir} is ${st.isSymbolicLink() ? "a symlink" : "not a folder"}: not pruned`);
    return [];
  }
  const old: string[] = [];
  for (const name of (await readdir(dir)).filter((n) => RUN_REPORT.test(n)).sort()) {
    const file = join(dir, name);
    const f = await lstat(file);
    if (f.isFile() && f.mtimeMs < before) old.push(file);
  }
  return old;
}

async function pruneTables(db: Db, before: PruneReport["before"], dryRun: boolean) {
  const keep = await heldBatchIds(db);
  const changes = before.changeLog ? await supersededChanges(db, before.changeLog, keep) : [];
  const perBatch = new Map<string, number>();
  for (const c of changes) perBatch.set(c.batchId, (perBatch.get(c.batchId) ?? 0) + 1);
  const runs = before.runs ? await prunableRuns(db, before.runs, keep, perBatch) : [];
  if (dryRun)
    return {
      MON_ChangeLog: changes.length,
      MON_SyncRuns: runs.length,
      MON_SyncRunCustomers: await runCustomerRows(db, runs),
    };
  const removed = await deleteChanges(
    db,
    changes.map((c) => c.changeId),
  );
  const r = await deleteRuns(db, runs);
  return { MON_ChangeLog: removed, MON_SyncRuns: r.runs, MON_SyncRunCustomers: r.runCustomers };
}

/**
 * Applies `retention` (see the config's `retention`): superseded change-log entries, then runs with no
 * change log left, then old per-run report files. `dryRun` removes nothing and reports what would go.
 *
 * @example
 * const report = await prune(db, settings, { dryRun: true }); // report.rows.MON_SyncRuns === 12
 */
export async function prune(
  db: Db,
  settings: Settings,
  options: { dryRun?: boolean; now?: number } = {},
): Promise<PruneReport> {
  const retention: RetentionConfig = settings.config.retention ?? {};
  const now = options.now ?? Date.now();
  const dryRun = options.dryRun === true;
  const before = {
    ...(retention.runs && { runs: cutoff(now, retention.runs) }),
    ...(retention.changeLog && { changeLog: cutoff(now, retention.changeLog) }),
    ...(retention.reports && { reports: cutoff(now, retention.reports) }),
  };
  const notes: string[] = [];
  const rows = await pruneTables(db, before, dryRun);
  const dir = resolve(settings.baseDir, settings.config.quality.reportDir);
  const reportFiles = before.reports ? await oldReports(dir, Date.parse(before.reports), notes) : [];
  if (!dryRun) for (const f of reportFiles) await unlink(f);
  return { dryRun, before, rows, reportFiles, notes };
}

/** Whether the config asks for any retention at all. */
export function hasRetention(settings: Settings): boolean {
  const r = settings.config.retention;
  return !!(r && (r.runs || r.changeLog || r.reports));
}
