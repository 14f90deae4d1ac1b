import { InternalServerError } from "../errors.js";
import type { BoardRecord, ColumnRecord, ItemRecord } from "../records.js";
import type { RequestContext } from "../resolvers.js";

/** A root field's arguments, as graphql-js passes them. */
export type Args = Record<string, unknown>;

/** How resolvers serve records: the view classes of resolvers.ts, passed in so these files need no cycle. */
export interface Views {
  column(column: ColumnRecord): unknown;
  item(ctx: RequestContext, item: ItemRecord): unknown;
  board(ctx: RequestContext, board: BoardRecord): unknown;
}

/** An optional argument as a string (`undefined` when absent or null). */
export const str = (v: unknown): string | undefined =>
  v === null || v === undefined ? undefined : String(v);

/** An optional list argument. */
export const list = <T>(v: unknown): T[] | undefined => (Array.isArray(v) ? (v as T[]) : undefined);

/** One page of `all` for monday's `limit` / `page` (1-based) arguments. */
export function pageSlice<T>(all: readonly T[], limit: unknown, page: unknown): T[] {
  const size = Math.max(1, Number(limit ?? 25));
  const start = (Math.max(1, Number(page ?? 1)) - 1) * size;
  return all.slice(start, start + size);
}

/** monday answers a missing `item_id` with an internal error. */
export function requireItemId(args: Args): string {
  const id = str(args.item_id);
  if (id === undefined) throw new InternalServerError("item_id is required");
  return id;
}

/** A `JSON` argument sent as a JSON string (or, from a literal, already a value); malformed JSON is a 500 on monday. */
export function parseJsonArgument(raw: unknown, name: string): unknown {
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new InternalServerError(`${name} is not valid JSON`);
  }
}
