import {
  checkFaultSpec,
  FaultSpecError,
  parseFaultSpec,
  type FaultSettings,
  type FaultSpec,
} from "./faults.js";
import { boardEditRoute, type BoardEditControls } from "./board-edits.js";
import { checkLimitSettings, type LimitSettings } from "./limits.js";
import type { EmulatorStats } from "./stats.js";
import type { Actor } from "./users.js";
import type { WebhookFaultSettings } from "./webhooks/deliveries.js";
import type { EmulatorWebhooks } from "./webhooks/service.js";

/** Run-time controls of an emulator, as the admin endpoints reach them. */
export interface AdminControls extends BoardEditControls {
  readonly webhooks: EmulatorWebhooks;
  stats(): EmulatorStats;
  faultSettings(): FaultSettings;
  setFaults(faults: FaultSpec | undefined, options: FaultOptions): void;
  limitSettings(): LimitSettings;
  setLimits(settings: Partial<LimitSettings>): void;
}

/** Fault settings besides the fractions, changeable at run time. */
export interface FaultOptions {
  faultsOn?: FaultSettings["faultsOn"];
  faultTimeoutMs?: number;
  /** Restarts the fault sequence from this seed. */
  seed?: number;
}

/** A reply of an admin endpoint. */
export interface AdminReply {
  status: number;
  body: unknown;
}

/** The admin routes: `METHOD path` → handler of the parsed JSON body. */
type AdminRoute = (controls: AdminControls, body: unknown, actor: Actor) => AdminReply;

const ADMIN_ROUTES: Readonly<Record<string, AdminRoute>> = {
  "GET /__admin/stats": (c) => ok(c.stats()),
  "GET /__admin/faults": (c) => ok(c.faultSettings()),
  "POST /__admin/faults": (c, body) => {
    const input = asObject(body);
    c.setFaults(faultsFrom(input.faults), faultOptionsFrom(input));
    return ok(c.faultSettings());
  },
  "GET /__admin/limits": (c) => ok(c.limitSettings()),
  "POST /__admin/limits": (c, body) => {
    c.setLimits(checkLimitSettings(asObject(body) as Partial<LimitSettings>));
    return ok(c.limitSettings());
  },
  "GET /__admin/webhooks/faults": (c) => ok(c.webhooks.deliveries.faultSettings()),
  "POST /__admin/webhooks/faults": (c, body) => {
    const { seed, ...settings } = asObject(body);
    c.webhooks.deliveries.setFaults(
      settings as Partial<WebhookFaultSettings>,
      seed === undefined ? undefined : nonNegative(seed, "seed"),
    );
    return ok(c.webhooks.deliveries.faultSettings());
  },
};

/**
 * Answers an admin request (`/__admin/...`; never subject to limits or faults).
 *
 * - `GET /__admin/stats`: {@link EmulatorStats};
 * - `GET|POST /__admin/faults`: `{ faults?: {rate_limit: 0.1, ...} | "rate_limit=0.1,...", faultsOn?, faultTimeoutMs?, seed? }`
 *   (fractions replace the current ones when given);
 * - `GET|POST /__admin/limits`: a partial `LimitSettings`, e.g. `{ "enforceLimits": true, "budgetPerMinute": 1000000 }`;
 * - `GET|POST /__admin/webhooks/faults`: `{ faults?: {duplicate: 0.1, delay: 0.1, reorder: 0.1}, delayMs?, seed? }`;
 * - the board-user edits of {@link boardEditRoute} (`POST /__admin/items/<id>/column-values`…), made as `actor`
 *   (the admin request's user) unless the body names a `userId`.
 */
export function handleAdmin(
  controls: AdminControls,
  method: string,
  path: string,
  text: string,
  actor: Actor,
): AdminReply {
  const route = ADMIN_ROUTES[`${method} ${path.replace(/\/$/, "")}`] ?? boardEditRoute(method, path);
  if (!route) return { status: 404, body: { error: `no admin endpoint ${method} ${path}` } };
  let body: unknown = {};
  try {
    if (text.trim() !== "") body = JSON.parse(text);
  } catch {
    return { status: 400, body: { error: "Invalid JSON in request body" } };
  }
  try {
    return route(controls, body, actor);
  } catch (error) {
    if (error instanceof FaultSpecError || error instanceof RangeError)
      return { status: 400, body: { error: error.message } };
    throw error;
  }
}

function ok(body: unknown): AdminReply {
  return { status: 200, body };
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new RangeError("the body must be a JSON object");
  return body as Record<string, unknown>;
}

function faultsFrom(value: unknown): FaultSpec | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return parseFaultSpec(value);
  return checkFaultSpec(asObject(value));
}

function faultOptionsFrom(input: Record<string, unknown>): FaultOptions {
  const options: FaultOptions = {};
  if (input.faultsOn !== undefined) {
    if (input.faultsOn !== "all" && input.faultsOn !== "mutations")
      throw new RangeError('faultsOn must be "all" or "mutations"');
    options.faultsOn = input.faultsOn;
  }
  if (input.faultTimeoutMs !== undefined)
    options.faultTimeoutMs = nonNegative(input.faultTimeoutMs, "faultTimeoutMs");
  if (input.seed !== undefined) options.seed = nonNegative(input.seed, "seed");
  return options;
}

function nonNegative(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}
