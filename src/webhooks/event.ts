import { canonicalValue, type Canonical } from "../mapping/index.js";
import type { ColumnType } from "../config/index.js";

/** One board event, from a webhook delivery or an activity log entry, in the fields order-sync uses. */
export interface BoardEvent {
  /** monday's `triggerUuid`, or `log:<id>` for an activity log entry. */
  eventId: string;
  /** `event.type`: `update_column_value`, `create_pulse`, `update_name`, `delete_pulse`, `archive_pulse`… */
  type: string;
  boardId: string;
  itemId: string;
  /** Set for a subitem's event. */
  parentItemId: string | null;
  columnId: string | null;
  columnTitle: string | null;
  value: unknown;
  previousValue: unknown;
  userId: string | null;
  /** monday's `changedAt` (else `triggerTime`), ISO-8601 with ms. */
  changedAt: string;
}

/** A webhook body or log entry that is not an event order-sync can use. */
export class BadEventError extends Error {
  override name = "BadEventError";
}

const idOf = (v: unknown): string | null =>
  typeof v === "number" || (typeof v === "string" && v !== "") ? String(v) : null;
const textOf = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** `changedAt` is epoch seconds with a fraction; `triggerTime` ISO-8601 (API-FACTS "Webhooks"). */
function changedAtOf(event: Record<string, unknown>, fallbackMs: number): string {
  const changedAt = event.changedAt;
  if (typeof changedAt === "number" && Number.isFinite(changedAt))
    return new Date(Math.round(changedAt * 1000)).toISOString();
  const trigger = typeof event.triggerTime === "string" ? Date.parse(event.triggerTime) : NaN;
  return new Date(Number.isNaN(trigger) ? fallbackMs : trigger).toISOString();
}

/**
 * The event of a webhook body (`{"event": {...}}`). Top-level `archive_pulse` / `delete_pulse` carry
 * `itemId` instead of `pulseId`; subitem events carry `parentItemId` as a string or a number (API-FACTS):
 * every documented variant is accepted.
 */
export function eventOf(event: Record<string, unknown>, nowMs = Date.now()): BoardEvent {
  const eventId = textOf(event.triggerUuid);
  const type = textOf(event.type);
  const boardId = idOf(event.boardId);
  const itemId = idOf(event.pulseId) ?? idOf(event.itemId);
  if (!eventId || !type || !boardId || !itemId)
    throw new BadEventError("the event needs triggerUuid, type, boardId and pulseId (or itemId)");
  return {
    eventId,
    type,
    boardId,
    itemId,
    parentItemId: idOf(event.parentItemId),
    columnId: type === "update_name" ? "name" : textOf(event.columnId),
    columnTitle: textOf(event.columnTitle),
    value: event.value ?? null,
    previousValue: event.previousValue ?? null,
    userId: idOf(event.userId),
    changedAt: changedAtOf(event, nowMs),
  };
}

const camel = (key: string) => key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * An activity log entry as the event its webhook would have carried. Its `data` holds the webhook's fields
 * in snake_case (`pulse_id`, `previous_value`…); monday does not document the per-event shape (API-FACTS
 * marks it uncertain), so both spellings are read. `created_at` is Unix seconds × 10,000,000.
 */
export function eventOfLog(
  boardId: string,
  log: { id: string; event: string; data: string; created_at: string; user_id: string },
): BoardEvent | undefined {
  let data: unknown;
  try {
    data = JSON.parse(log.data);
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null) return undefined;
  const fields = Object.fromEntries(Object.entries(data).map(([k, v]) => [camel(k), v]));
  const createdMs = Number(log.created_at) / 10_000;
  try {
    return eventOf(
      {
        boardId,
        ...fields,
        type: log.event,
        userId: fields.userId ?? log.user_id,
        triggerUuid: `log:${log.id}`,
        ...(fields.changedAt === undefined && Number.isFinite(createdMs)
          ? { changedAt: createdMs / 1000 }
          : {}),
      },
      Number.isFinite(createdMs) ? createdMs : Date.now(),
    );
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The source-like value inside a webhook `value` of a column type (API-FACTS "Webhooks": status
 * `{label:{text}}`, text `{value}`, date `{date, time}`; numbers are not documented, so `{value}`, a bare
 * number and `{text}` are all read; dropdown `{chosenValues:[{name}]}`; checkbox `{checked}`).
 */
function rawOf(type: ColumnType, value: unknown): unknown {
  if (!isRecord(value)) return value;
  switch (type) {
    case "status":
      return isRecord(value.label) ? value.label.text : (value.text ?? value.label);
    case "date":
      return typeof value.time === "string" && value.time
        ? `${String(value.date)} ${value.time}`
        : value.date;
    case "dropdown":
      return Array.isArray(value.chosenValues)
        ? value.chosenValues.map((c) => (isRecord(c) ? String(c.name ?? "") : String(c))).join(",")
        : (value.text ?? value.labels);
    case "checkbox":
      return value.checked;
    case "long_text":
      return value.text ?? value.value;
    case "email":
      return value.email ?? value.text;
    case "link":
      return value.url ?? value.text;
    default:
      return value.value ?? value.text ?? value.name ?? JSON.stringify(value);
  }
}

/** A webhook value in the canonical form the sync state keeps (what order-sync would write for it). */
export function canonicalOf(type: ColumnType, value: unknown): Canonical {
  const raw = rawOf(type, value);
  if (raw === null || raw === undefined) return null;
  try {
    return canonicalValue(type, raw);
  } catch {
    return typeof raw === "string" ? raw : JSON.stringify(raw);
  }
}
