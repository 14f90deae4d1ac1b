import { columnSettingsFromDefaults, MAX_STATUS_LABELS } from "../column-values.js";
import { InvalidArgumentError } from "../errors.js";
import type { ColumnRecord } from "../records.js";
import type { MutationResolver, RequestContext } from "../resolvers.js";
import { statusLabelsOf, updateStatusLabels, type StatusLabelInput } from "../status-labels.js";
import type { ColumnChange } from "../store.js";
import { parseJsonArgument, str, type Args, type Views } from "./args.js";

/** monday's rule for a column id given to `create_column`. */
const COLUMN_ID = /^[a-z][a-z0-9_]{0,99}$/;

/** `defaults: JSON` arrives as an object or (backward compatible) a JSON string. */
function parseDefaults(raw: unknown): Record<string, unknown> | undefined {
  const parsed = parseJsonArgument(raw, "defaults");
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}

/** `change_column_metadata`'s `column_property` (SDL enum `ColumnProperty`) → the field it changes. */
const METADATA_PROPERTY: Readonly<Record<string, keyof ColumnChange>> = {
  title: "title",
  description: "description",
};

function changeColumn(ctx: RequestContext, args: Args, change: ColumnChange): ColumnRecord {
  return ctx.store.changeColumn(String(args.board_id), String(args.column_id), change);
}

/** `update_status_column`: refuses a stale `revision` (optimistic concurrency) and non-status columns. */
function updateStatusColumn(ctx: RequestContext, args: Args): ColumnRecord {
  const board = ctx.store.getBoard(String(args.board_id));
  const column = ctx.store.getColumn(board, String(args.id));
  if (column.type !== "status")
    throw new InvalidArgumentError(`column ${column.id} is not a status column`, { column_id: column.id });
  if (String(args.revision) !== String(column.revision))
    throw new InvalidArgumentError("the column was changed since this revision: read it again", {
      column_id: column.id,
      revision: String(column.revision),
    });
  const inputs = (args.settings as { labels?: StatusLabelInput[] } | null | undefined)?.labels;
  if (inputs) {
    const labels = updateStatusLabels(statusLabelsOf(column.settings), inputs);
    if (labels.filter((l) => !l.is_deactivated).length > MAX_STATUS_LABELS)
      throw new InvalidArgumentError(`a status column holds at most ${MAX_STATUS_LABELS} labels`, {
        column_id: column.id,
      });
    column.settings = { ...column.settings, labels };
  }
  return ctx.store.changeColumn(board.id, column.id, {
    ...(str(args.title) !== undefined && { title: str(args.title) }),
    ...(str(args.description) !== undefined && { description: str(args.description) }),
  });
}

/** Column management on the live board: what monday's UI users do to a board, through the API. */
export function columnMutations(views: Views): Record<string, MutationResolver> {
  const served = (column: ColumnRecord, boardId: string) => ({
    result: views.column(column),
    logged: { boardId, columnIds: [column.id] },
  });
  return {
    create_column: (args, ctx) => {
      const id = str(args.id);
      if (id !== undefined && !COLUMN_ID.test(id))
        throw new InvalidArgumentError("column id must be lower-case letters, digits and _", { id });
      const type = String(args.column_type);
      const defaults = parseDefaults(args.defaults);
      const column = ctx.store.addColumn(String(args.board_id), {
        id,
        title: String(args.title),
        type,
        description: str(args.description),
        afterColumnId: str(args.after_column_id),
        ...(defaults && { settings: columnSettingsFromDefaults(type, defaults) }),
      });
      return served(column, String(args.board_id));
    },
    change_column_title: (args, ctx) =>
      served(changeColumn(ctx, args, { title: String(args.title) }), String(args.board_id)),
    change_column_metadata: (args, ctx) => {
      const property = METADATA_PROPERTY[String(args.column_property)];
      if (!property) throw new InvalidArgumentError("column_property must be title or description");
      return served(changeColumn(ctx, args, { [property]: String(args.value ?? "") }), String(args.board_id));
    },
    delete_column: (args, ctx) =>
      served(ctx.store.deleteColumn(String(args.board_id), String(args.column_id)), String(args.board_id)),
    update_status_column: (args, ctx) => served(updateStatusColumn(ctx, args), String(args.board_id)),
  };
}
