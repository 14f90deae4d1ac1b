// Issue 13, item 5: doctor and every sync report config customers that match no order (with the close
// match), source customers no config entry covers, and boards whose customers left the config.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { loadSettings } from "../../src/config/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { runCli } from "../helpers/cli.js";

let dir = "";
let config = "";
let emulator: Emulator;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "order-sync-mismatch-"));
  expect((await runCli(["init", "--dir", dir, "--orders", "40"])).code).toBe(0);
  config = join(dir, "order-sync.yaml");
  emulator = await startEmulator({ port: 0, boards: emulatorBoards(loadSettings(config).config) });
  env = { MONDAY_API_TOKEN: "t", MONDAY_API_URL: emulator.url };
}, 120_000);
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("no silent mismatch", () => {
  it("a misspelt customer: doctor and sync name it, its close match, and the uncovered source customer", async () => {
    const typo = join(dir, "typo.yaml");
    writeFileSync(typo, readFileSync(config, "utf8").replace('name: "BLUE HARBOR"', 'name: "Blue Harbor"'));
    const doctor = await runCli(["doctor", "--config", typo], { env });
    expect(doctor.stdout).toMatch(
      /customers\s+FAIL\s+config customer "Blue Harbor" matches no order in the source; the source has "BLUE HARBOR" \(fix customers\[\]\.name\)/,
    );
    expect(doctor.stdout).toMatch(/source customer "BLUE HARBOR" \(\d+ orders\) is in no config entry/);
    const sync = await runCli(["sync", "--config", typo], { env });
    expect(sync.stdout).toContain(
      '! config customer "Blue Harbor" matches no order in the source; the source has "BLUE HARBOR"',
    );
    expect(sync.stderr).toContain("matches no order in the source");
  }, 240_000);

  it("a customer that left the config: its items on the board are reported by sync and doctor", async () => {
    expect((await runCli(["sync", "--config", config], { env })).code).toBe(0);
    const gone = join(dir, "gone.yaml");
    const raw = readFileSync(config, "utf8");
    const kept = raw.replace(/\n\s*- \{ name: "KESTREL OUTDOOR"[^\n]*/, "");
    expect(kept).not.toContain("KESTREL OUTDOOR");
    writeFileSync(gone, kept);
    const sync = await runCli(["sync", "--json", "--config", gone], { env });
    const summary = JSON.parse(sync.stdout) as {
      customerMismatches: { departed: { customer: string; items: number }[] };
    };
    expect(summary.customerMismatches.departed).toEqual([
      expect.objectContaining({ customer: "KESTREL OUTDOOR", items: expect.any(Number) as number }),
    ]);
    expect(summary.customerMismatches.departed[0]!.items).toBeGreaterThan(0);
    const doctor = await runCli(["doctor", "--config", gone], { env });
    expect(doctor.stdout).toMatch(
      /customer "KESTREL OUTDOOR" left the config but has \d+ items on board \d+/,
    );
  }, 240_000);
});
