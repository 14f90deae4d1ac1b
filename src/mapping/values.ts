import type { ColumnType } from "../config/index.js";
import { MAX_LONG_TEXT } from "../monday/index.js";

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

/** Per-column settings a mapper may need (from the mapping entry). */
export interface MapperOptions {
  /** phone: the ISO country of numbers that do not name one. */
  defaultCountry?: string;
}

/** How one monday column type turns a source value into a canonical string and into monday's write JSON. */
interface ColumnTypeMapper {
  canonical(raw: unknown, options: MapperOptions): Canonical;
  /** monday's `column_values` entry for a canonical value; `null` clears the column. */
  write(value: string): unknown;
}

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

/**
 * An integer the driver gave exactly (bigint, or text as pg gives INT8/NUMERIC and the SQLite reader gives
 * integers beyond 2^53) that a double cannot hold: `Number` would silently change the quantity.
 */
function isInexactInteger(text: unknown, n: number): boolean {
  if (Number.isSafeInteger(n) || !Number.isInteger(n)) return false;
  if (typeof text === "bigint") return true;
  return typeof text === "string" && /^[-+]?\d+$/.test(text);
}

/**
 * Numeric text as people and databases write it: decimal digits, an optional sign, fraction and exponent.
 * `Number()` also takes `0x10`, `0b1010`, `0o17` and `Infinity`, which are not quantities anyone typed.
 */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** The number in decimal text (`42`, `-4.5`, `1e3`); NaN for anything else (`0x10`, `0b1010`, `1,5`). */
export function decimalNumber(text: string): number {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : NaN;
}

function numberOf(raw: unknown): Canonical {
  if (raw === null || raw === undefined) return null;
  const text = typeof raw === "string" ? raw.trim() : raw;
  if (text === "") return null;
  if (typeof text !== "number" && typeof text !== "bigint" && typeof text !== "string")
    throw new ValueError(`expected a number, got ${typeof raw}`, raw);
  const n = typeof text === "number" ? text : typeof text === "bigint" ? Number(text) : decimalNumber(text);
  if (Number.isNaN(n))
    throw new ValueError(
      `expected a decimal number such as 42 or 4.5, got ${JSON.stringify(String(raw))}`,
      raw,
    );
  if (!Number.isFinite(n))
    throw new ValueError(`expected a finite number, got ${JSON.stringify(String(raw))}`, raw);
  if (isInexactInteger(text, n))
    throw new ValueError(`${String(text)} is beyond 2^53: monday's numbers column would round it`, raw);
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
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59))
    throw new ValueError(`${JSON.stringify(raw)} has no real time of day (00:00:00–23:59:59)`, raw);
  if (h === undefined || (h === "00" && mi === "00" && (s ?? "00") === "00")) return date;
  return `${date}T${h}:${mi}:${s ?? "00"}`;
}

function checkboxOf(raw: unknown): Canonical {
  if (raw === null || raw === undefined || raw === "") return null;
  const truthy =
    raw === true || raw === 1 || (typeof raw === "string" && /^(1|true|yes|y|x)$/i.test(raw.trim()));
  return truthy ? "true" : null;
}

/** Trimmed text of a scalar source value; `null` when empty. */
function trimmedText(raw: unknown): Canonical {
  const text = textOf(raw);
  const trimmed = text?.trim() ?? "";
  return trimmed === "" ? null : trimmed;
}

const EMAIL = /^[^\s@<>",]+@[^\s@<>",]+\.[^\s@<>",]+$/;
const NAMED_EMAIL = /^(.*?)\s*<([^<>]*)>$/s;

/** `a@b.com` or `Name <a@b.com>`; canonical `a@b.com` or `Name <a@b.com>`. */
function emailOf(raw: unknown): Canonical {
  const text = trimmedText(raw);
  if (text === null) return null;
  const named = NAMED_EMAIL.exec(text);
  const [display, address] = named
    ? [named[1]!.trim().replace(/^"(.*)"$/s, "$1"), named[2]!.trim()]
    : ["", text];
  if (!EMAIL.test(address))
    throw new ValueError(
      `expected an email address like a@b.com or "Name <a@b.com>", got ${JSON.stringify(text)}`,
      raw,
    );
  return display === "" ? address : `${display} <${address}>`;
}

function parseEmail(value: string): { email: string; text: string } {
  const named = NAMED_EMAIL.exec(value);
  return named ? { email: named[2]!, text: named[1]! } : { email: value, text: value };
}

const PHONE = /^(\+?)([\d\s().-]+?)(?:\s+([A-Za-z]{2}))?$/;

/** A phone number and optional country (`+1 555-123-4567 US`); canonical `+15551234567 US`. */
function phoneOf(raw: unknown, options: MapperOptions): Canonical {
  const text = trimmedText(raw);
  if (text === null) return null;
  const m = PHONE.exec(text);
  const digits = m?.[2]?.replace(/[\s().-]/g, "") ?? "";
  if (!m || !/^\d{4,15}$/.test(digits))
    throw new ValueError(
      `expected a phone number of 4–15 digits such as +15551234567, got ${JSON.stringify(text)}`,
      raw,
    );
  const country = (m[3] ?? options.defaultCountry ?? "").toUpperCase();
  if (country === "")
    throw new ValueError(
      `the phone number ${JSON.stringify(text)} names no country: end it with one (e.g. "+15551234567 US") or set the column's defaultCountry`,
      raw,
    );
  if (countryName(country) === undefined)
    throw new ValueError(`${JSON.stringify(country)} is not an ISO country code`, raw);
  return `${m[1]}${digits} ${country}`;
}

const URL_PATTERN = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;

/** `url` or `text|url` (the last `|` separates them); canonical the same, trimmed. */
function linkOf(raw: unknown): Canonical {
  const text = trimmedText(raw);
  if (text === null) return null;
  const bar = text.lastIndexOf("|");
  const [label, url] = bar < 0 ? ["", text] : [text.slice(0, bar).trim(), text.slice(bar + 1).trim()];
  if (!URL_PATTERN.test(url))
    throw new ValueError(
      `expected a link like https://example.com or "text|https://example.com", got ${JSON.stringify(text)}`,
      raw,
    );
  return label === "" ? url : `${label}|${url}`;
}

function parseLink(value: string): { url: string; text: string } {
  const bar = value.lastIndexOf("|");
  return bar < 0 ? { url: value, text: value } : { url: value.slice(bar + 1), text: value.slice(0, bar) };
}

/** Person ids, comma-separated (`12, 34`); canonical `12,34` (duplicates dropped, order kept). */
function peopleOf(raw: unknown): Canonical {
  const text = trimmedText(raw);
  if (text === null) return null;
  const ids = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = ids.find((id) => !/^[1-9]\d{0,15}$/.test(id));
  if (bad !== undefined)
    throw new ValueError(
      `expected monday person ids separated by commas (e.g. "12345,67890"), but ${JSON.stringify(bad)} is not an id`,
      raw,
    );
  return ids.length ? [...new Set(ids)].join(",") : null;
}

/** `2026-01-01/2026-02-01` (dates, from ≤ to); canonical the same. */
function timelineOf(raw: unknown): Canonical {
  const text = trimmedText(raw);
  if (text === null) return null;
  const parts = text.split("/");
  if (parts.length !== 2)
    throw new ValueError(
      `expected a timeline "from/to" such as 2026-01-01/2026-02-01, got ${JSON.stringify(text)}`,
      raw,
    );
  const [from, to] = parts.map((p) => {
    const d = dateOf(p.trim());
    if (d === null || d.length !== 10)
      throw new ValueError(
        `a timeline takes two dates without time ("2026-01-01/2026-02-01"); ${JSON.stringify(p.trim())} is not one`,
        raw,
      );
    return d;
  }) as [string, string];
  if (from > to) throw new ValueError(`the timeline ${JSON.stringify(text)} ends before it starts`, raw);
  return `${from}/${to}`;
}

/** `16:42` or `16:42:00` (24-hour; seconds must be 0); canonical `16:42`. */
function hourOf(raw: unknown): Canonical {
  const text = trimmedText(raw);
  if (text === null) return null;
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  const [h, mi, s] = m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [NaN, NaN, NaN];
  if (!(h <= 23 && mi <= 59 && s === 0))
    throw new ValueError(`expected an hour like 16:42 (00:00–23:59), got ${JSON.stringify(text)}`, raw);
  return `${String(h).padStart(2, "0")}:${String(mi).padStart(2, "0")}`;
}

const REGIONS = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });

/** The English name of an ISO 3166-1 alpha-2 code, or undefined when there is none. */
function countryName(code: string): string | undefined {
  if (!/^[A-Z]{2}$/.test(code) || code === "ZZ") return undefined;
  try {
    const name = REGIONS.of(code);
    return name && name !== code ? name : undefined;
  } catch {
    return undefined;
  }
}

/** An ISO country code (`us`, `US`); canonical upper case. */
function countryOf(raw: unknown): Canonical {
  const text = trimmedText(raw);
  if (text === null) return null;
  const code = text.toUpperCase();
  if (countryName(code) === undefined)
    throw new ValueError(
      `expected a two-letter ISO country code such as US, got ${JSON.stringify(text)}`,
      raw,
    );
  return code;
}

/** A whole number 1–5; canonical `"5"`. */
function ratingOf(raw: unknown): Canonical {
  if (typeof raw !== "number" && typeof raw !== "bigint" && typeof raw !== "string" && raw != null)
    throw new ValueError(`expected a rating from 1 to 5, got ${typeof raw}`, raw);
  const text = trimmedText(raw);
  if (text === null) return null;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 5)
    throw new ValueError(`expected a rating from 1 to 5 (a whole number), got ${JSON.stringify(text)}`, raw);
  return String(n);
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
  email: { canonical: emailOf, write: parseEmail },
  phone: {
    canonical: phoneOf,
    write: (v) => {
      const [phone = "", countryShortName = ""] = v.split(" ");
      return { phone, countryShortName };
    },
  },
  link: { canonical: linkOf, write: parseLink },
  people: {
    canonical: peopleOf,
    write: (v) => ({ personsAndTeams: v.split(",").map((id) => ({ id: Number(id), kind: "person" })) }),
  },
  timeline: {
    canonical: timelineOf,
    write: (v) => {
      const [from = "", to = ""] = v.split("/");
      return { from, to };
    },
  },
  hour: {
    canonical: hourOf,
    write: (v) => ({ hour: Number(v.slice(0, 2)), minute: Number(v.slice(3, 5)) }),
  },
  country: { canonical: countryOf, write: (v) => ({ countryCode: v, countryName: countryName(v) ?? v }) },
  rating: { canonical: ratingOf, write: (v) => ({ rating: Number(v) }) },
};

/** The canonical form of a source value for a column of the given type; throws {@link ValueError}. */
export function canonicalValue(type: ColumnType, raw: unknown, options: MapperOptions = {}): Canonical {
  const mapper = MAPPERS[type] as ColumnTypeMapper | undefined;
  if (!mapper)
    throw new ValueError(
      `unsupported column type ${JSON.stringify(type)}: order-sync writes ${Object.keys(MAPPERS).join(", ")}`,
      raw,
    );
  return mapper.canonical(raw, options);
}

/**
 * monday's `column_values` entry for a canonical value, e.g. `date` "2026-06-15" → `{"date":"2026-06-15"}`.
 * `null` clears the column.
 */
export function mondayWriteValue(type: ColumnType, value: Canonical): unknown {
  return value === null ? null : MAPPERS[type].write(value);
}

/** The English country name monday stores with a country code (`US` → "United States"), if any. */
export function countryNameOf(code: string): string | undefined {
  return countryName(code.toUpperCase());
}

/** Renders an item-name or group template: `{AAG ORDER NUMBER} {STYLE}` with the row's values. */
export function renderTemplate(template: string, lookup: (name: string) => unknown): string {
  return template.replace(/\{([^{}]+)\}/g, (_, name: string) => textOf(lookup(name)) ?? "").trim();
}

/** Source column names a template refers to. */
export function templateColumns(template: string): string[] {
  return [...template.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1] ?? "");
}
