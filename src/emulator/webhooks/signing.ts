import { SignJWT } from "jose";
import { ACCOUNT_ID } from "../replies.js";

/**
 * How long a webhook JWT (and the short-lived token in it) is valid, in emulator seconds: monday's short-lived
 * tokens last 5 minutes.
 */
export const WEBHOOK_JWT_TTL_SECONDS = 5 * 60;

/** What the JWT of one delivery says. */
export interface WebhookClaims {
  /** The endpoint URL (the `aud` a receiver must check). */
  url: string;
  /** The user whose app token created the webhook. */
  userId: string;
  /** A token the receiver may call the API with as that user; the emulator hands out the app's own token. */
  shortLivedToken: string;
  /** Real time of signing in ms (`iat`): the receiver checks the claims against its own clock. */
  nowMs: number;
  /** The emulator's time scale: `exp` is {@link WEBHOOK_JWT_TTL_SECONDS} emulator seconds after `iat`. */
  timeScale?: number;
}

/**
 * The `Authorization` value of a delivery to a webhook created with an app token: a JWT signed HS256 with
 * the app's signing secret (API-FACTS "Webhooks": no `Bearer`; claims `accountId`, `userId`, `aud`, `exp`,
 * `iat`, `shortLivedToken`; HS256 is what monday's app SDKs verify, monday does not state it).
 *
 * @example
 * await signWebhookJwt("secret", { url: "https://example.com/hook", userId: "1000001", shortLivedToken: "t", nowMs: Date.now() });
 */
export async function signWebhookJwt(secret: string, claims: WebhookClaims): Promise<string> {
  const iat = Math.floor(claims.nowMs / 1000);
  // Whole seconds (JWT NumericDate), at least one, so a high time scale still yields a token that verifies.
  const ttl = Math.max(1, Math.ceil(WEBHOOK_JWT_TTL_SECONDS / (claims.timeScale ?? 1)));
  return new SignJWT({
    accountId: ACCOUNT_ID,
    userId: Number(claims.userId),
    shortLivedToken: claims.shortLivedToken,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setAudience(claims.url)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .sign(new TextEncoder().encode(secret));
}
