/**
 * CSV cells of a bulk import → the write JSON the store takes, per column type, as the docs give the cell
 * formats (API-FACTS "Bulk import", docs "Importing items in bulk"): status and dropdown labels that already
 * exist (status case-sensitive, no create-labels option), date `YYYY-MM-DD`, number a numeric string,
 * timeline `YYYY-MM-DD/YYYY-MM-DD`, checkbox `true`/`false`, email, link `[text](url)` or a URL, phone,
 * people (an email or `user:<id>`), long text and text. Other types cannot be imported.
 */
import { writeColumnValue } from "../column-values.js";
import type { ColumnRecord } from "../records.js";

/** A cell that is not a valid value for its column: the row is invalid, with this reason in the report. */
export class CellError extends Error {
  override name = "CellError";
}

/** In an `on_match: UPSERT` ingest, this cell clears the value (an empty cell keeps it). */
export const NULL_CELL = "<NULL>";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const MARKDOWN_LINK = /^\[(.*)\]\((\S+)\)$/s;

function realDate(cell: string): string {
  if (!DATE.test(cell) || new Date(`${cell}T00:00:00Z`).toISOString().slice(0, 10) !== cell)
    throw new CellError(`"${cell}" is not a date in YYYY-MM-DD`);
  return cell;
}

function isRealDate(cell: string): boolean {
  try {
    realDate(cell);
    return true;
  } catch {
    return false;
  }
}

/** The person id a people cell names: `user:<id>` (emails need a user directory; the emulator's users have them). */
function personId(part: string, emailToId: (email: string) => string | undefined): number {
  const m = /^user:(\d+)$/.exec(part);
  const id = m ? m[1] : emailToId(part);
  if (id === undefined) throw new CellError(`"${part}" names no user`);
  return Number(id);
}

type CellReader = (cell: string, emailToId: (email: string) => string | undefined) => unknown;

/** Column types as data: how a cell becomes the store's write JSON. */
const CELL_READERS: Readonly<Record<string, CellReader>> = {
  text: (cell) => cell,
  long_text: (cell) => ({ text: cell }),
  numbers: (cell) => {
    if (!NUMBER.test(cell)) throw new CellError(`"${cell}" is not a number`);
    return cell;
  },
  date: (cell) => ({ date: realDate(cell) }),
  status: (cell) => ({ label: cell }),
  dropdown: (cell) => ({ labels: cell.split(",").map((l) => l.trim()) }),
  checkbox: (cell) => {
    if (cell !== "true" && cell !== "false") throw new CellError(`"${cell}" is not true or false`);
    return cell === "true" ? { checked: "true" } : null;
  },
  timeline: (cell) => {
    const [from = "", to = "", ...rest] = cell.split("/");
    if (rest.length || !isRealDate(from) || !isRealDate(to))
      throw new CellError(`"${cell}" is not a timeline YYYY-MM-DD/YYYY-MM-DD`);
    return { from, to };
  },
  email: (cell) => ({ email: cell, text: cell }),
  link: (cell) => {
    const m = MARKDOWN_LINK.exec(cell);
    return m ? { url: m[2], text: m[1] } : { url: cell, text: cell };
  },
  phone: (cell) => ({ phone: cell.replace(/[^\d+]/g, ""), countryShortName: "" }),
  people: (cell, emailToId) => ({
    personsAndTeams: cell.split(",").map((p) => ({ id: personId(p.trim(), emailToId), kind: "person" })),
  }),
};

/** What a cell asks of its column: a value to write, nothing (empty cell), or a clear (`<NULL>`). */
export type CellValue = { kind: "value"; input: unknown } | { kind: "empty" } | { kind: "clear" };

/**
 * Reads one cell for `column` and checks it the way a write would (labels must exist): a {@link CellError}
 * names what is wrong. Checking uses a copy of the settings, so nothing changes on the board (a shallow one:
 * without `createLabels` a write at most gives the settings an empty `labels`, never touches the lists).
 */
export function readCell(
  column: ColumnRecord,
  cell: string,
  emailToId: (email: string) => string | undefined,
  now: string,
): CellValue {
  if (cell === "") return { kind: "empty" };
  if (cell === NULL_CELL) return { kind: "clear" };
  const reader = CELL_READERS[column.type];
  if (!reader) throw new CellError(`column ${column.id} (${column.type}) cannot be imported`);
  const input = reader(cell, emailToId);
  try {
    writeColumnValue(column, input, { settings: { ...column.settings }, createLabels: false, now });
  } catch (error) {
    throw new CellError(error instanceof Error ? error.message.split(". Please check")[0]! : String(error));
  }
  return { kind: "value", input };
}
