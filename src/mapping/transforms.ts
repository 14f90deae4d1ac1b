import type { ColumnMapping, ColumnTransform, ColumnType } from "../config/index.js";
import { canonicalValue, ValueError, type Canonical } from "./values.js";

/** What {@link mappedCanonical} needs of a mapping entry (a config `columns[]` entry, or a resolved column). */
export interface MappingSpec {
  source: string;
  type: ColumnType;
  transform?: ColumnTransform | undefined;
  defaultCountry?: string | undefined;
}

/**
 * The source columns a mapping entry reads: `source` and, with `transform.join`, the joined columns.
 * The sync must select all of them from the source table.
 *
 * @example mappingSourceColumns({ source: "START", transform: { join: { columns: ["END"] } } }) // ["START", "END"]
 */
export function mappingSourceColumns(entry: Pick<MappingSpec, "source" | "transform">): string[] {
  return [...new Set([entry.source, ...(entry.transform?.join?.columns ?? [])])];
}

const isEmptyValue = (v: unknown) =>
  v === null || v === undefined || (typeof v === "string" && v.trim() === "");

/** A source value as text for `join` and `map`: dates as `YYYY-MM-DD` (or ISO with time), numbers as written. */
function partText(raw: unknown): string {
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) throw new ValueError("invalid date", raw);
    const iso = raw.toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.slice(0, 19);
  }
  if (typeof raw === "string") return raw.trim();
  if (typeof raw === "number" || typeof raw === "bigint" || typeof raw === "boolean") return String(raw);
  if (Buffer.isBuffer(raw)) throw new ValueError("binary values cannot be joined", "<binary>");
  throw new ValueError(`a ${typeof raw} value cannot be joined`, raw);
}

/**
 * The raw value of a mapping entry after its transforms (before mapping by column type):
 * `join`, then `map`, then `default`. Throws {@link ValueError}.
 */
export function transformedValue(
  entry: Pick<MappingSpec, "source" | "transform">,
  row: Readonly<Record<string, unknown>>,
): unknown {
  const t = entry.transform;
  let value: unknown = row[entry.source];
  if (t?.join) {
    const parts = [entry.source, ...t.join.columns]
      .map((c) => row[c])
      .filter((v) => !isEmptyValue(v))
      .map(partText);
    value = parts.length ? parts.join(t.join.separator ?? " ") : null;
  }
  if (t?.map && !isEmptyValue(value)) {
    const key = partText(value);
    if (Object.hasOwn(t.map, key)) value = t.map[key];
  }
  if (t?.default !== undefined && isEmptyValue(value)) value = t.default;
  return value;
}

/** Applies `dateFormat` to a canonical date (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`). */
function formatDate(value: Canonical, format: ColumnTransform["dateFormat"]): Canonical {
  if (value === null || format === undefined) return value;
  if (format === "date") return value.slice(0, 10);
  return value.length === 10 ? `${value}T00:00:00` : value;
}

/**
 * The canonical value of one mapped column of a source row: transforms, then the column type's mapper.
 * `buildSnapshot` and the data-quality validators both use it, so they accept and reject alike.
 * Throws {@link ValueError}.
 *
 * @example mappedCanonical({ source: "CC", type: "country", transform: { map: { USA: "US" } } }, { CC: "USA" }) // "US"
 */
export function mappedCanonical(spec: MappingSpec, row: Readonly<Record<string, unknown>>): Canonical {
  const raw = transformedValue(spec, row);
  const options = spec.defaultCountry !== undefined ? { defaultCountry: spec.defaultCountry } : {};
  const value = canonicalValue(spec.type, raw, options);
  return spec.type === "date" ? formatDate(value, spec.transform?.dateFormat) : value;
}

/** Whether a mapping entry needs more than `canonicalValue(type, row[source])`. */
export function hasTransforms(spec: Pick<MappingSpec, "transform" | "defaultCountry">): boolean {
  return spec.transform !== undefined || spec.defaultCountry !== undefined;
}

/**
 * The config entry behind each resolved column of a board (`resolveBoard` keeps the config's order),
 * so its transforms can be applied. Falls back to the resolved column when the two disagree.
 */
export function mappingSpecs(board: MappedBoard): MappingSpec[] {
  let specs = specsOf.get(board);
  if (!specs) specsOf.set(board, (specs = specsFor(board)));
  return specs;
}

type MappedBoard = {
  config: { columns: readonly ColumnMapping[] };
  columns: readonly { source: string; type: ColumnType }[];
};

/**
 * One list of entries per board, so detect and validation hand `MappedRow` the same entry objects and
 * it maps each transformed column once.
 */
const specsOf = new WeakMap<MappedBoard, MappingSpec[]>();

function specsFor(board: MappedBoard): MappingSpec[] {
  return board.columns.map((column, i) => {
    const entry = board.config.columns[i];
    if (!entry || entry.source !== column.source) return { source: column.source, type: column.type };
    return {
      source: column.source,
      type: column.type,
      transform: entry.transform,
      defaultCountry: entry.defaultCountry,
    };
  });
}
