export { openDatabase, openSqliteCopy, DatabaseError, describePostgresUrl } from "./open.js";
export { SQLITE_BUSY_TIMEOUT_MS, sqliteFault } from "./sqlite-faults.js";
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
export {
  STAGED_ACTIONS,
  STAGED_STATUSES,
  SYNC_STATUSES,
  RUN_STATUSES,
  CHANGE_ACTIONS,
  INBOX_STATUSES,
  OPERATOR_ACTIONS,
} from "./types.js";
export type * from "./types.js";
export {
  DB_DIALECTS,
  DB_URL_SCHEMES,
  SUPPORTED_DB_URLS,
  UnsupportedDatabaseUrlError,
  dialectOfUrl,
  isAdoConnectionString,
} from "../config/db-url.js";
export type { DbUrlScheme } from "../config/db-url.js";
export {
  MAX_PARAMETERS,
  rowsPerStatement,
  limitRows,
  rowLimit,
  isDuplicateKeyError,
} from "./dialects/sql.js";
export { SQLITE_FINGERPRINT } from "./fingerprint.js";
export { linkStatusChange, linkStatusHistory } from "./status-spans.js";
