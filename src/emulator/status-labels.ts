/**
 * A status column's labels, held the way API 2025-10+ serves `Column.settings` (changelog "Deprecating
 * settings_str field on columns"): `{"labels":[{"id":0,"color":0,"label":"Working on it","index":0,
 * "is_done":false,"is_deactivated":false}, ...]}`. `id` is the value id, stable for the label's life (what
 * `{"index":N}` writes and the item's value holds); `index` is the display position, which moves when labels
 * are reordered; a deactivated label keeps its id for old values but cannot be written.
 */

/** One status label as `Column.settings` serves it. */
export interface StatusLabel {
  id: number;
  color: number;
  label: string;
  index: number;
  is_done: boolean;
  is_deactivated: boolean;
}

/**
 * The colours of the SDL's `StatusColumnColors`, in its order; the position is the `color` number of the
 * settings (monday does not document the numbering, so the emulator uses this one consistently).
 */
export const STATUS_COLORS = [
  "working_orange",
  "done_green",
  "stuck_red",
  "dark_blue",
  "purple",
  "explosive",
  "grass_green",
  "bright_blue",
  "saladish",
  "egg_yolk",
  "blackish",
  "dark_red",
  "sofia_pink",
  "lipstick",
  "dark_purple",
  "bright_green",
  "chili_blue",
  "american_gray",
  "brown",
  "dark_orange",
  "sunset",
  "bubble",
  "peach",
  "berry",
  "winter",
  "river",
  "navy",
  "aquamarine",
  "indigo",
  "dark_indigo",
  "pecan",
  "lavender",
  "royal",
  "steel",
  "orchid",
  "lilac",
  "tan",
  "sky",
  "coffee",
  "teal",
] as const;

/**
 * A new status column's labels when none are given: monday's defaults, where "Done" (id 1) is displayed
 * last, so display `index` and value `id` differ from the start (the changelog's own example).
 */
const DEFAULT_LABELS: readonly StatusLabel[] = [
  { id: 0, color: 0, label: "Working on it", index: 0, is_done: false, is_deactivated: false },
  { id: 1, color: 1, label: "Done", index: 2, is_done: true, is_deactivated: false },
  { id: 2, color: 2, label: "Stuck", index: 1, is_done: false, is_deactivated: false },
];

/** Settings of a new status column: the given labels with id = index = position, or monday's defaults. */
export function initialStatusSettings(labels: readonly string[] | undefined): { labels: StatusLabel[] } {
  if (!labels) return { labels: DEFAULT_LABELS.map((l) => ({ ...l })) };
  return {
    labels: labels.map((label, i) => ({
      id: i,
      color: i % STATUS_COLORS.length,
      label,
      index: i,
      is_done: false,
      is_deactivated: false,
    })),
  };
}

/** The labels array of a status column's settings (created empty on a column that has none). */
export function statusLabelsOf(settings: Record<string, unknown>): StatusLabel[] {
  if (!Array.isArray(settings.labels)) settings.labels = [];
  return settings.labels as StatusLabel[];
}

/** Appends a label (a new id, displayed last), as `create_labels_if_missing` does. */
export function appendStatusLabel(settings: Record<string, unknown>, label: string): StatusLabel {
  const labels = statusLabelsOf(settings);
  const next = (key: "id" | "index") => labels.reduce((max, l) => Math.max(max, l[key] + 1), 0);
  const created: StatusLabel = {
    id: next("id"),
    color: next("id") % STATUS_COLORS.length,
    label,
    index: next("index"),
    is_done: false,
    is_deactivated: false,
  };
  labels.push(created);
  return created;
}

/**
 * The deprecated `Column.settings_str` of a status column: the pre-2025-10 shape, keyed by value id, with
 * display positions in `labels_positions_v2` and the done labels in `done_colors`.
 */
export function legacyStatusSettings(labels: readonly StatusLabel[]): Record<string, unknown> {
  const live = labels.filter((l) => !l.is_deactivated);
  return {
    labels: Object.fromEntries(live.map((l) => [String(l.id), l.label])),
    labels_positions_v2: Object.fromEntries(live.map((l) => [String(l.id), l.index])),
    done_colors: live.filter((l) => l.is_done).map((l) => l.id),
  };
}

/** One label of `update_status_column`'s `settings.labels` (SDL `UpdateStatusLabelInput`). */
export interface StatusLabelInput {
  label: string;
  color: string;
  index: number;
  is_done?: boolean | null;
  id?: number | null;
  is_deactivated?: boolean | null;
}

/**
 * The labels after `update_status_column`: entries with an `id` update that label (its text, colour, display
 * position, done and deactivated flags), entries without one create a label with a new id; labels left out
 * keep their values, as ids must stay valid for the items that hold them.
 */
export function updateStatusLabels(
  current: readonly StatusLabel[],
  inputs: readonly StatusLabelInput[],
): StatusLabel[] {
  const labels = current.map((l) => ({ ...l }));
  let nextId = labels.reduce((max, l) => Math.max(max, l.id + 1), 0);
  for (const input of inputs) {
    const id = input.id ?? nextId;
    nextId = Math.max(nextId, id + 1);
    const existing = labels.find((l) => l.id === id);
    const target = existing ?? { id, is_done: false, is_deactivated: false };
    const updated: StatusLabel = {
      ...target,
      label: input.label,
      color: Math.max(0, STATUS_COLORS.indexOf(input.color as (typeof STATUS_COLORS)[number])),
      index: input.index,
      is_done: input.is_done ?? target.is_done,
      is_deactivated: input.is_deactivated ?? target.is_deactivated,
    };
    if (existing) Object.assign(existing, updated);
    else labels.push(updated);
  }
  return labels;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function colorNumber(color: unknown, fallback: number): number {
  if (typeof color === "number" && Number.isInteger(color)) return color;
  const named = STATUS_COLORS.indexOf(color as (typeof STATUS_COLORS)[number]);
  return named >= 0 ? named : fallback % STATUS_COLORS.length;
}

/** One `defaults.labels` entry: a text, or `{label, color?, index?, id?, is_done?}` (CreateStatusLabelInput). */
function defaultLabel(entry: unknown, position: number): StatusLabel | undefined {
  const spec = isRecord(entry) ? entry : { label: entry };
  const text = spec.label ?? spec.name;
  if (typeof text !== "string" || text === "") return undefined;
  const id = typeof spec.id === "number" ? spec.id : position;
  return {
    id,
    color: colorNumber(spec.color, id),
    label: text,
    index: typeof spec.index === "number" ? spec.index : position,
    is_done: spec.is_done === true,
    is_deactivated: false,
  };
}

/**
 * A status column's settings from `create_column`'s `defaults`: the documented legacy form
 * `{"labels":{"1":"Technology","2":"Marketing"}}` (keys are value ids) or the 2025-10 array of
 * `{label, color, index}`; `undefined` when `defaults` names no labels (monday's defaults apply).
 */
export function statusSettingsFromDefaults(
  defaults: Record<string, unknown>,
): { labels: StatusLabel[] } | undefined {
  const { labels } = defaults;
  if (Array.isArray(labels)) return { labels: labels.flatMap((l, i) => defaultLabel(l, i) ?? []) };
  if (!isRecord(labels)) return undefined;
  return {
    labels: Object.entries(labels).flatMap(
      ([key, text], position) =>
        defaultLabel({ id: Number(key), label: text, index: position }, position) ?? [],
    ),
  };
}
