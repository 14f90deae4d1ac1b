import { createHash, timingSafeEqual } from "node:crypto";
import { errors as joseErrors, jwtVerify } from "jose";

/** A webhook request that failed authentication; `reason` says why (never the secret). */
export class WebhookAuthError extends Error {
  override name = "WebhookAuthError";
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The path secret compared in constant time (both sides hashed first, so their lengths never leak). */
export function pathSecretMatches(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Verifies the JWT an app-created webhook carries in `Authorization` (API-FACTS "Webhooks": the raw token,
 * no `Bearer`; a `Bearer ` prefix is accepted too since the docs are not firm): HS256 with the app's
 * signing secret, `aud` one of the endpoint's URLs, `exp` present and not passed.
 */
export async function verifyWebhookJwt(
  header: string,
  signingSecret: string,
  audiences: readonly string[],
): Promise<void> {
  const token = header.replace(/^Bearer\s+/i, "").trim();
  try {
    await jwtVerify(token, new TextEncoder().encode(signingSecret), {
      algorithms: ["HS256"],
      audience: [...audiences],
      requiredClaims: ["exp"],
    });
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw new WebhookAuthError("the JWT has expired");
    if (e instanceof joseErrors.JWTClaimValidationFailed)
      throw new WebhookAuthError(`the JWT's ${e.claim} claim is not valid for this endpoint`);
    throw new WebhookAuthError("the JWT's signature does not verify");
  }
}
