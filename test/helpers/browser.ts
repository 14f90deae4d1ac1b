import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags for a headless Chromium in a container: no sandbox, no GPU, no calls home. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * The Chromium a browser test may use, or why it must be skipped. With `CI=true` a missing Chromium
 * is installed with apt-get (CI must run the test); elsewhere the test runs only when /usr/bin/chromium
 * already exists, and is skipped with a printed reason otherwise.
 *
 * @example
 * const browser = ensureChromium();
 * describe.skipIf(!browser.available)("report in a browser", () => { ... });
 */
export function ensureChromium(): { available: true; path: string } | { available: false; reason: string } {
  if (existsSync(CHROMIUM_PATH)) return { available: true, path: CHROMIUM_PATH };
  if (process.env.CI !== "true") {
    const reason = `${CHROMIUM_PATH} not found and CI is not true (install it with: apt-get install -y chromium)`;
    console.warn(`skipping browser tests: ${reason}`);
    return { available: false, reason };
  }
  const apt = (args: string[]) =>
    execFileSync("apt-get", args, {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 600_000,
    });
  apt(["update"]);
  apt(["install", "-y", "--no-install-recommends", "chromium"]);
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`apt-get installed chromium, but ${CHROMIUM_PATH} is missing`);
  return { available: true, path: CHROMIUM_PATH };
}
