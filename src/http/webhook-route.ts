import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import type { Db } from "../db/index.js";
import { errorMessage } from "../errors/index.js";
import {
  BadEventError,
  eventOf,
  pathSecretMatches,
  InboxWriter,
  verifyWebhookJwt,
  WebhookAuthError,
  type WebhookService,
} from "../webhooks/index.js";

/** What the webhook endpoint needs. */
export interface WebhookRouteDeps {
  db: Db;
  /** `ORDER_SYNC_WEBHOOK_SECRET`: the last path segment must equal it. */
  secret: string;
  /** `MONDAY_SIGNING_SECRET`: requests carrying a JWT are verified with it. */
  signingSecret: string | undefined;
  /** The endpoint's URLs as monday calls them (`aud` of app webhooks). */
  audiences: readonly string[];
  maxBodyBytes: number;
  /** Called once an event is stored (wakes the worker). */
  onStored(): void;
  /** Counts for metrics: received, duplicate, rejected. */
  onRequest?(outcome: "received" | "duplicate" | "rejected" | "challenge"): void;
  log?: Logger;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * `POST /webhooks/monday/<secret>` (issue 14), a route of serve's one server. Every request must carry the
 * path secret (compared in constant time); one with `Authorization` must carry a valid HS256 JWT of the
 * app's signing secret (`aud`, `exp`). The challenge is echoed; an event is stored in the inbox (once per
 * `triggerUuid`) and answered 200 at once, the worker applies it later. Refused requests store nothing.
 */
export function webhookRoutes(deps: WebhookRouteDeps): Hono {
  const app = new Hono();
  const inbox = new InboxWriter(deps.db);
  const refuse = (status: 400 | 401 | 404 | 413, error: string) => {
    deps.onRequest?.("rejected");
    return new Response(JSON.stringify({ error }), {
      status,
      headers: { "Content-Type": "application/json" },
    });
  };
  app.post(
    "/webhooks/monday/:secret",
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: () => refuse(413, `the body is larger than ${deps.maxBodyBytes} bytes`),
    }),
    async (c) => {
      if (!pathSecretMatches(c.req.param("secret"), deps.secret))
        return refuse(404, "no such webhook endpoint");
      const authorization = c.req.header("authorization");
      if (authorization) {
        if (!deps.signingSecret || deps.audiences.length === 0)
          return refuse(401, "a signed request needs MONDAY_SIGNING_SECRET and serve.publicUrl");
        try {
          await verifyWebhookJwt(authorization, deps.signingSecret, deps.audiences);
        } catch (e) {
          if (e instanceof WebhookAuthError) return refuse(401, e.reason);
          throw e;
        }
      }
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return refuse(400, "the body must be JSON");
      }
      if (isRecord(body) && typeof body.challenge === "string") {
        deps.onRequest?.("challenge");
        return c.json({ challenge: body.challenge });
      }
      if (!isRecord(body) || !isRecord(body.event)) return refuse(400, 'the body must be {"event": {...}}');
      let event;
      try {
        event = eventOf(body.event);
      } catch (e) {
        if (e instanceof BadEventError) return refuse(400, e.message);
        throw e;
      }
      let stored: "stored" | "duplicate";
      try {
        stored = await inbox.store(event, "webhook", body.event);
      } catch (e) {
        // Not stored: a 500 makes monday retry it. The path (it holds the secret) is never logged.
        deps.log?.error(
          { error: errorMessage(e), eventId: event.eventId },
          "webhook event could not be stored",
        );
        return c.json({ error: "the event could not be stored; monday.com will retry it" }, 500);
      }
      deps.onRequest?.(stored === "stored" ? "received" : "duplicate");
      if (stored === "stored") deps.onStored();
      return c.json({ ok: true, duplicate: stored === "duplicate" });
    },
  );
  return app;
}

/** The route for serve's running webhook service: stored events wake its worker. */
export function webhookServiceRoutes(
  service: WebhookService,
  db: Db,
  maxBodyBytes: number,
  log?: Logger,
): Hono {
  return webhookRoutes({
    db,
    secret: service.secret,
    signingSecret: service.signingSecret,
    audiences: service.audiences,
    maxBodyBytes,
    onStored: () => service.worker.notify(),
    ...(log ? { log } : {}),
    ...(service.onRequest ? { onRequest: service.onRequest } : {}),
  });
}
