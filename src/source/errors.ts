/** A source column the config needs, and the config key that asks for it. */
export interface RequiredColumn {
  column: string;
  /** The config key that maps it, e.g. `boards[0].subitems.sizes[2]`. */
  where?: string;
}

/** The source table or a column the config needs is missing; the message names the config key. */
export class SourceError extends Error {
  override name = "SourceError";
  /** Exit code 2: fix the config, the source or the database, then run again. */
  readonly outcome = "config";
  constructor(
    message: string,
    readonly table: string,
    readonly missingColumns: readonly RequiredColumn[] = [],
  ) {
    super(message);
  }
}
