import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where a promtool unpacked from Debian's `prometheus` package is kept between runs (never committed). */
const CACHE = fileURLToPath(new URL("../../node_modules/.cache/order-sync-promtool", import.meta.url));
const UNPACKED = join(CACHE, "root", "usr", "bin", "promtool");

const works = (path: string) => spawnSync(path, ["--version"]).status === 0;

/**
 * Prometheus' own `promtool`, to check the alert rules and run their unit tests, or why the test must be
 * skipped. On PATH it is used as is; with `CI=true` it is unpacked from Debian's `prometheus` package
 * (`apt-get download` + `dpkg -x`, nothing installed or started); elsewhere the test is skipped with a
 * printed reason.
 */
export function ensurePromtool(): { available: true; path: string } | { available: false; reason: string } {
  if (works("promtool")) return { available: true, path: "promtool" };
  if (existsSync(UNPACKED) && works(UNPACKED)) return { available: true, path: UNPACKED };
  if (process.env.CI !== "true") {
    const reason =
      "promtool not found and CI is not true (install Debian's prometheus package, or run with CI=true)";
    console.warn(`skipping promtool checks: ${reason}`);
    return { available: false, reason };
  }
  mkdirSync(CACHE, { recursive: true });
  const run = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, {
      cwd: CACHE,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 600_000,
    });
  const download = () => run("apt-get", ["download", "prometheus"]);
  try {
    download();
  } catch {
    run("apt-get", ["update"]);
    download();
  }
  const deb = readdirSync(CACHE).find((f) => /^prometheus_.*\.deb$/.test(f));
  if (!deb) throw new Error(`apt-get download prometheus left no .deb in ${CACHE}`);
  run("dpkg", ["-x", deb, "root"]);
  if (!works(UNPACKED)) throw new Error(`unpacked ${deb}, but ${UNPACKED} does not run`);
  return { available: true, path: UNPACKED };
}
