import { randomBytes } from "node:crypto";
import type { EmulatorClock } from "../clock.js";
import { seededRandom } from "../faults.js";
import { signWebhookJwt } from "./signing.js";

/** A retry follows a failed attempt after one emulator minute (API-FACTS "Webhooks"). */
export const RETRY_INTERVAL_MS = 60_000;
/** Retries stop 30 emulator minutes after the first attempt. */
export const RETRY_WINDOW_MS = 30 * 60_000;
/** One attempt is abandoned after 3 emulator minutes without an answer. */
export const REQUEST_TIMEOUT_MS = 3 * 60_000;
/**
 * How long the challenge of `create_webhook` may take, in real ms (not scaled: the mutation waits for it,
 * like the API's own 60-s request timeout, which the time scale does not shorten either). monday does not
 * document it.
 */
export const CHALLENGE_TIMEOUT_MS = 10_000;

/** Delivery faults the emulator can inject, each drawn per delivery from a seeded PRNG. */
export const WEBHOOK_FAULT_KINDS = ["duplicate", "delay", "reorder"] as const;

/**
 * - `duplicate`: the delivery is sent twice (same `triggerUuid`), as monday's at-least-once delivery may;
 * - `delay`: its first attempt waits `delayMs` of emulator time;
 * - `reorder`: it is held back until the next delivery has been answered (or `delayMs` passed), so the two
 *   arrive in the opposite order of their changes.
 */
export type WebhookFaultKind = (typeof WEBHOOK_FAULT_KINDS)[number];

/** The fraction (0–1) of deliveries each fault hits; drawn independently. */
export type WebhookFaultSpec = Partial<Record<WebhookFaultKind, number>>;

/** Delivery fault settings; changeable at run time (`POST /__admin/webhooks/faults`). */
export interface WebhookFaultSettings {
  faults: WebhookFaultSpec;
  /** Emulator ms a `delay` fault waits (and the longest a `reorder` fault holds a delivery back). */
  delayMs: number;
}

/** No delivery faults; a delay is one emulator minute. */
export const DEFAULT_WEBHOOK_FAULTS: Readonly<WebhookFaultSettings> = { faults: {}, delayMs: 60_000 };

/** Checks delivery fault settings (known kinds, fractions 0–1, a non-negative delay); throws `RangeError`. */
export function checkWebhookFaults(input: Partial<WebhookFaultSettings>): Partial<WebhookFaultSettings> {
  for (const [kind, fraction] of Object.entries(input.faults ?? {})) {
    if (!(WEBHOOK_FAULT_KINDS as readonly string[]).includes(kind))
      throw new RangeError(`unknown webhook fault "${kind}" (known: ${WEBHOOK_FAULT_KINDS.join(", ")})`);
    if (typeof fraction !== "number" || !(fraction >= 0 && fraction <= 1))
      throw new RangeError(`webhook fault ${kind} must be a fraction between 0 and 1`);
  }
  if (input.delayMs !== undefined && !(Number.isFinite(input.delayMs) && input.delayMs >= 0))
    throw new RangeError("delayMs must be a non-negative number of emulator ms");
  return input;
}

/** What happened to deliveries so far. */
export interface WebhookStats {
  /** Deliveries queued (one per webhook a change went to; duplicates not counted). */
  queued: number;
  /** Attempts answered 200. */
  sent: number;
  /** Retry attempts made (`isRetry: true`). */
  retried: number;
  /** Attempts that got no 200 (another status, a timeout, a refused connection). */
  failed: number;
  /** Deliveries given up after the last retry. */
  abandoned: number;
  duplicated: number;
  delayed: number;
  reordered: number;
}

const noStats = (): WebhookStats => ({
  queued: 0,
  sent: 0,
  retried: 0,
  failed: 0,
  abandoned: 0,
  duplicated: 0,
  delayed: 0,
  reordered: 0,
});

/** Where a delivery goes, and how it is signed. */
export interface DeliveryTarget {
  url: string;
  /** Set for a webhook created with an app token: its deliveries carry a JWT. */
  app: { userId: string; token: string } | null;
}

interface Delivery {
  target: DeliveryTarget;
  event: Record<string, unknown>;
  retries: number;
  firstAttemptAt?: number;
}

/** The outcome of a `create_webhook` challenge. */
export type ChallengeOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Sends webhook deliveries the way monday does: asynchronously (the API request that caused a change never
 * waits), retried once an emulator minute for 30 minutes until an attempt gets a 200, each attempt abandoned
 * after 3 minutes; with optional duplicate / delay / reorder faults. `close()` stops every timer and request.
 */
export class WebhookDeliveries {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requests = new Set<AbortController>();
  private held: Delivery[] = [];
  private counters = noStats();
  private settings: WebhookFaultSettings;
  private random: () => number;
  private closed = false;

  constructor(
    private readonly clock: EmulatorClock,
    private readonly signingSecret: string | undefined,
    seed: number,
    faults: Partial<WebhookFaultSettings> = {},
  ) {
    this.random = seededRandom(seed);
    this.settings = { ...DEFAULT_WEBHOOK_FAULTS, ...checkWebhookFaults(faults) };
  }

  /** Queues one delivery of `event` (body `{"event": …}`) to `target`. */
  deliver(target: DeliveryTarget, event: Record<string, unknown>): void {
    if (this.closed) return;
    this.counters.queued++;
    const copies = this.draw("duplicate") ? 2 : 1;
    if (copies === 2) this.counters.duplicated++;
    for (let i = 0; i < copies; i++) this.dispatch({ target, event, retries: 0 });
  }

  /** POSTs `{"challenge": token}` and checks the endpoint answers 200 with the same token. */
  async challenge(url: string): Promise<ChallengeOutcome> {
    const token = randomBytes(26).toString("base64url");
    const reply = await this.post(url, JSON.stringify({ challenge: token }), {}, CHALLENGE_TIMEOUT_MS);
    if ("error" in reply) return { ok: false, reason: reply.error };
    if (reply.status !== 200) return { ok: false, reason: `the endpoint answered HTTP ${reply.status}` };
    let echoed: unknown;
    try {
      echoed = (JSON.parse(reply.text) as { challenge?: unknown }).challenge;
    } catch {
      echoed = undefined;
    }
    return echoed === token ? { ok: true } : { ok: false, reason: "the endpoint did not echo the challenge" };
  }

  stats(): WebhookStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters = noStats();
  }

  faultSettings(): WebhookFaultSettings {
    return { ...this.settings, faults: { ...this.settings.faults } };
  }

  /** Replaces some fault settings; `seed` restarts the fault sequence. */
  setFaults(settings: Partial<WebhookFaultSettings>, seed?: number): void {
    this.settings = { ...this.settings, ...checkWebhookFaults(settings) };
    if (seed !== undefined) this.random = seededRandom(seed);
  }

  /** Stops every pending delivery, retry and request. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const request of this.requests) request.abort();
    this.requests.clear();
    this.held = [];
  }

  private dispatch(delivery: Delivery): void {
    if (this.draw("reorder")) {
      this.counters.reordered++;
      this.held.push(delivery);
      this.later(this.settings.delayMs, () => this.releaseHeld());
      return;
    }
    const delayed = this.draw("delay");
    if (delayed) this.counters.delayed++;
    this.later(delayed ? this.settings.delayMs : 0, () => {
      void this.attempt(delivery).then(() => this.releaseHeld());
    });
  }

  private releaseHeld(): void {
    for (const delivery of this.held.splice(0)) this.later(0, () => void this.attempt(delivery));
  }

  /** One attempt; on anything but a 200, the next one a minute later, until the 30 minutes are over. */
  private async attempt(delivery: Delivery): Promise<void> {
    if (this.closed) return;
    delivery.firstAttemptAt ??= this.clock.now();
    const isRetry = delivery.retries > 0;
    if (isRetry) this.counters.retried++;
    const body = JSON.stringify({ event: { ...delivery.event, isRetry } });
    const reply = await this.post(
      delivery.target.url,
      body,
      await this.authorization(delivery.target),
      REQUEST_TIMEOUT_MS / this.clock.timeScale,
    );
    if (this.closed) return;
    if (!("error" in reply) && reply.status === 200) {
      this.counters.sent++;
      return;
    }
    this.counters.failed++;
    // Retries keep a one-minute grid from the first attempt, so a slow attempt does not push the rest back.
    const next = delivery.firstAttemptAt + (delivery.retries + 1) * RETRY_INTERVAL_MS;
    if (next - delivery.firstAttemptAt > RETRY_WINDOW_MS) {
      this.counters.abandoned++;
      return;
    }
    delivery.retries++;
    this.later(Math.max(0, next - this.clock.now()), () => void this.attempt(delivery));
  }

  private async authorization(target: DeliveryTarget): Promise<Record<string, string>> {
    if (!target.app || this.signingSecret === undefined) return {};
    const jwt = await signWebhookJwt(this.signingSecret, {
      url: target.url,
      userId: target.app.userId,
      shortLivedToken: target.app.token,
      nowMs: this.clock.realNowMs(),
      timeScale: this.clock.timeScale,
    });
    return { Authorization: jwt };
  }

  /** One POST, never throwing: the status and body, or why there is none. */
  private async post(
    url: string,
    body: string,
    headers: Record<string, string>,
    realTimeoutMs: number,
  ): Promise<{ status: number; text: string } | { error: string }> {
    const controller = new AbortController();
    this.requests.add(controller);
    // A timeout aborts like close() does; the attempt then counts as failed.
    const timeout = setTimeout(() => controller.abort(), Math.max(1, Math.round(realTimeoutMs)));
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "User-Agent": "monday-emulator-webhooks", ...headers },
        body,
        signal: controller.signal,
      });
      return { status: res.status, text: await res.text() };
    } catch (error) {
      return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    } finally {
      clearTimeout(timeout);
      this.requests.delete(controller);
    }
  }

  private draw(kind: WebhookFaultKind): boolean {
    const fraction = this.settings.faults[kind] ?? 0;
    return fraction > 0 && this.random() < fraction;
  }

  /** Runs `work` after `emulatorMs` of emulator time, unless closed first. */
  private later(emulatorMs: number, work: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (!this.closed) work();
      },
      Math.round(emulatorMs / this.clock.timeScale),
    );
    this.timers.add(timer);
  }
}
