/** The failures the emulator can inject, in the order a draw tests them. */
export const FAULT_KINDS = [
  "rate_limit",
  "server_error",
  "bad_gateway",
  "timeout",
  "drop_after_commit",
] as const;

/**
 * One injectable failure:
 * - `rate_limit`: HTTP 429 with monday's body (`RATE_LIMIT_EXCEEDED`, `retry_in_seconds` 1 emulator second);
 * - `server_error`: HTTP 500 `INTERNAL_SERVER_ERROR`;
 * - `bad_gateway`: HTTP 502 with an HTML body, as a proxy in front of the API sends it;
 * - `timeout`: no answer; the socket is destroyed after `faultTimeoutMs` real ms;
 * - `drop_after_commit`: the request is executed and committed, then the socket is destroyed unanswered.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The fraction (0–1) of eligible requests each fault answers; fractions add up to at most 1. */
export type FaultSpec = Partial<Record<FaultKind, number>>;

/** Which requests faults may hit: every `/v2` POST, or only those carrying a mutation. */
export type FaultScope = "all" | "mutations";

/** Fault injection settings; all may be changed at run time. */
export interface FaultSettings {
  faults: FaultSpec;
  /** Default `"all"`. */
  faultsOn: FaultScope;
  /** How long a `timeout` fault holds the connection, in real ms (default 30,000). */
  faultTimeoutMs: number;
}

/** The defaults of {@link FaultSettings}: no faults. */
export const DEFAULT_FAULTS: Readonly<FaultSettings> = {
  faults: {},
  faultsOn: "all",
  faultTimeoutMs: 30_000,
};

/** A fault spec or setting that cannot be used. */
export class FaultSpecError extends Error {
  override name = "FaultSpecError";
  constructor(
    message: string,
    /** The offending text or key. */
    readonly input: string,
  ) {
    super(message);
  }
}

function isFaultKind(name: string): name is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(name);
}

/** Checks fault fractions (known kinds, each 0–1, sum ≤ 1); throws {@link FaultSpecError}. */
export function checkFaultSpec(spec: Record<string, unknown>): FaultSpec {
  const checked: FaultSpec = {};
  for (const [name, value] of Object.entries(spec)) {
    if (!isFaultKind(name))
      throw new FaultSpecError(`unknown fault "${name}" (known: ${FAULT_KINDS.join(", ")})`, name);
    if (typeof value !== "number" || !(value >= 0 && value <= 1))
      throw new FaultSpecError(`fault ${name} must be a fraction between 0 and 1`, name);
    checked[name] = value;
  }
  const total = Object.values(checked).reduce((sum, f) => sum + f, 0);
  if (total > 1 + 1e-9) throw new FaultSpecError(`fault fractions add up to ${total}, more than 1`, "");
  return checked;
}

/**
 * Parses a CLI fault spec: comma-separated `kind=fraction` pairs.
 *
 * @example
 * parseFaultSpec("rate_limit=0.05,server_error=0.05,drop_after_commit=0.01");
 * // → { rate_limit: 0.05, server_error: 0.05, drop_after_commit: 0.01 }
 */
export function parseFaultSpec(text: string): FaultSpec {
  const pairs: Record<string, unknown> = {};
  for (const part of text.split(",").map((p) => p.trim())) {
    if (part === "") continue;
    const match = /^([a-z_]+)\s*=\s*([0-9.]+%?)$/.exec(part);
    if (!match) throw new FaultSpecError(`expected kind=fraction, got "${part}"`, part);
    const [, name = "", raw = ""] = match;
    pairs[name] = raw.endsWith("%") ? Number(raw.slice(0, -1)) / 100 : Number(raw);
  }
  return checkFaultSpec(pairs);
}

/**
 * A small seeded PRNG (mulberry32): the same seed gives the same sequence, so faulty runs repeat exactly.
 *
 * @example
 * const random = seededRandom(42);
 * random(); // a number in [0, 1), the same for every run with seed 42
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Picks the fault (if any) of each eligible request, one draw of a seeded PRNG per request. */
export class FaultPicker {
  private random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** Restarts the sequence from `seed`. */
  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /** The fault for the next request, or undefined. No draw is spent while no fault is configured. */
  pick(spec: FaultSpec): FaultKind | undefined {
    const kinds = FAULT_KINDS.filter((k) => (spec[k] ?? 0) > 0);
    if (kinds.length === 0) return undefined;
    const draw = this.random();
    let bound = 0;
    for (const kind of kinds) {
      bound += spec[kind] ?? 0;
      if (draw < bound) return kind;
    }
    return undefined;
  }
}

/** The body of a `bad_gateway` fault: what an nginx or load balancer answers when the API is gone. */
export const BAD_GATEWAY_HTML =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/** A `rate_limit` fault asks the client to wait this long (emulator ms). */
export const FAULT_RETRY_MS = 1_000;
