import { canonicalValue, type Canonical } from "./values.js";
import { hasTransforms, mappedCanonical, type MappingSpec } from "./transforms.js";
import type { ColumnType } from "../config/index.js";

type Row = Readonly<Record<string, unknown>>;

/** A column's canonical value, or what the mapper threw for it (kept as thrown: callers decide). */
export type MappedValue = { value: Canonical } | { error: unknown };

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const digit = (text: string, i: number) => text.charCodeAt(i) - 48;

/**
 * Fast path for the common case, a real `YYYY-MM-DD` string, which the mapper's date canonical form
 * returns unchanged (anything else goes through the mapper itself). Dates are most of the mapping
 * time otherwise: `new Date` per value.
 */
function isPlainDate(raw: unknown): raw is string {
  if (typeof raw !== "string" || raw.length !== 10 || raw[4] !== "-" || raw[7] !== "-") return false;
  for (const i of [0, 1, 2, 3, 5, 6, 8, 9]) {
    const d = digit(raw, i);
    if (d < 0 || d > 9) return false;
  }
  const y = digit(raw, 0) * 1000 + digit(raw, 1) * 100 + digit(raw, 2) * 10 + digit(raw, 3);
  const m = digit(raw, 5) * 10 + digit(raw, 6);
  const d = digit(raw, 8) * 10 + digit(raw, 9);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1];
  return days !== undefined && d >= 1 && d <= days;
}

function attempt(map: () => Canonical): MappedValue {
  try {
    return { value: map() };
  } catch (e) {
    return { error: e };
  }
}

/**
 * One source row with its mapped values, each worked out once: detect builds the order's snapshot from
 * it and validation's rules read the same values, so the two cannot disagree about a row.
 */
export class MappedRow {
  private readonly byType = new Map<ColumnType, Map<string, MappedValue>>();
  private readonly bySpec = new Map<MappingSpec, MappedValue>();

  constructor(readonly row: Row) {}

  /** `canonicalValue(type, row[source])`, or what it threw. */
  value(source: string, type: ColumnType): MappedValue {
    let cache = this.byType.get(type);
    if (!cache) this.byType.set(type, (cache = new Map()));
    let hit = cache.get(source);
    if (!hit) {
      const raw = this.row[source];
      hit = type === "date" && isPlainDate(raw) ? { value: raw } : attempt(() => canonicalValue(type, raw));
      cache.set(source, hit);
    }
    return hit;
  }

  /**
   * A mapping entry's canonical value (transforms included), or what it threw. An entry without
   * transforms is the plain {@link value} of its column.
   */
  mapped(spec: MappingSpec): MappedValue {
    if (!hasTransforms(spec)) return this.value(spec.source, spec.type);
    let hit = this.bySpec.get(spec);
    if (!hit) this.bySpec.set(spec, (hit = attempt(() => mappedCanonical(spec, this.row))));
    return hit;
  }
}
