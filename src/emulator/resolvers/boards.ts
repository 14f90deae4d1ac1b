import type { BoardRecord } from "../records.js";
import type { MutationResolver } from "../resolvers.js";
import type { ColumnSpec } from "../store.js";
import { str, type Views } from "./args.js";

/**
 * The columns a board created through the API starts with besides its name, as monday's default board
 * has them: Person (people), Status (monday's default labels) and Date. `empty` only leaves out sample
 * items, which the emulator never creates (their content is not documented).
 */
export const DEFAULT_BOARD_COLUMNS: readonly ColumnSpec[] = [
  { id: "person", title: "Person", type: "people" },
  { id: "status", title: "Status", type: "status" },
  { id: "date4", title: "Date", type: "date" },
];

/** Board management: `create_board` (owners, folder and workspace are accepted and not modelled). */
export function boardMutations(views: Views): Record<string, MutationResolver> {
  return {
    create_board: (args, ctx) => {
      const board = ctx.store.createBoard({
        name: String(args.board_name),
        kind: args.board_kind as BoardRecord["kind"],
        description: str(args.description),
        columns: DEFAULT_BOARD_COLUMNS,
      });
      return { result: views.board(ctx, board), logged: { boardId: board.id } };
    },
  };
}
