/** One executed mutation root field (one alias of a batch). */
export interface MutationLogEntry {
  /** ISO time the mutation ran. */
  at: string;
  /** The mutation field, e.g. `create_item` (not the alias). */
  operation: string;
  /** The alias it was sent under (the field name when not aliased). */
  alias: string;
  /** Which HTTP request (1-based, counting every request the emulator received) carried it. */
  request: number;
  boardId?: string;
  /** The item written (for creates: the new item's id, when it was created). */
  itemId?: string;
  /** `create_subitem`: the parent item. */
  parentItemId?: string;
  /** Keys of the `column_values` written (or the `column_id` of a simple change). */
  columnIds?: string[];
  ok: boolean;
  /** The error code (e.g. `ColumnValueException`) when `ok` is false. */
  error?: string;
  /** Set when the request was executed but its reply never reached the client (`drop_after_commit` fault). */
  replyLost?: boolean;
}

/**
 * What the emulator was asked to write, for tests of the sync engine:
 * "a second sync made zero write requests", "10 change_multiple_column_values carrying only these columns".
 */
export class MutationLog {
  /** Every executed mutation, in order. */
  readonly entries: MutationLogEntry[] = [];
  /** `/v2` requests received (any outcome; admin requests are not counted). */
  requests = 0;
  /** Requests whose operation was a mutation with at least one field (any outcome). */
  writeRequests = 0;

  /** Appends one executed mutation. */
  record(entry: MutationLogEntry): void {
    this.entries.push(entry);
  }

  /** Entries of one mutation field, e.g. `log.ofOperation("change_multiple_column_values")`. */
  ofOperation(operation: string): MutationLogEntry[] {
    return this.entries.filter((e) => e.operation === operation);
  }

  /** Marks the entries of one request as executed without a reply reaching the client. */
  markReplyLost(request: number): void {
    for (const entry of this.entries) if (entry.request === request) entry.replyLost = true;
  }

  /** Clears entries and counters. */
  reset(): void {
    this.entries.length = 0;
    this.requests = 0;
    this.writeRequests = 0;
  }
}
