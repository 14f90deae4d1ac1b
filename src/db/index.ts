export { openDatabase, DatabaseError, describePostgresUrl } from "./open.js";
export type { Db, DbTarget, OpenOptions } from "./open.js";
export {
  migrateToLatest,
  migrateTo,
  appliedMigrations,
  migrations,
  migrationProvider,
  MigrationError,
  MIGRATION_TABLE,
  MIGRATION_LOCK_TABLE,
} from "./migrations.js";
export { STAGED_ACTIONS, STAGED_STATUSES, SYNC_STATUSES, RUN_STATUSES, CHANGE_ACTIONS } from "./types.js";
export type * from "./types.js";
