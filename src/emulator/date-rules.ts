// `query_params` rules on date columns: they compare dates, not display text
// (https://developer.monday.com/api-reference/docs/date, "Filter"). Compare values are dates ("2026-06-15",
// or "EXACT" followed by one) and the documented relative values (TODAY, ONE_WEEK_AGO, PAST_DATETIME, ...),
// all resolved against the emulator's clock in UTC (monday uses the calling user's time zone; the emulated
// users are all on UTC) with weeks starting on Monday (the emulated account's first day of the week).
import { InvalidArgumentError } from "./errors.js";
import type { ItemRecord } from "./records.js";

/** An inclusive span of moments, as sortable `YYYY-MM-DDTHH:MM:SS` strings. */
interface Span {
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
const EARLIEST = "0000-01-01T00:00:00";
const LATEST = "9999-12-31T23:59:59";
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A cell without its date, for `any_of ["$$$blank$$$"]`. */
const BLANK = "$$$blank$$$";

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const daySpan = (from: string, to = from): Span => ({ from: `${from}T00:00:00`, to: `${to}T23:59:59` });

/** Monday 00:00 UTC of the week holding `ms`. */
function weekStart(ms: number): number {
  const day = new Date(ms).getUTCDay();
  return Date.UTC(...ymd(ms)) - ((day + 6) % 7) * DAY_MS;
}

function ymd(ms: number): [number, number, number] {
  const d = new Date(ms);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
}

function weekSpan(now: number, weeks: number): Span {
  const start = weekStart(now) + weeks * 7 * DAY_MS;
  return daySpan(dayOf(start), dayOf(start + 6 * DAY_MS));
}

function monthSpan(now: number, months: number): Span {
  const [year, month] = ymd(now);
  return daySpan(dayOf(Date.UTC(year, month + months, 1)), dayOf(Date.UTC(year, month + months + 1, 0)));
}

/**
 * The relative compare values monday documents for date columns, as the span each stands for.
 * ONE_WEEK_AGO / ONE_MONTH_AGO (and _FROM_NOW) are read as the previous (next) calendar week or month, as
 * monday's board filters "last week" / "next month" show them; the API docs do not say it in so many words.
 */
const RELATIVE_SPANS: Readonly<Record<string, (now: number, moment: string) => Span>> = {
  TODAY: (now) => daySpan(dayOf(now)),
  TOMORROW: (now) => daySpan(dayOf(now + DAY_MS)),
  YESTERDAY: (now) => daySpan(dayOf(now - DAY_MS)),
  THIS_WEEK: (now) => weekSpan(now, 0),
  ONE_WEEK_AGO: (now) => weekSpan(now, -1),
  ONE_WEEK_FROM_NOW: (now) => weekSpan(now, 1),
  THIS_MONTH: (now) => monthSpan(now, 0),
  ONE_MONTH_AGO: (now) => monthSpan(now, -1),
  ONE_MONTH_FROM_NOW: (now) => monthSpan(now, 1),
  PAST_DATETIME: (_now, moment) => ({ from: EARLIEST, to: moment }),
  FUTURE_DATETIME: (_now, moment) => ({ from: moment, to: LATEST }),
};

/**
 * Documented values that depend on a linked status column (done or not); the emulator keeps no such link,
 * so it refuses them rather than answer something monday would not.
 */
const STATUS_LINKED = new Set(["UPCOMING", "OVERDUE", "DONE_ON_TIME", "DONE_OVERDUE"]);

/** What a date rule compares: the cell's moment (`undefined` when empty) against the rule's spans. */
type DateTest = (moment: string | undefined, spans: readonly Span[], blank: boolean) => boolean;

const inSpan = (moment: string, span: Span) => moment >= span.from && moment <= span.to;
const anyOfDates: DateTest = (m, spans, blank) =>
  m === undefined ? blank : spans.some((span) => inSpan(m, span));

/** The operators monday documents for date columns; a value compares with the span it stands for. */
const DATE_OPERATORS: Readonly<Record<string, DateTest>> = {
  any_of: anyOfDates,
  not_any_of: (m, spans, blank) => !anyOfDates(m, spans, blank),
  is_empty: (m) => m === undefined,
  is_not_empty: (m) => m !== undefined,
  greater_than: (m, [span]) => m !== undefined && span !== undefined && m > span.to,
  greater_than_or_equals: (m, [span]) => m !== undefined && span !== undefined && m >= span.from,
  lower_than: (m, [span]) => m !== undefined && span !== undefined && m < span.from,
  lower_than_or_equal: (m, [span]) => m !== undefined && span !== undefined && m <= span.to,
  between: (m, [first, last]) =>
    m !== undefined && first !== undefined && last !== undefined && m >= first.from && m <= last.to,
};

/** An `ItemsQueryRuleOperator` the column's type does not take (or the emulator does not implement). */
export function unsupportedOperator(operator: string, columnId: string): InvalidArgumentError {
  return new InvalidArgumentError(`The operator ${operator} is not supported for column ${columnId}`, {
    operator,
    column_id: columnId,
  });
}

/** A date cell as a moment: its date, at its time when it has one (UTC), else at 00:00. */
function momentOf(item: ItemRecord, columnId: string): string | undefined {
  const raw = item.values.get(columnId)?.value;
  if (!raw) return undefined;
  const { date, time } = JSON.parse(raw) as { date?: unknown; time?: unknown };
  if (typeof date !== "string" || !DATE.test(date)) return undefined;
  return `${date}T${typeof time === "string" && time !== "" ? time : "00:00:00"}`;
}

function refuse(message: string, columnId: string, value: string): never {
  throw new InvalidArgumentError(message, { column_id: columnId, compare_value: value });
}

/** The spans a rule's compare values stand for (`"EXACT"` marks the date after it), and whether it asks for blanks. */
function spansOf(columnId: string, values: readonly string[], now: number) {
  const moment = new Date(now).toISOString().slice(0, 19);
  const spans: Span[] = [];
  let blank = false;
  for (const value of values) {
    const upper = value.toUpperCase();
    if (upper === "EXACT") continue;
    if (value === BLANK) blank = true;
    else if (DATE.test(value)) spans.push(daySpan(value));
    else if (RELATIVE_SPANS[upper]) spans.push(RELATIVE_SPANS[upper](now, moment));
    else if (STATUS_LINKED.has(upper))
      refuse(
        `The compare value ${value} needs a linked status column, which the emulator does not keep`,
        columnId,
        value,
      );
    else refuse(`The compare value ${value} is not a date or a relative date value`, columnId, value);
  }
  return { spans, blank };
}

/**
 * The test of one rule on a date column, resolved once against `today` (the emulator's ISO time): e.g.
 * `lower_than ["TODAY"]` keeps dates before today, `any_of ["EXACT", "2026-06-15"]` that day.
 * An operator monday does not document for dates (`contains_text`, `within_the_next`, ...) is refused.
 */
export function relativeDateRule(
  columnId: string,
  operator: string,
  values: readonly string[],
  today: string,
): (item: ItemRecord) => boolean {
  const test = DATE_OPERATORS[operator];
  if (!test) throw unsupportedOperator(operator, columnId);
  const { spans, blank } = spansOf(columnId, values, Date.parse(today));
  return (item) => test(momentOf(item, columnId), spans, blank);
}
