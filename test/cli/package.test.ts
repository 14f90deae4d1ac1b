// Issue 13, item 1: `npm pack` holds what a user needs and nothing else, and the packed CLI works from any
// folder (what `npm install -g <tarball>` or `npm link` puts on PATH runs bin/order-sync.js).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "order-sync-pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the npm package", () => {
  it("packs bin, dist, README and package.json only, and the packed CLI runs from another folder", () => {
    // `npm pack` runs `prepare` (the build) first, as `npm install -g` from a clone does.
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 280_000,
    });
    const [pack] = JSON.parse(out.slice(out.indexOf("["))) as {
      filename: string;
      files: { path: string }[];
    }[];
    const files = pack!.files.map((f) => f.path);
    expect(files).toContain("bin/order-sync.js");
    expect(files).toContain("dist/cli/main.js");
    expect(files).toContain("dist/emulator/schema.graphql");
    expect(files.some((f) => f.startsWith("dist/monday/documents/") && f.endsWith(".graphql"))).toBe(true);
    expect(files).toContain("README.md");
    const outside = files.filter((f) => !/^(bin\/|dist\/|README\.md$|package\.json$)/.test(f));
    expect(outside).toEqual([]);
    expect(files.some((f) => f.endsWith(".test.js") || f.startsWith("src/"))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin).toEqual({ "order-sync": "bin/order-sync.js" });

    execFileSync("tar", ["-xzf", join(work, pack!.filename), "-C", work]);
    symlinkSync(join(ROOT, "node_modules"), join(work, "package", "node_modules"));
    const cli = join(work, "package", "bin", "order-sync.js");
    const elsewhere = mkdtempSync(join(work, "user-"));
    const help = execFileSync(process.execPath, [cli, "--help"], { cwd: elsewhere, encoding: "utf8" });
    expect(help).toMatch(/^Usage: order-sync /);
    const init = execFileSync(process.execPath, [cli, "init", "--orders", "3"], {
      cwd: elsewhere,
      encoding: "utf8",
    });
    expect(init).toContain("next: order-sync emulator --port 4000");
    expect(readFileSync(join(elsewhere, "order-sync.yaml"), "utf8")).toContain("customers:");
  }, 300_000);
});
