/**
 * The bulk import's CSV, written exactly as monday's docs give it (API-FACTS "Bulk import", docs "Importing
 * items in bulk"): UTF-8, comma-separated, a cell quoted when it holds a comma, a quote or a line break, a
 * quote inside doubled. The first header is `name`, the rest exact column ids (not titles); classic
 * subitems follow their parent row, under `name.subitem` and `<subitem column id>.subitem`, with `name`
 * left empty. Cells per column type: status and dropdown labels (which must already exist), date
 * `YYYY-MM-DD`, number a numeric string, timeline `YYYY-MM-DD/YYYY-MM-DD`, checkbox `true`/`false`, email,
 * link `[text](url)` or a URL, people `user:<id>`, long text, text.
 */

/** A column the file carries: its id and monday type. */
export interface CsvColumn {
  id: string;
  type: string;
}

/** One row to import: its name and monday write values by column id (what a `create_item` would send). */
export interface CsvItem {
  name: string;
  columnValues: Record<string, unknown>;
}

/** An item row with its subitems. */
export interface CsvParent extends CsvItem {
  subitems: CsvItem[];
}

/** A value the CSV cannot say as the docs define it: such an order goes the mutation way. */
export class NotImportableError extends Error {
  override name = "NotImportableError";
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

function fail(type: string, value: unknown): never {
  throw new NotImportableError(`a ${type} value ${JSON.stringify(value)} has no bulk import cell format`);
}

function text(value: unknown, type: string): string {
  if (typeof value === "string" || typeof value === "number") return String(value);
  return fail(type, value);
}

/** Column types as data: a write value → its cell; types the docs give no format for are absent. */
const CELLS: Readonly<Record<string, (value: unknown) => string>> = {
  text: (v) => text(v, "text"),
  numbers: (v) => text(v, "numbers"),
  long_text: (v) => text(field(v, "text"), "long_text"),
  date: (v) => {
    const date = field(v, "date");
    // A time of day has no cell format (dates are YYYY-MM-DD).
    if (typeof date !== "string" || field(v, "time") !== undefined) return fail("date", v);
    return date;
  },
  status: (v) => text(field(v, "label"), "status"),
  dropdown: (v) => {
    const labels = field(v, "labels");
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== "string" || l.includes(",")))
      return fail("dropdown", v);
    return labels.join(",");
  },
  checkbox: (v) => (field(v, "checked") === "true" || field(v, "checked") === true ? "true" : "false"),
  timeline: (v) => `${text(field(v, "from"), "timeline")}/${text(field(v, "to"), "timeline")}`,
  email: (v) => {
    const email = text(field(v, "email"), "email");
    const label = field(v, "text");
    // The cell holds the address only: a display text other than the address would be lost.
    if (label !== undefined && label !== "" && label !== email) return fail("email", v);
    return email;
  },
  link: (v) => {
    const url = text(field(v, "url"), "link");
    const label = field(v, "text");
    if (label === undefined || label === "" || label === url) return url;
    const name = text(label, "link");
    if (/[[\]]/.test(name)) return fail("link", v);
    return `[${name}](${url})`;
  },
  people: (v) => {
    const people = field(v, "personsAndTeams");
    if (!Array.isArray(people) || people.some((p) => field(p, "kind") !== "person")) return fail("people", v);
    return people.map((p) => `user:${String(field(p, "id"))}`).join(",");
  },
};

/** The cell of one write value (`null`/absent → empty); {@link NotImportableError} when there is none. */
export function csvCell(type: string, value: unknown): string {
  if (value === null || value === undefined) return "";
  const cell = CELLS[type];
  if (!cell) throw new NotImportableError(`column type ${type} has no bulk import cell format`);
  const out = cell(value);
  // `<NULL>` means "clear" to an upsert; a real value spelled so cannot be imported.
  if (out === "<NULL>") return fail(type, value);
  return out;
}

/** Whether every value of the row has a cell format (the row may go through the bulk lane). */
export function importable(columns: readonly CsvColumn[], item: CsvItem): boolean {
  const types = new Map(columns.map((c) => [c.id, c.type]));
  try {
    for (const [id, value] of Object.entries(item.columnValues)) {
      const type = types.get(id);
      if (type === undefined) return false;
      csvCell(type, value);
    }
    return item.name.length > 0 && item.name.length <= 255;
  } catch (error) {
    if (error instanceof NotImportableError) return false;
    throw error;
  }
}

/** One cell quoted as the docs say: when it holds a comma, a quote or a line break; quotes doubled. */
export function quoteCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** Rows a file of these parents holds: each parent and each of its subitems is one row. */
export function rowCount(parents: readonly CsvParent[]): number {
  return parents.reduce((n, p) => n + 1 + p.subitems.length, 0);
}

/**
 * The CSV of one job. `columns` are the board's columns the rows use, `subitemColumns` the subitems
 * board's (both without `name`); the `.subitem` headers appear only when some parent has subitems.
 *
 * @example
 * importCsv([{ id: "qty", type: "numbers" }], [{ id: "quantity", type: "numbers" }],
 *   [{ name: "A-1", columnValues: { qty: "3" }, subitems: [{ name: "M", columnValues: { quantity: "2" } }] }]);
 * // name,qty,name.subitem,quantity.subitem\r\nA-1,3,,\r\n,,M,2\r\n
 */
export function importCsv(
  columns: readonly CsvColumn[],
  subitemColumns: readonly CsvColumn[],
  parents: readonly CsvParent[],
): string {
  const withSubitems = parents.some((p) => p.subitems.length > 0);
  const subColumns = withSubitems ? subitemColumns : [];
  const header = [
    "name",
    ...columns.map((c) => c.id),
    ...(withSubitems ? ["name.subitem", ...subColumns.map((c) => `${c.id}.subitem`)] : []),
  ];
  const cells = (cols: readonly CsvColumn[], item: CsvItem) =>
    cols.map((c) => csvCell(c.type, item.columnValues[c.id]));
  const lines = [header];
  for (const parent of parents) {
    lines.push([
      parent.name,
      ...cells(columns, parent),
      ...(withSubitems ? ["", ...subColumns.map(() => "")] : []),
    ]);
    for (const sub of parent.subitems)
      lines.push(["", ...columns.map(() => ""), sub.name, ...cells(subColumns, sub)]);
  }
  return lines.map((line) => line.map(quoteCell).join(",")).join("\r\n") + "\r\n";
}

/** The records of a CSV text (the job report): RFC 4180, quotes doubled, CRLF or LF. */
export function parseCsvRecords(input: string): string[][] {
  const records: string[][] = [];
  const cell = /"((?:[^"]|"")*)"|([^",\r\n]*)/y;
  let at = 0;
  let record: string[] = [];
  while (at < input.length) {
    cell.lastIndex = at;
    const m = cell.exec(input)!;
    record.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? ""));
    at = cell.lastIndex;
    const next = input[at];
    if (next === ",") {
      at++;
      if (at === input.length) records.push([...record, ""]);
      continue;
    }
    at += input.startsWith("\r\n", at) ? 2 : 1;
    records.push(record);
    record = [];
  }
  return records;
}
