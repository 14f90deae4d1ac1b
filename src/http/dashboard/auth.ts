import { createHash, randomBytes } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import { SignJWT, jwtVerify } from "jose";

/** The session cookie the login form sets: a JWT (HS256) signed with a key derived from the API token. */
export const SESSION_COOKIE = "order_sync_session";
const SESSION_HOURS = 8;
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** The signing key: SHA-256 of a label and the token, so the cookie never holds the token itself. */
const keyOf = (token: string) =>
  createHash("sha256").update("order-sync dashboard session\0").update(token).digest();

/** A signed session cookie value with a new session id (`sid`: the actor of its actions), valid for 8 hours. */
export async function newSession(token: string): Promise<string> {
  return sessionWithKey(keyOf(token));
}

/** {@link newSession} signed with `key` (loopback mode signs with a key of its own, per process). */
export async function sessionWithKey(key: Uint8Array): Promise<string> {
  return new SignJWT({ scope: "dashboard", sid: randomBytes(9).toString("base64url") })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime(`${SESSION_HOURS}h`)
    .sign(key);
}

/** The session id of a valid session cookie value signed with `key`, else undefined. */
export async function sessionId(key: Uint8Array, value: string | undefined): Promise<string | undefined> {
  if (!value) return undefined;
  try {
    const { payload } = await jwtVerify(value, key, { algorithms: ["HS256"] });
    if (payload.scope !== "dashboard") return undefined;
    return typeof payload.sid === "string"
      ? payload.sid
      : createHash("sha256").update(value).digest("hex").slice(0, 12);
  } catch {
    return undefined;
  }
}

/** The key session cookies are signed with: derived from the API token, or `fallback` without one. */
export const sessionKey = (token: string | undefined, fallback: Uint8Array): Uint8Array =>
  token ? keyOf(token) : fallback;

/** Sets the session cookie. */
export function setSession(c: Context, value: string): void {
  setCookie(c, SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    secure: new URL(c.req.url).protocol === "https:",
    maxAge: SESSION_HOURS * 3600,
  });
}

async function validSession(token: string, value: string | undefined): Promise<boolean> {
  if (!value) return false;
  try {
    const { payload } = await jwtVerify(value, keyOf(token), { algorithms: ["HS256"] });
    return payload.scope === "dashboard";
  } catch {
    return false;
  }
}

/** Compares in constant time for equal lengths. */
function sameToken(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return ha.equals(hb);
}

function isLoopback(c: Context): boolean {
  try {
    return LOOPBACK.test(getConnInfo(c).remote.address ?? "");
  } catch {
    return false;
  }
}

/**
 * Access to the pages, as `/api/*`: with `ORDER_SYNC_API_TOKEN` set, `Authorization: Bearer <token>` or a
 * valid session cookie (else a redirect to `/login` for a browser, 401 otherwise); without it, loopback only.
 */
export function dashboardAuth(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!token) {
      if (!isLoopback(c))
        return c.text("set ORDER_SYNC_API_TOKEN to open the dashboard from another machine", 403);
      await next();
      return undefined;
    }
    const bearer = /^Bearer (.+)$/i.exec(c.req.header("Authorization") ?? "")?.[1];
    if ((bearer && sameToken(bearer, token)) || (await validSession(token, getCookie(c, SESSION_COOKIE)))) {
      await next();
      return undefined;
    }
    if ((c.req.header("Accept") ?? "").includes("text/html") && c.req.method === "GET")
      return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    return c.text("log in at /login or send Authorization: Bearer <ORDER_SYNC_API_TOKEN>", 401);
  };
}

/**
 * Cross-site POSTs refused: a POST must come from this origin (`Sec-Fetch-Site: same-origin`, or an
 * `Origin` equal to the server's) with a form body; a POST without either header is refused too.
 */
export const sameOriginPosts: MiddlewareHandler = async (c, next) => {
  if (c.req.method !== "POST") {
    await next();
    return undefined;
  }
  const site = c.req.header("Sec-Fetch-Site");
  const origin = c.req.header("Origin");
  const own = new URL(c.req.url).origin;
  const fromHere = site === "same-origin" || (site === undefined && origin === own);
  if (!fromHere || (origin !== undefined && origin !== own))
    return c.text("cross-site requests are refused (Origin / Sec-Fetch-Site)", 403);
  if (!/^application\/x-www-form-urlencoded\b/i.test(c.req.header("Content-Type") ?? ""))
    return c.text("the dashboard's forms post application/x-www-form-urlencoded", 415);
  await next();
  return undefined;
};

/** `POST /login`: the token typed into the form; sets the session cookie and redirects. */
export async function login(c: Context, token: string | undefined): Promise<Response | false> {
  const form = await c.req.parseBody();
  const typed = typeof form.token === "string" ? form.token : "";
  if (!token || !typed || !sameToken(typed, token)) return false;
  setSession(c, await newSession(token));
  const next = typeof form.next === "string" && /^\/(?!\/)[\w\-/.%]*$/.test(form.next) ? form.next : "/";
  return c.redirect(next, 303);
}

/** `POST /logout`: drops the cookie. */
export function logout(c: Context): Response {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
  return c.redirect("/login", 303);
}
