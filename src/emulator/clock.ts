/**
 * The emulator's notion of time. Budget windows, cursor and idempotency expiry run on emulator time,
 * which passes `timeScale` times faster than real time: with `timeScale: 30` a 60-s complexity window
 * lasts 2 real seconds. What the emulator tells a client to wait (`retry_in_seconds`, `Retry-After`,
 * `RateLimit` `t`, `reset_in_x_seconds`) is converted back to real seconds, so a client that waits the
 * number it was given is right.
 *
 * @example
 * let real = 0;
 * const clock = new EmulatorClock(30, () => real);
 * real += 1000; // one real second
 * clock.now(); // 30_000 emulator ms after start
 * clock.realSeconds(60_000); // 2
 */
export class EmulatorClock {
  private readonly origin: number;

  constructor(
    /** How much faster than real time emulator time runs (1 = real time). */
    readonly timeScale = 1,
    /** Real time in ms (`Date.now` by default; tests inject a manual clock). */
    private readonly realNow: () => number = Date.now,
  ) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError("timeScale must be > 0");
    this.origin = realNow();
  }

  /** Real time in ms (what a client's own clock says: JWT `iat`/`exp` are checked against it). */
  realNowMs(): number {
    return this.realNow();
  }

  /** Emulator time in ms. */
  now(): number {
    return this.origin + (this.realNow() - this.origin) * this.timeScale;
  }

  /**
   * Real seconds a client must wait for `emulatorMs` of emulator time to pass, rounded up.
   * At `timeScale` 1 this is a whole number, as monday sends it; scaled, it keeps millisecond
   * precision (e.g. 1.734), since whole seconds would be far too coarse for a 2-s window.
   */
  realSeconds(emulatorMs: number): number {
    const realMs = Math.max(0, emulatorMs) / this.timeScale;
    return this.timeScale === 1 ? Math.ceil(realMs / 1000) : Math.ceil(realMs) / 1000;
  }

  /** Whole real seconds, rounded up, for GraphQL fields typed `Int!` (`reset_in_x_seconds`). */
  realWholeSeconds(emulatorMs: number): number {
    return Math.ceil(Math.max(0, emulatorMs) / this.timeScale / 1000);
  }
}
