/**
 * monday.com's application errors, as classes that carry what the response needs.
 * Since API 2025-01 they are answered with HTTP 200 and `errors[].extensions`
 * `{ code, status_code, error_data }` (https://developer.monday.com/api-reference/docs/errors).
 */
export class MondayApiError extends Error {
  override name = "MondayApiError";
  constructor(
    message: string,
    /** `extensions.code`, e.g. `ColumnValueException`. */
    readonly code: string,
    /** `extensions.status_code`: monday's own status for the error (the HTTP status stays 200). */
    readonly statusCode: number,
    /** `extensions.error_data`. */
    readonly errorData: Record<string, unknown> = {},
    /** More `extensions` fields some errors carry (`retryAfterMs` of the bulk import's job-start limit). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A value monday cannot store in a column (bad number, unknown label, invalid date...). */
export class ColumnValueError extends MondayApiError {
  override name = "ColumnValueError";
  /** `columnType` is monday's legacy name (`color` for status), as `error_data.column_type` carries it. */
  constructor(message: string, columnType: string, columnId: string) {
    super(
      `${message}. Please check our API documentation for the correct data structure for this column. https://developer.monday.com/api-reference/docs/change-column-values`,
      "ColumnValueException",
      200,
      { column_type: columnType, column_id: columnId },
    );
  }
}

/** A `column_values` key that is not a column of the board. */
export class InvalidColumnIdError extends MondayApiError {
  override name = "InvalidColumnIdError";
  constructor(columnId: string) {
    super("This column ID doesn't exist for the board", "InvalidColumnIdException", 200, {
      column_id: columnId,
    });
  }
}

/** A board id that names no board. */
export class InvalidBoardIdError extends MondayApiError {
  override name = "InvalidBoardIdError";
  constructor(boardId: string) {
    super(
      "The board does not exist. Please check your board ID and try again",
      "InvalidBoardIdException",
      200,
      {
        board_id: boardId,
      },
    );
  }
}

/** An item, group or other object that does not exist. */
export class ResourceNotFoundError extends MondayApiError {
  override name = "ResourceNotFoundError";
  constructor(kind: "Item" | "Group" | "Column" | "Update" | "Job" | "Webhook", id: string) {
    super(`${kind} with id ${id} not found`, "ResourceNotFoundException", 404, {
      [`${kind.toLowerCase()}_id`]: id,
    });
  }
}

/** An item name outside 1–255 characters. */
export class ItemNameTooLongError extends MondayApiError {
  override name = "ItemNameTooLongError";
  constructor(length: number) {
    super(
      `Item name must be between 1 and 255 characters long (got ${length})`,
      "ItemNameTooLongException",
      200,
      { name_length: length },
    );
  }
}

/** An argument monday refuses (limit out of range, mixed dropdown ids and labels...). */
export class InvalidArgumentError extends MondayApiError {
  override name = "InvalidArgumentError";
  constructor(message: string, errorData: Record<string, unknown> = {}) {
    super(message, "InvalidArgumentException", 200, errorData);
  }
}

/** A pagination cursor that is unknown or older than 60 minutes. */
export class CursorExpiredError extends MondayApiError {
  override name = "CursorExpiredError";
  constructor() {
    super(
      "The cursor provided has expired or is invalid: cursors are valid for 60 minutes after the first request",
      "CursorException",
      200,
    );
  }
}

/** What monday answers for some malformed requests (a missing item id, unparsable column JSON). */
export class InternalServerError extends MondayApiError {
  override name = "InternalServerError";
  constructor(message = "Internal server error") {
    super(message, "INTERNAL_SERVER_ERROR", 500);
  }
}

/** A board that already holds monday's maximum of 10,000 items. */
export class ItemsLimitationError extends MondayApiError {
  override name = "ItemsLimitationError";
  constructor(boardId: string, limit: number) {
    super(`The board has reached its limit of ${limit} items`, "ItemsLimitationException", 200, {
      board_id: boardId,
      limit,
    });
  }
}

/** A person id that is not a user of the account (a people column value naming nobody). */
export class InvalidUserIdError extends MondayApiError {
  override name = "InvalidUserIdError";
  constructor(userId: number | string) {
    super(`User with id ${userId} does not exist`, "InvalidUserIdException", 200, {
      user_id: String(userId),
    });
  }
}

/**
 * The bulk import's 100 successful job starts an account an hour, spent (API-FACTS "Bulk import": 429
 * `RATE_LIMIT_EXCEEDED` with `extensions.retryAfterMs`).
 */
export class JobStartLimitError extends MondayApiError {
  override name = "JobStartLimitError";
  constructor(retryAfterMs: number, limit: number) {
    super(
      `Rate limit exceeded: at most ${limit} bulk import jobs may start an hour`,
      "RATE_LIMIT_EXCEEDED",
      429,
      { limit },
      { retryAfterMs },
    );
  }
}
