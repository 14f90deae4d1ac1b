// Secrets a URL can carry (a password in its user info, a secret-looking query parameter), found and
// replaced before a URL or a message holding it is printed, logged or stored.

/** Query parameters whose values are secrets (`?password=`, `?api_key=`, `?token=`, `?sig=` …). */
const SECRET_PARAM = /pass|pwd|token|secret|key|auth|sig|credential/i;

/** What replaces a secret in any output. */
export const REDACTED = "[redacted]";

/** `scheme://user:password@` (also when the URL does not parse): the user info's password part. */
const USER_INFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/@?#]*)@/i;

/**
 * The secrets `url` carries, as they appear in it (raw and decoded): the user info's password, and the
 * values of query parameters whose names look secret. Empty for a URL without any.
 *
 * @example urlSecrets("postgres://app@db/x?password=s3") // ["s3"]
 */
export function urlSecrets(url: string): string[] {
  const found = new Set<string>();
  const info = USER_INFO.exec(url)?.[2];
  const password = info?.includes(":") ? info.slice(info.indexOf(":") + 1) : undefined;
  if (password) found.add(password);
  const query = url.split("#")[0]!.split("?").slice(1).join("?");
  for (const pair of query.split("&")) {
    const [name = "", value = ""] = pair.split("=");
    if (value && SECRET_PARAM.test(decodeSafely(name))) found.add(value);
  }
  for (const s of [...found]) found.add(decodeSafely(s));
  return [...found].filter((s) => s.length > 0);
}

/** Whether `url` names a user (`scheme://user@` or `scheme://user:password@`). */
export function hasUserInfo(url: string): boolean {
  return USER_INFO.test(url);
}

/**
 * `url` as it may be shown: user info and secret query values replaced by {@link REDACTED}.
 *
 * @example redactUrl("https://bob:pw@proxy/v2?api_key=k") // "https://[redacted]@proxy/v2?api_key=[redacted]"
 */
export function redactUrl(url: string): string {
  return redactSecrets(url.replace(USER_INFO, `$1${REDACTED}@`), urlSecrets(url));
}

/** `text` with every secret in `secrets` (and every URL in `urls`, by its secrets) replaced by {@link REDACTED}. */
export function redactSecrets(
  text: string,
  secrets: readonly string[],
  urls: readonly string[] = [],
): string {
  let out = text;
  for (const url of urls) if (url && urlSecrets(url).length > 0) out = out.split(url).join(redactUrl(url));
  const all = [...secrets, ...urls.flatMap(urlSecrets)].filter((s) => s.length > 0);
  // Longest first, so a secret that contains another is replaced whole.
  for (const s of all.sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
  return out;
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}
