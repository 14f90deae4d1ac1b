import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { SESSION_COOKIE, sessionId, sessionKey, sessionWithKey, setSession } from "./auth.js";

/** The hidden form field that carries the CSRF token. */
export const CSRF_FIELD = "csrf";

/**
 * The dashboard's action sessions (issue 17): every POST of an action carries a CSRF token tied to the
 * session cookie (an HMAC of the session id, under the session key), checked server-side on top of the
 * same-origin refusal. With `ORDER_SYNC_API_TOKEN` the session is the one `/login` set; without it
 * (loopback only) a page gives the browser a session cookie of its own, signed with a key of this process.
 */
export class ActionSessions {
  readonly #key: Uint8Array;
  readonly #sids = new WeakMap<Request, string>();

  constructor(private readonly apiToken: string | undefined) {
    this.#key = sessionKey(apiToken, randomBytes(32));
  }

  /** Middleware (after the auth guard): reads the session, and opens one for a loopback browser's GET. */
  readonly read: MiddlewareHandler = async (c, next) => {
    let sid = await sessionId(this.#key, getCookie(c, SESSION_COOKIE));
    if (!sid && !this.apiToken && c.req.method === "GET") {
      const value = await sessionWithKey(this.#key);
      setSession(c, value);
      sid = await sessionId(this.#key, value);
    }
    if (sid) this.#sids.set(c.req.raw, sid);
    await next();
    return undefined;
  };

  #tokenOf(sid: string): string {
    return createHmac("sha256", this.#key).update("order-sync csrf\0").update(sid).digest("base64url");
  }

  /** The CSRF token for this request's forms (undefined without a session, e.g. a bearer-token caller). */
  token(c: Context): string | undefined {
    const sid = this.#sids.get(c.req.raw);
    return sid ? this.#tokenOf(sid) : undefined;
  }

  /** True when the form's token is this session's. */
  valid(c: Context, given: unknown): boolean {
    const expected = this.token(c);
    if (!expected || typeof given !== "string" || given.length !== expected.length) return false;
    return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
  }

  /** Who acts, for the audit: `dashboard:<session id>`. */
  actor(c: Context): string {
    return `dashboard:${this.#sids.get(c.req.raw) ?? "unknown"}`;
  }
}
