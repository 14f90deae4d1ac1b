/** Helpers the rules share for reading raw source values (whatever the driver returned). */
import { decimalNumber } from "../mapping/index.js";

/** NULL, undefined, "" and whitespace-only text are empty. */
export function isEmpty(raw: unknown): boolean {
  return raw === null || raw === undefined || (typeof raw === "string" && raw.trim() === "");
}

/** A finite number from a number, bigint or numeric text (as the mapper reads it); undefined otherwise. */
export function numeric(raw: unknown): number | undefined {
  let n: number;
  if (typeof raw === "number") n = raw;
  else if (typeof raw === "bigint") n = Number(raw);
  else if (typeof raw === "string" && raw.trim() !== "") n = decimalNumber(raw);
  else return undefined;
  return Number.isFinite(n) ? n : undefined;
}

/** Plain text of a scalar (for patterns and string comparisons); undefined for objects and binaries. */
export function plainText(raw: unknown): string | undefined {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "bigint" || typeof raw === "boolean") return String(raw);
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? undefined : raw.toISOString();
  return undefined;
}

/** Length in characters (code points), the way monday counts item names. */
export function charLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** What is wrong with a text's characters, if anything. */
export interface TextFlaws {
  /**
   * NUL or an unpaired surrogate (PostgreSQL cannot store it, UTF-8 cannot carry it unchanged), or U+FFFD
   * (the source held invalid UTF-8, which the driver replaced).
   */
  unencodable: string | null;
  /** A control character other than \n and \t, e.g. "U+0007". */
  control: string | null;
}

const codePoint = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;

/** Scans a text once for NUL, unpaired surrogates and control characters (a loop: faster than regexes). */
export function textFlaws(text: string): TextFlaws {
  let unencodable: string | null = null;
  let control: string | null = null;
  for (let i = 0; i < text.length && unencodable === null; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) unencodable = "NUL (U+0000)";
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else unencodable = `an unpaired surrogate (${codePoint(c)})`;
    } else if (c >= 0xdc00 && c <= 0xdfff) unencodable = `an unpaired surrogate (${codePoint(c)})`;
    // What a driver makes of bytes that are not valid UTF-8: the original text is already lost.
    else if (c === 0xfffd) unencodable = "U+FFFD, the replacement for bytes that are not valid UTF-8";
    else if (control === null && c !== 9 && c !== 10 && (c < 32 || (c >= 0x7f && c <= 0x9f)))
      control = codePoint(c);
  }
  return { unencodable, control };
}

/** Cuts a text to at most `max` code points, never in the middle of a surrogate pair. */
export function truncate(text: string, max: number, ellipsis = "…"): string {
  if (text.length <= max) return text;
  let out = "";
  let n = 0;
  for (const ch of text) {
    if (n === max - ellipsis.length) return out + ellipsis;
    out += ch;
    n++;
  }
  return out;
}

/** A JSON-safe stand-in for a raw value: NaN/Infinity/bigint as text, Date as ISO, binaries described. */
export function jsonSafe(raw: unknown): unknown {
  if (raw === undefined) return null;
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : String(raw);
  if (typeof raw === "bigint") return raw.toString();
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? "Invalid Date" : raw.toISOString();
  if (raw instanceof Uint8Array) return `<binary, ${raw.length} bytes>`;
  if (typeof raw === "object" && raw !== null) {
    try {
      return JSON.parse(JSON.stringify(raw, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
    } catch {
      return String(raw);
    }
  }
  if (typeof raw === "function" || typeof raw === "symbol") return String(raw);
  return raw;
}

/** The maximum length of a stored or reported value. */
export const MAX_VALUE_TEXT = 2000;

/** A raw value as JSON text, at most 2,000 characters (JSON escapes NUL and unpaired surrogates). */
export function encodeValue(raw: unknown): string {
  return truncate(JSON.stringify(jsonSafe(raw)) ?? "null", MAX_VALUE_TEXT);
}

/** A short quoted form of a value for messages. */
export function quote(raw: unknown, max = 80): string {
  return truncate(JSON.stringify(jsonSafe(raw)) ?? "null", max);
}
