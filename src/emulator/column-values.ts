import { ColumnValueError, InvalidUserIdError } from "./errors.js";
import { legacyColumnType } from "./legacy-types.js";
import type { ColumnRecord, MondayColumnType, StoredValue } from "./records.js";
import {
  appendStatusLabel,
  initialStatusSettings,
  legacyStatusSettings,
  statusLabelsOf,
  statusSettingsFromDefaults,
  type StatusLabel,
} from "./status-labels.js";

/** What a column-type handler sees when a value is written. */
export interface WriteContext {
  column: ColumnRecord;
  /** A draft of the column's settings: handlers may add labels to it; it is kept only if the whole write succeeds. */
  settings: Record<string, unknown>;
  /** `create_labels_if_missing: true` was given. */
  createLabels: boolean;
  /** ISO timestamp used for `changed_at`. */
  now: string;
  /** Who a person id names: a user, `null` for an unknown id, `undefined` when any id is accepted. */
  person?: PersonLookup;
}

/** The account's users as a people column sees them (see `UserDirectory.person`). */
export type PersonLookup = (id: number) => { name: string } | null | undefined;

/** How one column type is written and read. */
export interface ColumnTypeHandler {
  /** The `ColumnValue` implementation monday returns for the type. */
  graphqlType: string;
  /** `text` of an empty column: `null` for status and dropdown, `""` for most others (monday 2023-10+). */
  emptyText: "" | null;
  /** Parses a written value into what monday stores, or `null` to clear the column. Throws `ColumnValueError`. */
  write(input: unknown, ctx: WriteContext): StoredValue | null;
  /** Settings of a new column of this type (status and dropdown get labels). */
  initialSettings?(labels: readonly string[] | undefined): Record<string, unknown>;
  /** Settings from `create_column`'s `defaults` (`undefined`: the type's own defaults). */
  settingsFromDefaults?(defaults: Record<string, unknown>): Record<string, unknown> | undefined;
  /** The deprecated `settings_str` shape, when it differs from `settings`. */
  legacySettings?(settings: Record<string, unknown>): Record<string, unknown>;
}

/** monday allows at most 40 status labels. */
export const MAX_STATUS_LABELS = 40;
/** monday caps long text at 2,000 characters (the emulator's own copy of `src/monday/limits.ts`: it imports no product code). */
export const MAX_LONG_TEXT = 2000;

function reject(ctx: WriteContext, message: string): never {
  throw new ColumnValueError(message, legacyColumnType(ctx.column.type), ctx.column.id);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stored(value: Record<string, unknown> | string, text: string): StoredValue {
  return { value: JSON.stringify(value), text };
}

/** A plain string or number written to a column that takes one (text, numbers). */
function scalarString(input: unknown, ctx: WriteContext, key?: string): string {
  const v = isRecord(input) && key !== undefined && key in input ? input[key] : input;
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return reject(ctx, `invalid value - expected a string for a ${ctx.column.type} column`);
}

function writeText(input: unknown, ctx: WriteContext): StoredValue | null {
  const text = scalarString(input, ctx, "text");
  return text === "" ? null : stored(text, text);
}

function writeLongText(input: unknown, ctx: WriteContext): StoredValue | null {
  const text = scalarString(input, ctx, "text");
  if (text === "") return null;
  if (text.length > MAX_LONG_TEXT)
    reject(ctx, `invalid value - long text is limited to ${MAX_LONG_TEXT} characters`);
  return stored({ text, changed_at: ctx.now }, text);
}

const NUMBER_PATTERN = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function writeNumbers(input: unknown, ctx: WriteContext): StoredValue | null {
  const raw = scalarString(input, ctx).trim();
  if (raw === "") return null;
  if (!NUMBER_PATTERN.test(raw) || !Number.isFinite(Number(raw)))
    reject(ctx, `invalid value - "${raw}" is not a number`);
  return stored(raw, raw);
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

function validDate(date: string): boolean {
  const m = DATE_PATTERN.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const parsed = new Date(Date.UTC(y, mo - 1, d));
  return parsed.getUTCFullYear() === y && parsed.getUTCMonth() === mo - 1 && parsed.getUTCDate() === d;
}

function normalizeTime(time: string, ctx: WriteContext): string {
  const m = TIME_PATTERN.exec(time.trim());
  const [h, mi, s] = m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [NaN, NaN, NaN];
  if (!(h <= 23 && mi <= 59 && s <= 59)) reject(ctx, `invalid value - "${time}" is not a valid time`);
  return [h, mi, s].map((n) => String(n).padStart(2, "0")).join(":");
}

function dateParts(input: unknown, ctx: WriteContext): { date: string; time: string | null } {
  if (typeof input === "string") {
    const [date = "", time] = input.trim().split(/[ T]/, 2);
    return { date, time: time ?? null };
  }
  if (isRecord(input) && typeof input.date === "string") {
    const time = input.time;
    if (time !== undefined && time !== null && typeof time !== "string")
      reject(ctx, "invalid value - time must be a string");
    return { date: input.date, time: time ?? null };
  }
  return reject(ctx, 'invalid value - a date column takes {"date":"YYYY-MM-DD","time":"HH:MM:SS"}');
}

function writeDate(input: unknown, ctx: WriteContext): StoredValue | null {
  const parts = dateParts(input, ctx);
  if (parts.date === "") return null;
  if (!validDate(parts.date)) reject(ctx, `invalid value - "${parts.date}" is not a valid date (YYYY-MM-DD)`);
  if (parts.time === null || parts.time === "") {
    return stored({ date: parts.date, icon: null, changed_at: ctx.now }, parts.date);
  }
  const time = normalizeTime(parts.time, ctx);
  return stored(
    { date: parts.date, time, icon: null, changed_at: ctx.now },
    `${parts.date} ${time.slice(0, 5)}`,
  );
}

/** The writable (not deactivated) label of the column with this text or value id. */
function liveStatusLabel(ctx: WriteContext, match: (l: StatusLabel) => boolean): StatusLabel | undefined {
  const found = statusLabelsOf(ctx.settings).find(match);
  if (found?.is_deactivated) reject(ctx, `invalid value - label "${found.label}" is deactivated`);
  return found;
}

function statusLabelByText(text: string, ctx: WriteContext): StatusLabel {
  const found = liveStatusLabel(ctx, (l) => l.label === text);
  if (found) return found;
  if (!ctx.createLabels) reject(ctx, "invalid value - label does not exist in column");
  if (statusLabelsOf(ctx.settings).length >= MAX_STATUS_LABELS)
    reject(ctx, `invalid value - a status column holds at most ${MAX_STATUS_LABELS} labels`);
  return appendStatusLabel(ctx.settings, text);
}

/** `{"index":N}` names the label by its value id (`id` in the settings), never by its display position. */
function statusLabelById(id: number, ctx: WriteContext): StatusLabel {
  const found = liveStatusLabel(ctx, (l) => l.id === id);
  if (!found) return reject(ctx, `invalid value - label index ${id} does not exist in column`);
  return found;
}

function statusLabel(input: unknown, ctx: WriteContext): StatusLabel | null {
  if (typeof input === "string") return input === "" ? null : statusLabelByText(input, ctx);
  if (typeof input === "number") return statusLabelById(input, ctx);
  if (isRecord(input) && typeof input.label === "string")
    return input.label === "" ? null : statusLabelByText(input.label, ctx);
  if (isRecord(input) && (typeof input.index === "number" || typeof input.index === "string"))
    return statusLabelById(Number(input.index), ctx);
  return reject(ctx, 'invalid value - a status column takes {"label":"..."} or {"index":N}');
}

function writeStatus(input: unknown, ctx: WriteContext): StoredValue | null {
  const label = statusLabel(input, ctx);
  if (label === null) return null;
  return stored({ index: label.id, post_id: null, changed_at: ctx.now }, label.label);
}

interface DropdownLabel {
  id: number;
  name: string;
}

function dropdownLabels(settings: Record<string, unknown>): DropdownLabel[] {
  if (!Array.isArray(settings.labels)) settings.labels = [];
  return settings.labels as DropdownLabel[];
}

function dropdownIdForLabel(name: string, ctx: WriteContext): number {
  const labels = dropdownLabels(ctx.settings);
  const found = labels.find((l) => l.name === name);
  if (found) return found.id;
  if (!ctx.createLabels) reject(ctx, `invalid value - dropdown label "${name}" does not exist in column`);
  const id = labels.reduce((max, l) => Math.max(max, l.id), 0) + 1;
  labels.push({ id, name });
  return id;
}

function dropdownIds(input: unknown, ctx: WriteContext): number[] {
  if (typeof input === "string") {
    const names = input
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    return names.map((n) => dropdownIdForLabel(n, ctx));
  }
  if (!isRecord(input))
    return reject(ctx, 'invalid value - a dropdown column takes {"labels":[...]} or {"ids":[...]}');
  if (input.labels !== undefined && input.ids !== undefined)
    reject(ctx, "invalid value - dropdown ids and labels cannot be mixed");
  const list = input.labels ?? input.ids;
  if (!Array.isArray(list))
    return reject(ctx, 'invalid value - a dropdown column takes {"labels":[...]} or {"ids":[...]}');
  if (input.labels !== undefined) return list.map((n) => dropdownIdForLabel(String(n), ctx));
  return list.map((id) => {
    const n = Number(id);
    if (!dropdownLabels(ctx.settings).some((l) => l.id === n))
      reject(ctx, `invalid value - dropdown id ${String(id)} does not exist`);
    return n;
  });
}

function writeDropdown(input: unknown, ctx: WriteContext): StoredValue | null {
  const ids = [...new Set(dropdownIds(input, ctx))];
  if (ids.length === 0) return null;
  const labels = dropdownLabels(ctx.settings);
  const text = ids.map((id) => labels.find((l) => l.id === id)?.name ?? "").join(", ");
  return stored({ ids }, text);
}

const TRUE_VALUES = new Set([true, "true", 1, "1", "v"]);

function writeCheckbox(input: unknown, ctx: WriteContext): StoredValue | null {
  const checked = isRecord(input) ? input.checked : input;
  if (!TRUE_VALUES.has(checked as never)) return null;
  return stored({ checked: "true", changed_at: ctx.now }, "v");
}

/**
 * email / link: `{email|url, text}` or `"address display text"`. The `text` monday returns is the display
 * text for an email (the address when there is none) and `"url - text"` for a link (the url alone when
 * the text is the url or missing).
 */
function addressWriter(key: "email" | "url", valid: RegExp) {
  return (input: unknown, ctx: WriteContext): StoredValue | null => {
    let address: unknown;
    let label: unknown;
    if (typeof input === "string") [address, label] = input.trim().split(/\s+(.*)/s, 2);
    else if (isRecord(input)) [address, label] = [input[key], input.text];
    if (typeof address !== "string")
      return reject(ctx, `invalid value - expected {"${key}":"...","text":"..."}`);
    if (address === "") return null;
    if (!valid.test(address)) reject(ctx, `invalid value - "${address}" is not a valid ${key}`);
    const text = typeof label === "string" && label !== "" ? label : address;
    return stored(
      { [key]: address, text, changed_at: ctx.now },
      key === "email" || text === address ? text : `${address} - ${text}`,
    );
  };
}

function writePhone(input: unknown, ctx: WriteContext): StoredValue | null {
  let phone: unknown;
  let country: unknown;
  if (typeof input === "string")
    [, phone, country] = /^(.*?)(?:\s+([A-Za-z]{2}))?$/s.exec(input.trim()) ?? [];
  else if (isRecord(input)) [phone, country] = [input.phone, input.countryShortName];
  if (typeof phone !== "string")
    return reject(ctx, 'invalid value - expected {"phone":"...","countryShortName":"US"}');
  if (phone === "") return null;
  if (!/^\+?[\d\s().-]{3,}$/.test(phone))
    reject(ctx, `invalid value - "${phone}" is not a valid phone number`);
  const countryShortName = typeof country === "string" ? country.toUpperCase() : "";
  return stored({ phone, countryShortName, changed_at: ctx.now }, phone);
}

function wholeNumber(v: unknown): number | undefined {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) ? n : undefined;
}

/**
 * people: `{"personsAndTeams":[{"id":1,"kind":"person"}]}`; text = the users' names (an id the open directory
 * does not know, and a team, show as their id). A person the account does not have: `InvalidUserIdException`.
 */
function writePeople(input: unknown, ctx: WriteContext): StoredValue | null {
  const list = isRecord(input) ? input.personsAndTeams : undefined;
  if (!Array.isArray(list))
    return reject(
      ctx,
      'invalid value - a people column takes {"personsAndTeams":[{"id":1,"kind":"person"}]}',
    );
  const entries = list.map((p: unknown) => {
    const id = isRecord(p) ? wholeNumber(p.id) : undefined;
    const kind = isRecord(p) ? p.kind : undefined;
    if (id === undefined || id <= 0 || (kind !== "person" && kind !== "team"))
      reject(ctx, `invalid value - ${JSON.stringify(p)} is not {"id":N,"kind":"person"|"team"}`);
    return { id, kind };
  });
  if (entries.length === 0) return null;
  const names = entries.map((e) => (e.kind === "person" ? personName(e.id as number, ctx) : String(e.id)));
  return stored({ personsAndTeams: entries, changed_at: ctx.now }, names.join(", "));
}

function personName(id: number, ctx: WriteContext): string {
  const user = ctx.person?.(id);
  if (user === null) throw new InvalidUserIdError(id);
  return user?.name ?? String(id);
}

/** timeline: `{"from":"2026-01-01","to":"2026-02-01"}`; text `"2026-01-01 - 2026-02-01"`. */
function writeTimeline(input: unknown, ctx: WriteContext): StoredValue | null {
  const [from, to] = isRecord(input) ? [input.from, input.to] : [undefined, undefined];
  if (typeof from !== "string" || typeof to !== "string")
    return reject(ctx, 'invalid value - a timeline column takes {"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}');
  if (!validDate(from) || !validDate(to) || from > to)
    reject(ctx, `invalid value - "${from}" to "${to}" is not a valid timeline`);
  return stored({ from, to, changed_at: ctx.now }, `${from} - ${to}`);
}

/** hour: `{"hour":16,"minute":42}`; text `"16:42"`. */
function writeHour(input: unknown, ctx: WriteContext): StoredValue | null {
  const [hour, minute] = isRecord(input) ? [wholeNumber(input.hour), wholeNumber(input.minute)] : [];
  if (hour === undefined || minute === undefined || hour < 0 || hour > 23 || minute < 0 || minute > 59)
    return reject(ctx, 'invalid value - an hour column takes {"hour":0-23,"minute":0-59}');
  const pad = (n: number) => String(n).padStart(2, "0");
  return stored({ hour, minute, changed_at: ctx.now }, `${pad(hour)}:${pad(minute)}`);
}

const REGION_NAMES = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });

/** country: `{"countryCode":"US","countryName":"United States"}`; text = the country name. */
function writeCountry(input: unknown, ctx: WriteContext): StoredValue | null {
  const code = isRecord(input) ? input.countryCode : undefined;
  const name = isRecord(input) ? input.countryName : undefined;
  if (typeof code !== "string" || typeof name !== "string")
    return reject(
      ctx,
      'invalid value - a country column takes {"countryCode":"US","countryName":"United States"}',
    );
  let known: string | undefined;
  try {
    known = /^[A-Z]{2}$/.test(code) ? REGION_NAMES.of(code) : undefined;
  } catch {
    known = undefined;
  }
  if (known === undefined || known === code) reject(ctx, `invalid value - "${code}" is not a country code`);
  return stored({ countryCode: code, countryName: name, changed_at: ctx.now }, name);
}

/** rating: `{"rating":5}` (1–5, monday's default scale); text `"5"`. */
function writeRating(input: unknown, ctx: WriteContext): StoredValue | null {
  const rating = isRecord(input) ? wholeNumber(input.rating) : undefined;
  if (rating === undefined || rating < 0 || rating > 5)
    return reject(ctx, 'invalid value - a rating column takes {"rating":1-5}');
  if (rating === 0) return null;
  return stored({ rating, changed_at: ctx.now }, String(rating));
}

/** tags: `{"tag_ids":[1,2]}` (the emulator keeps no tag names, so the text is the ids). */
function writeTags(input: unknown, ctx: WriteContext): StoredValue | null {
  const list = isRecord(input) ? input.tag_ids : undefined;
  const ids = Array.isArray(list) ? list.map(wholeNumber) : [undefined];
  if (ids.some((id) => id === undefined || id <= 0))
    return reject(ctx, 'invalid value - a tags column takes {"tag_ids":[1,2]}');
  if (ids.length === 0) return null;
  return stored({ tag_ids: ids, changed_at: ctx.now }, ids.join(", "));
}

/** Any other writable type: monday stores the JSON object as given (with `changed_at`); the text is not derived. */
function writePassthrough(input: unknown, ctx: WriteContext): StoredValue | null {
  if (!isRecord(input)) return reject(ctx, `invalid value - a ${ctx.column.type} column takes a JSON object`);
  return stored({ ...input, changed_at: ctx.now }, "");
}

function readOnly(input: unknown, ctx: WriteContext): never {
  return reject(ctx, `invalid value - ${ctx.column.type} columns cannot be written`);
}

function dropdownSettings(labels: readonly string[] | undefined): Record<string, unknown> {
  return { labels: (labels ?? []).map((name, i) => ({ id: i + 1, name })) };
}

/** Dropdown `defaults`: `{"labels":[{"id":1,"name":"A"}]}` or `{"labels":["A","B"]}` (ids from 1). */
function dropdownSettingsFromDefaults(
  defaults: Record<string, unknown>,
): Record<string, unknown> | undefined {
  if (!Array.isArray(defaults.labels)) return undefined;
  const labels = defaults.labels.flatMap((entry: unknown, i): DropdownLabel[] => {
    const spec = isRecord(entry) ? entry : { name: entry };
    const name = spec.name ?? spec.label;
    if (typeof name !== "string" || name === "") return [];
    return [{ id: wholeNumber(spec.id) ?? i + 1, name }];
  });
  return { labels };
}

const readOnlyHandler = (graphqlType: string): ColumnTypeHandler => ({
  graphqlType,
  emptyText: "",
  write: readOnly,
});

/** Column types and how monday writes and returns their values. */
export const COLUMN_TYPE_HANDLERS: Readonly<Record<string, ColumnTypeHandler>> = {
  text: { graphqlType: "TextValue", emptyText: "", write: writeText },
  long_text: { graphqlType: "LongTextValue", emptyText: "", write: writeLongText },
  numbers: { graphqlType: "NumbersValue", emptyText: "", write: writeNumbers },
  date: { graphqlType: "DateValue", emptyText: "", write: writeDate },
  status: {
    graphqlType: "StatusValue",
    emptyText: null,
    write: writeStatus,
    initialSettings: initialStatusSettings,
    legacySettings: (settings) => legacyStatusSettings(statusLabelsOf(settings)),
    settingsFromDefaults: statusSettingsFromDefaults,
  },
  dropdown: {
    graphqlType: "DropdownValue",
    emptyText: null,
    write: writeDropdown,
    initialSettings: dropdownSettings,
    settingsFromDefaults: dropdownSettingsFromDefaults,
  },
  checkbox: { graphqlType: "CheckboxValue", emptyText: "", write: writeCheckbox },
  email: {
    graphqlType: "EmailValue",
    emptyText: "",
    write: addressWriter("email", /^[^\s@]+@[^\s@]+\.[^\s@]+$/),
  },
  link: {
    graphqlType: "LinkValue",
    emptyText: "",
    write: addressWriter("url", /^[a-z][a-z0-9+.-]*:\/\/\S+$/i),
  },
  phone: { graphqlType: "PhoneValue", emptyText: "", write: writePhone },
  people: { graphqlType: "PeopleValue", emptyText: "", write: writePeople },
  timeline: { graphqlType: "TimelineValue", emptyText: "", write: writeTimeline },
  hour: { graphqlType: "HourValue", emptyText: "", write: writeHour },
  country: { graphqlType: "CountryValue", emptyText: "", write: writeCountry },
  rating: { graphqlType: "RatingValue", emptyText: "", write: writeRating },
  formula: readOnlyHandler("UnsupportedValue"),
  mirror: readOnlyHandler("UnsupportedValue"),
  auto_number: readOnlyHandler("UnsupportedValue"),
  item_id: readOnlyHandler("UnsupportedValue"),
  creation_log: readOnlyHandler("UnsupportedValue"),
  last_updated: readOnlyHandler("UnsupportedValue"),
  tags: { graphqlType: "TagsValue", emptyText: "", write: writeTags },
  subtasks: readOnlyHandler("SubtasksValue"),
};

const PASSTHROUGH: ColumnTypeHandler = {
  graphqlType: "UnsupportedValue",
  emptyText: "",
  write: writePassthrough,
};

/** The handler for a column type (types without their own rules store JSON objects as given). */
export function columnTypeHandler(type: MondayColumnType): ColumnTypeHandler {
  return COLUMN_TYPE_HANDLERS[type] ?? PASSTHROUGH;
}

/** Settings of a new column: status/dropdown labels, `{}` for the rest. */
export function initialColumnSettings(
  type: MondayColumnType,
  labels?: readonly string[],
): Record<string, unknown> {
  return columnTypeHandler(type).initialSettings?.(labels) ?? {};
}

/**
 * What `Column.settings_str` (deprecated since 2025-10) serves: the pre-2025-10 shape as a JSON string, e.g.
 * a status column's `{"labels":{"0":"Working on it"},"labels_positions_v2":{"0":0},"done_colors":[1]}`.
 */
export function legacyColumnSettings(column: ColumnRecord): string {
  const legacy = columnTypeHandler(column.type).legacySettings?.(column.settings) ?? column.settings;
  return JSON.stringify(legacy);
}

/**
 * Settings of a column created with `defaults` (a JSON object or string): status and dropdown labels in
 * any documented shape become the emulator's own; other keys are kept as given.
 */
export function columnSettingsFromDefaults(
  type: MondayColumnType,
  defaults: Record<string, unknown>,
): Record<string, unknown> {
  const own = columnTypeHandler(type).settingsFromDefaults?.(defaults);
  return { ...initialColumnSettings(type), ...defaults, ...own };
}

/** `null`, `""` and `{}` clear a column of any type. */
export function isClearingValue(input: unknown): boolean {
  return input === null || input === "" || (isRecord(input) && Object.keys(input).length === 0);
}

/**
 * Parses one written value for `column` and returns what monday would store (`null` = empty).
 *
 * @example writeColumnValue(statusColumn, { label: "Done" }, { createLabels: false, settings, now })
 *   // → { value: '{"index":1,"post_id":null,"changed_at":"..."}', text: "Done" }
 */
export function writeColumnValue(
  column: ColumnRecord,
  input: unknown,
  ctx: Omit<WriteContext, "column">,
): StoredValue | null {
  if (isClearingValue(input)) return null;
  return columnTypeHandler(column.type).write(input, { ...ctx, column });
}
