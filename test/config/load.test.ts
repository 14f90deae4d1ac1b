// Loading the config file safely: a YAML alias bomb is a config error (exit 2, one line), and a config
// file or folder any user can write is used with a warning (whoever edits it can redirect the token).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadSettings, starterConfig } from "../../src/config/index.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "order-sync-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Nine aliases a level, seven levels: 9^7 ≈ 4.8 million nodes from a 300-byte file. */
const BOMB = [
  "a: &a [x, x, x, x, x, x, x, x, x]",
  ...["b", "c", "d", "e", "f"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdef"[i]}`).join(", ")}]`),
  `g: [${Array(9).fill("*f").join(", ")}]`,
].join("\n");

describe("loading order-sync.yaml", () => {
  it("refuses a YAML alias bomb with a config error naming the file", () => {
    const file = join(dir, "bomb.yaml");
    writeFileSync(file, BOMB);
    let error: unknown;
    try {
      loadSettings(file, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/bomb\.yaml uses YAML aliases that expand too far/);
  });

  it("the CLI exits 2 with one line for the alias bomb", async () => {
    const file = join(dir, "bomb-cli.yaml");
    writeFileSync(file, BOMB);
    const r = await runCli(["plan", "--config", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(r.stderr).toMatch(/aliases that expand too far/);
  }, 30_000);

  it.skipIf(process.platform === "win32")("warns about a config file or folder others can write", () => {
    const own = join(dir, "own");
    mkdirSync(own);
    const file = join(own, "order-sync.yaml");
    writeFileSync(file, starterConfig());
    chmodSync(own, 0o755);
    const warnings: string[] = [];
    chmodSync(file, 0o644);
    loadSettings(file, {}, (m) => warnings.push(m));
    expect(warnings).toEqual([]);
    chmodSync(file, 0o666);
    loadSettings(file, {}, (m) => warnings.push(m));
    expect(warnings).toEqual([
      expect.stringMatching(
        /config file .*order-sync\.yaml can be written by any user \(mode 666\).*monday\.apiUrl/,
      ),
    ]);
    chmodSync(file, 0o644);
    chmodSync(own, 0o777);
    warnings.length = 0;
    loadSettings(file, {}, (m) => warnings.push(m));
    expect(warnings).toEqual([
      expect.stringMatching(/folder of the config file .* can be written by any user/),
    ]);
    chmodSync(own, 0o755);
  });
});
