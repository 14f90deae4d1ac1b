// monday.com failing from the very first request (persistent 5xx, a proxy's 502, 429 on every call) is
// "monday.com unavailable": exit 4 with one line naming it, never "unexpected error" and a stack trace.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { loadSettings } from "../../src/config/index.js";
import { startEmulator } from "../../src/emulator/index.js";
import type { FaultKind } from "../../src/emulator/faults.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "order-sync-unavailable-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("monday.com unavailable from the first request", () => {
  it.each<FaultKind>(["server_error", "bad_gateway", "rate_limit"])(
    "%s on every request: exit 4, one line, no stack",
    async (fault) => {
      const here = join(dir, fault);
      expect((await runCli(["init", "--dir", here, "--orders", "10"])).code).toBe(0);
      const file = join(here, "order-sync.yaml");
      writeFileSync(
        file,
        readFileSync(file, "utf8").replace(
          "  maxAttempts: 5 ",
          "  maxAttempts: 2\n  backoffSeconds: { initial: 0.05, max: 0.1 }\n ",
        ),
      );
      const config = loadSettings(file, {}).config;
      const emulator = await startEmulator({
        port: 0,
        boards: emulatorBoards(config),
        faults: { [fault]: 1 },
        timeScale: 20,
      });
      try {
        const r = await runCli(["sync", "--config", file], {
          env: { MONDAY_API_TOKEN: "unavailable-test-token", MONDAY_API_URL: emulator.url },
        });
        expect(r.stderr).not.toMatch(/unexpected error/);
        expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
        // Logs are JSON lines on stderr; the CLI's own message is one line.
        const said = r.stderr.split("\n").filter((l) => l.startsWith("order-sync:"));
        expect(said).toEqual([
          expect.stringMatching(/^order-sync: monday\.com unavailable: .*HTTP (500|502|429)/),
        ]);
        expect(r.code).toBe(4);
      } finally {
        await emulator.close();
      }
    },
    60_000,
  );
});
