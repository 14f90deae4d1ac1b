import type { ColumnType } from "../config/index.js";

/**
 * A source value in its canonical form: the string that is hashed, compared between runs and
 * recorded in the sync state. `null` means "empty on the board" (SQL NULL and "" both map to it,
 * since monday cannot tell them apart).
 */
export type Canonical = string | null;

/** Why a source value cannot be written to a column; names the value so the user can find it. */
export class ValueError extends Error {
  override name = "ValueError";
  constructor(
    message: string,
    readonly value: unknown,
  ) {
    super(message);
  }
}

/** How one monday column type turns a source value into a canonical string and into monday's write JSON. */
interface ColumnTypeMapper {
  canonical(raw: unknown): Canonical;
  /** monday's `column_values` entry for a canonical value; `null` clears the column. */
  write(value: string): unknown;
}

const MAX_LONG_TEXT = 2000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]00:?00)?)?$/;

function textOf(raw: unknown): Canonical {
  if (raw === null || raw === undefined) return null;
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) throw new ValueError("invalid date", raw);
    return raw.toISOString();
  }
  if (typeof raw === "number" || typeof raw === "bigint") return String(raw);
  if (typeof raw === "boolean") return raw ? "true" : "false";
  if (typeof raw === "string") return raw === "" ? null : raw;
  if (Buffer.isBuffer(raw))
    throw new ValueError("binary values cannot be written to a monday column", "<binary>");
  throw new ValueError(`unsupported value of type ${typeof raw}`, raw);
}

function numberOf(raw: unknown): Canonical {
  if (raw === null || raw === undefined) return null;
  const text = typeof raw === "string" ? raw.trim() : raw;
  if (text === "") return null;
  const n = typeof text === "number" ? text : typeof text === "bigint" ? Number(text) : Number(text);
  if (typeof text !== "number" && typeof text !== "bigint" && typeof text !== "string")
    throw new ValueError(`expected a number, got ${typeof raw}`, raw);
  if (!Number.isFinite(n))
    throw new ValueError(`expected a finite number, got ${JSON.stringify(String(raw))}`, raw);
  // String(n) normalises "07", "7.0" and 7 to "7", so a driver returning NUMERIC as text does not look like a change.
  return String(n);
}

function dateOf(raw: unknown): Canonical {
  if (raw === null || raw === undefined || raw === "") return null;
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) throw new ValueError("invalid date", raw);
    const iso = raw.toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.slice(0, 19);
  }
  if (typeof raw !== "string") throw new ValueError(`expected a date (YYYY-MM-DD), got ${typeof raw}`, raw);
  const m = ISO_DATE.exec(raw.trim());
  if (!m) throw new ValueError(`expected a date like 2026-06-15, got ${JSON.stringify(raw)}`, raw);
  const [, y, mo, d, h, mi, s] = m;
  const date = `${y}-${mo}-${d}`;
  const probe = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(probe.getTime()) || probe.toISOString().slice(0, 10) !== date)
    throw new ValueError(`${JSON.stringify(raw)} is not a real calendar date`, raw);
  if (h === undefined || (h === "00" && mi === "00" && (s ?? "00") === "00")) return date;
  return `${date}T${h}:${mi}:${s ?? "00"}`;
}

function checkboxOf(raw: unknown): Canonical {
  if (raw === null || raw === undefined || raw === "") return null;
  const truthy =
    raw === true || raw === 1 || (typeof raw === "string" && /^(1|true|yes|y|x)$/i.test(raw.trim()));
  return truthy ? "true" : null;
}

/** Column types as data: one entry per type order-sync writes (monday's formats, API-FACTS.md). */
const MAPPERS: Record<ColumnType, ColumnTypeMapper> = {
  text: { canonical: textOf, write: (v) => v },
  long_text: {
    canonical: (raw) => {
      const v = textOf(raw);
      if (v !== null && v.length > MAX_LONG_TEXT)
        throw new ValueError(`long text is ${v.length} characters; monday allows ${MAX_LONG_TEXT}`, raw);
      return v;
    },
    write: (v) => ({ text: v }),
  },
  numbers: { canonical: numberOf, write: (v) => v },
  date: {
    canonical: dateOf,
    write: (v) => (v.length > 10 ? { date: v.slice(0, 10), time: v.slice(11, 19) } : { date: v }),
  },
  status: { canonical: (raw) => textOf(raw)?.trim() || null, write: (v) => ({ label: v }) },
  dropdown: {
    canonical: (raw) => {
      const labels = (textOf(raw) ?? "")
        .split(",")
        .map((l) => l.trim())
        .filter(Boolean);
      return labels.length ? labels.join(",") : null;
    },
    write: (v) => ({ labels: v.split(",") }),
  },
  checkbox: { canonical: checkboxOf, write: () => ({ checked: "true" }) },
};

/** The canonical form of a source value for a column of the given type; throws {@link ValueError}. */
export function canonicalValue(type: ColumnType, raw: unknown): Canonical {
  return MAPPERS[type].canonical(raw);
}

/**
 * monday's `column_values` entry for a canonical value, e.g. `date` "2026-06-15" → `{"date":"2026-06-15"}`.
 * `null` clears the column.
 */
export function mondayWriteValue(type: ColumnType, value: Canonical): unknown {
  return value === null ? null : MAPPERS[type].write(value);
}

/** Renders an item-name or group template: `{AAG ORDER NUMBER} {STYLE}` with the row's values. */
export function renderTemplate(template: string, lookup: (name: string) => unknown): string {
  return template.replace(/\{([^{}]+)\}/g, (_, name: string) => textOf(lookup(name)) ?? "").trim();
}

/** Source column names a template refers to. */
export function templateColumns(template: string): string[] {
  return [...template.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1] ?? "");
}
