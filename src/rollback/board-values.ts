import type { ColumnType } from "../config/index.js";
import { canonicalValue, ValueError, type Canonical } from "../mapping/index.js";
import type { BoardCell } from "../sync/index.js";

type Json = Record<string, unknown>;

const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? (value as Json)[key] : undefined;
const str = (v: unknown): string | null =>
  typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : null;
const pad = (n: unknown): string => String(n).padStart(2, "0");

/**
 * How a board cell reads back in the canonical form the sync records (`mapping/values.ts`), per column type:
 * the raw `value` where it carries the parts (date, link, phone …), the display `text` where that is the
 * canonical value (text, status). Semantics as data, like the writers they mirror.
 */
const READERS: Record<ColumnType, (cell: BoardCell) => Canonical> = {
  text: (c) => str(c.text),
  long_text: (c) => str(field(c.value, "text")) ?? str(c.text),
  numbers: (c) => canonicalValue("numbers", c.text),
  date: (c) => {
    const date = str(field(c.value, "date"));
    const time = str(field(c.value, "time"));
    return date === null ? null : canonicalValue("date", time ? `${date}T${time}` : date);
  },
  status: (c) => str(c.text),
  dropdown: (c) => canonicalValue("dropdown", c.text),
  checkbox: (c) =>
    field(c.value, "checked") === "true" || field(c.value, "checked") === true ? "true" : null,
  email: (c) => {
    const email = str(field(c.value, "email"));
    const label = str(field(c.value, "text"));
    return email === null ? null : !label || label === email ? email : `${label} <${email}>`;
  },
  phone: (c) => {
    const phone = str(field(c.value, "phone"));
    return phone === null ? null : `${phone} ${str(field(c.value, "countryShortName")) ?? ""}`.trim();
  },
  link: (c) => {
    const url = str(field(c.value, "url"));
    const label = str(field(c.value, "text"));
    return url === null ? null : !label || label === url ? url : `${label}|${url}`;
  },
  people: (c) => {
    const list = field(c.value, "personsAndTeams");
    const ids = Array.isArray(list) ? list.map((p) => String(field(p, "id"))) : [];
    return ids.length ? ids.join(",") : null;
  },
  timeline: (c) => {
    const [from, to] = [str(field(c.value, "from")), str(field(c.value, "to"))];
    return from && to ? `${from}/${to}` : null;
  },
  hour: (c) => {
    const hour = field(c.value, "hour");
    return hour === undefined || hour === null ? null : `${pad(hour)}:${pad(field(c.value, "minute") ?? 0)}`;
  },
  country: (c) => str(field(c.value, "countryCode")),
  rating: (c) => str(field(c.value, "rating")),
};

/**
 * A board cell in canonical form, comparable with a change log's before- and after-images; `undefined` when
 * the cell cannot be read back (a rollback then treats the column as changed: a conflict).
 *
 * @example boardCanonical("date", { text: "2026-06-15", value: { date: "2026-06-15" } }) // "2026-06-15"
 */
export function boardCanonical(type: ColumnType, cell: BoardCell | undefined): Canonical | undefined {
  if (!cell || (cell.value === null && (cell.text === null || cell.text === ""))) return null;
  try {
    return READERS[type](cell);
  } catch (e) {
    if (e instanceof ValueError) return undefined;
    throw e;
  }
}
