import { ConfigError, type Settings } from "./config/index.js";
import { openDatabase, type Db } from "./db/index.js";
import {
  planSync,
  reconcileBoards,
  runDoctor,
  runSync,
  SyncEvents,
  validateSource,
  type DoctorReport,
  type PlanOptions,
  type RunOptions,
  type MondayPort,
  type SyncMonday,
  type SyncSummary,
} from "./sync/index.js";
import { createMondayPort } from "./sync/monday-adapter.js";

/**
 * The monday.com port over HTTP (the real API or the emulator) with retries, budget and breaker. Needs
 * `MONDAY_API_TOKEN`; without it this is a config error (exit 2) naming the variable.
 */
export function mondayFor(settings: Settings): MondayPort {
  return createMondayPort(settings, tokenOf(settings));
}

function tokenOf(settings: Settings): string {
  if (!settings.monday.token)
    throw new ConfigError(
      "MONDAY_API_TOKEN is not set: export your monday.com API token (any non-empty value works with the emulator)",
    );
  return settings.monday.token;
}

/** monday.com with the account-wide reads too (`listBoards`, for `boards list` and `init --from-board`). */
export function mondayAccountFor(settings: Settings): ReturnType<typeof createMondayPort> {
  return createMondayPort(settings, tokenOf(settings));
}

type Customers = { customers?: readonly string[] };

/** order-sync wired once: what the CLI, `serve`, the tests and the benches start from (STYLE.md #15). */
export interface App {
  readonly settings: Settings;
  readonly db: Db;
  /** The sync's events: logging, progress and metrics subscribe here. */
  readonly events: SyncEvents;
  /** monday.com, made on first use (commands that never call monday need no token). */
  readonly monday: MondayPort;
  /** One sync run (`order-sync sync`). */
  sync(options?: RunOptions): Promise<SyncSummary>;
  /** What a sync would do; writes nothing but migrations (`order-sync plan`). */
  plan(options?: PlanOptions): ReturnType<typeof planSync>;
  /** The boards compared with the sync state, and (unless `dryRun`) repaired (`order-sync reconcile`). */
  reconcile(options?: Customers & { dryRun?: boolean }): ReturnType<typeof reconcileBoards>;
  /** The data-quality report of every open order; writes nothing (`order-sync validate`). */
  validate(options?: Customers): ReturnType<typeof validateSource>;
  /** The database, the source, the token and the mappings, checked (`order-sync doctor`). */
  doctor(monday?: SyncMonday): Promise<DoctorReport>;
  /** Releases what the app opened (the database, unless it was handed in). */
  close(): Promise<void>;
}

/** Parts a caller already has (a test's database, a shared monday port or event hub). */
export interface AppParts {
  db?: Db;
  monday?: MondayPort;
  events?: SyncEvents;
}

/** Wires an app around an open database; `close` releases what the app owns (nothing by default). */
export function wireApp(
  settings: Settings,
  db: Db,
  parts: Omit<AppParts, "db"> = {},
  close: () => Promise<void> = () => Promise.resolve(),
): App {
  const events = parts.events ?? new SyncEvents();
  let monday = parts.monday;
  const app: App = {
    settings,
    db,
    events,
    get monday() {
      monday ??= mondayFor(settings);
      return monday;
    },
    sync: async (options = {}) => runSync({ settings, db, monday: app.monday, events }, options),
    plan: async (options = {}) => planSync({ settings, db, monday: app.monday }, options),
    reconcile: async (options = {}) => reconcileBoards({ settings, db, monday: app.monday, events }, options),
    validate: async (options = {}) => validateSource({ settings, db, monday: app.monday }, options),
    doctor: async (m) => runDoctor({ settings, db, monday: m ?? app.monday }),
    close,
  };
  return app;
}

/**
 * The composition root: settings in; the database (opened here unless given), monday.com, the events and
 * the pipeline's commands out.
 *
 * @example
 * const app = await createApp(loadSettings("order-sync.yaml"));
 * try { process.exitCode = (await app.sync()).exitCode; } finally { await app.close(); }
 */
export async function createApp(settings: Settings, parts: AppParts = {}): Promise<App> {
  if (parts.db) return wireApp(settings, parts.db, parts);
  const db = await openDatabase(settings.db);
  return wireApp(settings, db, parts, () => db.close());
}
