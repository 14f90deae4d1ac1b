import type { Logger } from "pino";
import type { Settings } from "../config/index.js";
import { ConfigError } from "../config/index.js";
import type { Db } from "../db/index.js";
import { errorMessage } from "../errors/index.js";
import { catchUp } from "./catch-up.js";
import { inboxState } from "./inbox.js";
import { WebhooksApi } from "./monday-api.js";
import { InboxWorker } from "./worker.js";

/** The environment variable holding the endpoint's path secret. */
export const WEBHOOK_SECRET_ENV = "ORDER_SYNC_WEBHOOK_SECRET";
/** The environment variable holding the app's signing secret (JWTs of app-created webhooks). */
export const SIGNING_SECRET_ENV = "MONDAY_SIGNING_SECRET";
/** A path secret shorter than this is refused: it must not be guessable. */
export const MIN_SECRET_LENGTH = 24;

/** The endpoint's path secret from the environment; a config error when missing or short. */
export function webhookSecret(env: NodeJS.ProcessEnv = process.env): string {
  const secret = env[WEBHOOK_SECRET_ENV]?.trim();
  if (!secret)
    throw new ConfigError(
      `${WEBHOOK_SECRET_ENV} is not set: webhooks need a long random secret in their URL`,
    );
  if (secret.length < MIN_SECRET_LENGTH || !/^[A-Za-z0-9_-]+$/.test(secret))
    throw new ConfigError(
      `${WEBHOOK_SECRET_ENV} must be at least ${MIN_SECRET_LENGTH} characters of A-Z, a-z, 0-9, _ or - (e.g. openssl rand -hex 32)`,
    );
  return secret;
}

/** Whether serve receives webhooks: `ORDER_SYNC_WEBHOOK_SECRET` is set. */
export function webhooksEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env[WEBHOOK_SECRET_ENV]?.trim());
}

/** The URL monday calls: `<serve.publicUrl>/webhooks/monday/<secret>`. */
export function webhookUrl(settings: Settings, secret: string): string {
  const base = settings.config.serve.publicUrl;
  if (!base) throw new ConfigError("serve.publicUrl is not set: it is the URL monday.com calls for webhooks");
  return `${base.replace(/\/+$/, "")}/webhooks/monday/${secret}`;
}

/** What `serve` runs for webhooks: the worker, the catch-up schedule and the inbox's state. */
export interface WebhookService {
  worker: InboxWorker;
  secret: string;
  signingSecret: string | undefined;
  /** Told each request's outcome (received, duplicate, rejected, challenge): the metrics. */
  onRequest?: (outcome: string) => void;
  /** The endpoint's own URL(s): the JWT `aud` must be one of them. */
  audiences: string[];
  inbox(): ReturnType<typeof inboxState>;
  stop(): Promise<void>;
}

/**
 * Starts the webhooks side of `serve` when `ORDER_SYNC_WEBHOOK_SECRET` is set (else `undefined`): learns
 * order-sync's own user (`me`), applies what the inbox still holds, catches up from the activity logs on
 * start and every `serve.webhooks.catchUpIntervalSeconds`.
 */
export async function startWebhookService(
  settings: Settings,
  db: Db,
  log: Logger,
  options: { onEvent?: (outcome: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<WebhookService | undefined> {
  const env = options.env ?? process.env;
  if (!webhooksEnabled(env)) return undefined;
  const secret = webhookSecret(env);
  const api = WebhooksApi.over(settings.monday);
  let ownUserId: string | undefined;
  try {
    ownUserId = await api.me();
  } catch (e) {
    log.warn(
      { error: errorMessage(e) },
      "could not ask monday.com who order-sync is; echoes are matched by value only",
    );
  }
  const worker = new InboxWorker(
    db,
    { config: settings.config, ownUserId },
    { log, ...(options.onEvent ? { onEvent: options.onEvent } : {}) },
  );
  worker.start();
  const runCatchUp = async () => {
    try {
      const stored = await catchUp(db, api, settings.config);
      if (stored) log.info({ stored }, "webhook catch-up stored events from the activity logs");
      worker.notify();
    } catch (e) {
      log.warn({ error: errorMessage(e) }, "webhook catch-up failed; it runs again on schedule");
    }
  };
  void runCatchUp();
  const every = settings.config.serve.webhooks.catchUpIntervalSeconds;
  const timer = every > 0 ? setInterval(() => void runCatchUp(), every * 1000) : undefined;
  timer?.unref();
  const publicUrl = settings.config.serve.publicUrl;
  const url = publicUrl ? webhookUrl(settings, secret) : undefined;
  return {
    worker,
    secret,
    ...(options.onEvent ? { onRequest: options.onEvent } : {}),
    signingSecret: env[SIGNING_SECRET_ENV] || undefined,
    // A trailing slash or not: monday documents `aud` as "the endpoint URL" without saying which form.
    audiences: url ? [url, `${url}/`] : [],
    inbox: () => inboxState(db),
    stop: async () => {
      if (timer) clearInterval(timer);
      await worker.stop();
    },
  };
}
