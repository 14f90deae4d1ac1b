/**
 * A bulk import file read into rows (API-FACTS "Bulk import"): the first header `name`, the rest exact column
 * ids; classic subitems under `name.subitem` and `<subitem column id>.subitem`; an item row fills `name`, a
 * subitem row leaves it empty and fills `name.subitem`, and attaches to the closest item row above it.
 */
import type { BoardRecord, ColumnRecord } from "../records.js";
import { CellError, readCell, type CellValue } from "./cells.js";
import { CsvSyntaxError, parseCsv } from "./csv.js";

/** What became of one row. */
export type RowOutcome = "created" | "updated" | "skipped" | "invalid" | "failed";

/** One data row of the file. */
export interface ImportRow {
  /** 1-based number among the data rows (the header is row 0), as the report names it. */
  row: number;
  name: string;
  /** The item row above a subitem row (its `row`); undefined for item rows. */
  parentRow: number | undefined;
  values: Record<string, unknown>;
  /** Columns a `<NULL>` cell clears (an `on_match: UPSERT` ingest). */
  clears: string[];
  /** Text of the `on_match` column, for item rows. */
  matchText: string | undefined;
  outcome: RowOutcome | undefined;
  reason: string | undefined;
  /** The item this row created or updated. */
  itemId: string | undefined;
}

/** The whole file is unusable: the job is rejected with INVALID_UPLOAD. */
export class UploadError extends Error {
  override name = "UploadError";
}

interface Header {
  column: ColumnRecord | "name";
  subitem: boolean;
}

/** Where the file's columns go. */
export interface ImportTarget {
  board: BoardRecord;
  subitemsBoard: BoardRecord | undefined;
  matchColumnId: string | undefined;
  emailToId: (email: string) => string | undefined;
  now: string;
}

function headerOf(text: string, target: ImportTarget): Header {
  const subitem = text.endsWith(".subitem");
  const id = subitem ? text.slice(0, -".subitem".length) : text;
  if (id === "name") return { column: "name", subitem };
  const board = subitem ? target.subitemsBoard : target.board;
  if (!board) throw new UploadError(`the board has no subitems column, so "${text}" cannot be imported`);
  const column = board.columns.find((c) => c.id === id && !c.archived);
  if (!column)
    throw new UploadError(`"${text}" is not a column id of the board (headers are ids, not titles)`);
  return { column, subitem };
}

function readHeaders(header: readonly string[], target: ImportTarget): Header[] {
  if (header[0] !== "name") throw new UploadError('the first header must be "name"');
  const headers = header.map((h) => headerOf(h, target));
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new UploadError(`the header "${h}" appears twice`);
    seen.add(h);
  }
  return headers;
}

function emptyRow(row: number): ImportRow {
  return {
    row,
    name: "",
    parentRow: undefined,
    values: {},
    clears: [],
    matchText: undefined,
    outcome: undefined,
    reason: undefined,
    itemId: undefined,
  };
}

function applyCell(row: ImportRow, header: Header, cell: string, target: ImportTarget): void {
  if (header.column === "name") {
    if (header.subitem === (row.parentRow !== undefined)) row.name = cell;
    return;
  }
  if (header.subitem !== (row.parentRow !== undefined)) {
    if (cell !== "") throw new CellError(`${header.column.id} belongs to the other kind of row`);
    return;
  }
  const value: CellValue = readCell(header.column, cell, target.emailToId, target.now);
  if (header.column.id === target.matchColumnId) row.matchText = cell;
  if (value.kind === "value") row.values[header.column.id] = value.input;
  if (value.kind === "clear") row.clears.push(header.column.id);
}

/** One record into a row; a bad cell makes the row invalid with its reason. */
function readRow(record: readonly string[], number: number, headers: Header[], ctx: RowContext): ImportRow {
  const row = emptyRow(number);
  const nameCell = record[0] ?? "";
  const subitemName = record[headers.findIndex((h) => h.column === "name" && h.subitem)] ?? "";
  if (nameCell === "" && subitemName !== "") row.parentRow = ctx.lastItemRow ?? -1;
  else ctx.lastItemRow = number;
  try {
    if (record.length !== headers.length)
      throw new CellError(`the row has ${record.length} cells; the header has ${headers.length}`);
    headers.forEach((h, i) => applyCell(row, h, record[i] ?? "", ctx.target));
    if (row.parentRow === -1) throw new CellError("a subitem row with no item row above it");
    if (row.name === "") throw new CellError("the row has no name");
    if (row.name.length > 255) throw new CellError("the name is longer than 255 characters");
  } catch (error) {
    if (!(error instanceof CellError)) throw error;
    row.outcome = "invalid";
    row.reason = error.message;
  }
  return row;
}

interface RowContext {
  target: ImportTarget;
  lastItemRow: number | undefined;
}

/** The rows of an uploaded file; {@link UploadError} when the file as a whole is not an import file. */
export function readImportRows(text: string, target: ImportTarget): ImportRow[] {
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new UploadError(`not a CSV file: ${error.message}`);
    throw error;
  }
  const [header, ...data] = records;
  if (!header) throw new UploadError("the file is empty");
  const headers = readHeaders(header, target);
  const ctx: RowContext = { target, lastItemRow: undefined };
  const rows = data.map((record, i) => readRow(record, i + 1, headers, ctx));
  // A subitem row under an invalid item row cannot attach to anything.
  const byRow = new Map(rows.map((r) => [r.row, r]));
  for (const row of rows) {
    if (row.parentRow === undefined || row.outcome) continue;
    if (byRow.get(row.parentRow)?.outcome === "invalid") {
      row.outcome = "invalid";
      row.reason = "its item row is invalid";
    }
  }
  return rows;
}
