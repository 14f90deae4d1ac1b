/**
 * Reading status and dropdown labels out of a column's settings, in every shape monday has documented.
 *
 * - Status, API 2025-10+ `settings` (changelog "Deprecating settings_str field on columns"):
 *   `{"labels":[{"id":0,"color":0,"label":"Working on it","index":0,"is_done":false,"is_deactivated":false}, ...]}`.
 *   `id` is the value id (what `{"index":N}` writes and the item's value holds), `index` the display position.
 * - Status, legacy `settings_str` (an object, or the JSON string itself):
 *   `{"labels":{"0":"Working on it","1":"Done"},"labels_positions_v2":{"0":0,"1":2}}`, keys being value ids.
 * - Dropdown: an array of `{id, name}` (legacy and, per API-FACTS, the 2025-10 `settings`). API-FACTS marks the
 *   2025-10 dropdown shape as uncertain, so every documented variant is read: `name` or `label` as the text,
 *   `id` as a number or a numeric string, an optional `index` and `is_deactivated`, and the legacy object form.
 */

/** One label of a status or dropdown column. */
export interface ColumnLabel {
  /** The label's text, what `{"label":"..."}` / `{"labels":[...]}` writes. */
  label: string;
  /** The value id: what `{"index":N}` (status) or `{"ids":[N]}` (dropdown) writes and the item's value holds. */
  id: number;
  /** The display position on the board; it can differ from `id` (a label created later shown earlier). */
  index: number;
  /** A deactivated label stays in the settings for old values, but a write of it fails. */
  deactivated: boolean;
}

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function wholeNumber(v: unknown): number | undefined {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) ? n : undefined;
}

/** One array entry: `{id, label|name, index?, is_deactivated?}`, or a bare string (its position as id). */
function arrayLabel(entry: unknown, position: number): ColumnLabel | undefined {
  if (typeof entry === "string") return { label: entry, id: position, index: position, deactivated: false };
  if (!isRecord(entry)) return undefined;
  const text = typeof entry.label === "string" ? entry.label : entry.name;
  const id = wholeNumber(entry.id);
  if (typeof text !== "string" || text === "" || id === undefined) return undefined;
  return {
    label: text,
    id,
    index: wholeNumber(entry.index) ?? position,
    deactivated: entry.is_deactivated === true,
  };
}

/** The legacy object `{"0":"Working on it"}`, display positions from `labels_positions_v2` when present. */
function legacyLabels(labels: Json, positions: unknown): ColumnLabel[] {
  const at = isRecord(positions) ? positions : {};
  return Object.entries(labels).flatMap(([key, text], position) => {
    const id = wholeNumber(key);
    if (id === undefined || typeof text !== "string" || text === "") return [];
    return [{ label: text, id, index: wholeNumber(at[key]) ?? position, deactivated: false }];
  });
}

/**
 * Every label of a status or dropdown column's settings (any documented shape; a JSON string is parsed),
 * deactivated ones included, in display order.
 *
 * @example readColumnLabels({ labels: [{ id: 1, label: "Done", index: 2 }, { id: 2, label: "Stuck", index: 1 }] })
 *   // → [{ label: "Stuck", id: 2, index: 1, deactivated: false }, { label: "Done", id: 1, index: 2, ... }]
 */
export function readColumnLabels(settings: unknown): ColumnLabel[] {
  const parsed = typeof settings === "string" ? parseJson(settings) : settings;
  if (!isRecord(parsed)) return [];
  const { labels } = parsed;
  const found = Array.isArray(labels)
    ? labels.flatMap((entry, position) => arrayLabel(entry, position) ?? [])
    : isRecord(labels)
      ? legacyLabels(labels, parsed.labels_positions_v2)
      : [];
  return found.sort((a, b) => a.index - b.index || a.id - b.id);
}

/** The texts a write may use (deactivated labels left out), in display order. */
export function columnLabels(settings: unknown): string[] {
  return writableLabels(readColumnLabels(settings)).map((l) => l.label);
}

/** The labels a write may use: deactivated ones fail on monday. */
export function writableLabels(labels: readonly ColumnLabel[]): ColumnLabel[] {
  return labels.filter((l) => !l.deactivated);
}
