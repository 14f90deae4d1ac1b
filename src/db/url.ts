import type { DbDialect } from "./types.js";

/**
 * The database URL schemes order-sync opens, and the dialect each speaks. Anything else with a scheme
 * (`postgress://`, a dialect not built in) is a config error naming these; what has no scheme is a SQLite
 * file path. A dialect that is added adds its schemes here, the one list the config error and
 * {@link openDatabase} read.
 */
export const DB_URL_SCHEMES: Readonly<Record<string, DbDialect>> = {
  postgres: "postgres",
  postgresql: "postgres",
};

/** The scheme of a `scheme://…` URL, lower-cased; undefined for a file path (`order-sync.db`, `:memory:`). */
export function urlScheme(url: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(url.trim())?.[1]?.toLowerCase();
}

/** What a database URL may be, for messages: `postgres://, postgresql://, or a SQLite file path`. */
export function supportedDbUrls(): string {
  return `${Object.keys(DB_URL_SCHEMES)
    .map((s) => `${s}://`)
    .join(", ")}, or a SQLite file path`;
}
