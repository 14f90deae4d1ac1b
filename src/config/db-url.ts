/** The SQL engines order-sync runs on: `mysql` is MySQL and MariaDB (one driver, one SQL), `mssql` SQL Server. */
export const DB_DIALECTS = ["sqlite", "postgres", "mysql", "mssql"] as const;
export type DbDialect = (typeof DB_DIALECTS)[number];

/**
 * The URL schemes `ORDER_SYNC_DB_URL` and `source.url` accept, each with the dialect it opens; anything
 * without a scheme is a SQLite file path (or `:memory:`), and an ADO.NET connection string
 * (`Server=…;Database=…`) is SQL Server. The config check and the error below both read this one table;
 * `src/db` re-exports it (it lives here because config is the bottom layer and resolves the dialect).
 */
export const DB_URL_SCHEMES = {
  "postgres:": "postgres",
  "postgresql:": "postgres",
  "mysql:": "mysql",
  "mariadb:": "mysql",
  "mssql:": "mssql",
  "sqlserver:": "mssql",
} as const satisfies Record<string, DbDialect>;

export type DbUrlScheme = keyof typeof DB_URL_SCHEMES;

/** The supported forms, for messages: `postgres://, postgresql://, …, or a SQLite file path`. */
export const SUPPORTED_DB_URLS = `${Object.keys(DB_URL_SCHEMES)
  .map((s) => `${s}//`)
  .join(", ")}, an ADO.NET connection string (Server=…;Database=…) or a SQLite file path`;

/** A database URL whose scheme order-sync does not speak; the message names the scheme, never the rest. */
export class UnsupportedDatabaseUrlError extends Error {
  override name = "UnsupportedDatabaseUrlError";
  /** Exit code 2: fix the config, the source or the database, then run again. */
  readonly outcome = "config";
  constructor(readonly scheme: string) {
    super(`database URL scheme "${scheme}//" is not supported; use ${SUPPORTED_DB_URLS}`);
  }
}

/** `key=value;key=value` with a Server/Data Source key: SQL Server's ADO.NET connection string. */
export function isAdoConnectionString(url: string): boolean {
  return /^\s*[A-Za-z][A-Za-z ]*=/.test(url) && /(^|;)\s*(server|data source|address|addr)\s*=/i.test(url);
}

/**
 * Which dialect a database URL opens, or undefined for a SQLite path (no scheme, or `file:`).
 * Throws {@link UnsupportedDatabaseUrlError} for any other `scheme://` (the password never appears).
 *
 * @example dialectOfUrl("mariadb://app@db:3306/orders") // "mysql"
 */
export function dialectOfUrl(url: string): Exclude<DbDialect, "sqlite"> | undefined {
  const trimmed = url.trim();
  if (isAdoConnectionString(trimmed)) return "mssql";
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:)\/\//.exec(trimmed);
  if (m === null) return undefined;
  const scheme = m[1]!.toLowerCase();
  if (scheme === "file:") return undefined;
  const dialect = (DB_URL_SCHEMES as Record<string, Exclude<DbDialect, "sqlite">>)[scheme];
  if (dialect === undefined) throw new UnsupportedDatabaseUrlError(scheme);
  return dialect;
}
