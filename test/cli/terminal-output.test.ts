// Issue 13, item 2: on a terminal, one live line per customer, cleared before any log line, and a compact
// summary table; JSON log lines on stderr when not a terminal or with --log-format json, or in a file;
// --quiet.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters as stripAnsi } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { loadSettings } from "../../src/config/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CLI_ARGV, runCli } from "../helpers/cli.js";

let dir = "";
let config = "";
let emulator: Emulator;
const ROOT = new URL("../..", import.meta.url).pathname;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "order-sync-tty-"));
  expect((await runCli(["init", "--dir", dir, "--orders", "120"])).code).toBe(0);
  config = join(dir, "order-sync.yaml");
  emulator = await startEmulator({
    port: 0,
    boards: emulatorBoards(loadSettings(config).config),
    latencyMs: 30,
  });
}, 120_000);
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs `order-sync ARGS` on a pseudo-terminal (util-linux `script`): what a person sees. Asynchronous:
 * the emulator answers from this process.
 */
function onTerminal(args: string[]): Promise<{ code: number | null; screen: string }> {
  const cli = [...CLI_ARGV, ...args].map((a) => `'${a}'`).join(" ");
  const child = spawn("script", ["-qec", `stty cols 120 rows 40; ${cli}`, "/dev/null"], {
    cwd: ROOT,
    env: { ...process.env, MONDAY_API_TOKEN: "t", MONDAY_API_URL: emulator.url, COLUMNS: "120" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let screen = "";
  child.stdout.on("data", (d: Buffer) => (screen += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, screen }));
  });
}

describe("terminal output", () => {
  it("on a terminal: live lines per customer, log lines on lines of their own, a summary table", async () => {
    const r = await onTerminal(["sync", "--config", config]);
    expect(r.code, r.screen.slice(-2000)).toBe(0);
    // log-update erases its lines (ESC[2K, cursor up) before a log line is written.
    expect(r.screen).toContain("\u001b[2K");
    const lines = stripAnsi(r.screen)
      .split(/\r?\n|\r/)
      .map((l) => l.trimEnd());
    const logLines = lines.filter((l) => /INFO:/.test(l));
    expect(logLines.length).toBeGreaterThan(0);
    // Every log line starts with its timestamp: nothing of the progress display ran into it.
    for (const l of logLines) expect(l, l).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: /);
    expect(lines.some((l) => /^NORTHWIND APPAREL\s+(detect|push|subitems|done)/.test(l))).toBe(true);
    expect(lines.some((l) => /^\S.*\s+done\s+\d+ created/.test(l))).toBe(true);
    expect(lines.some((l) => /^customer\s+created\s+updated.*adopted$/.test(l))).toBe(true);
    expect(lines.some((l) => /^total\s+\d+/.test(l))).toBe(true);
  }, 300_000);

  it("not on a terminal, or with --log-format json: JSON lines on stderr; --log-file: in the file", async () => {
    const env = { MONDAY_API_TOKEN: "t", MONDAY_API_URL: emulator.url };
    const piped = await runCli(["sync", "--config", config], { env });
    expect(piped.code).toBe(0);
    const entries = piped.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; batchId?: string });
    expect(entries.map((e) => e.msg)).toContain("sync run finished");
    const json = await onTerminal(["sync", "--log-format", "json", "--config", config]);
    expect(json.code).toBe(0);
    expect(stripAnsi(json.screen)).toMatch(/^\{"level":30,.*"msg":"sync run started"\}\r?$/m);
    const file = join(dir, "logs", "sync.jsonl");
    const quietFile = await runCli(["sync", "--log-file", file, "--config", config], { env });
    expect(quietFile.code).toBe(0);
    expect(quietFile.stderr).toBe("");
    const logged = readFileSync(file, "utf8").trim().split("\n");
    expect(logged.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain("sync run finished");
  }, 300_000);

  it("--quiet: no progress, no info lines, one summary line", async () => {
    const r = await onTerminal(["sync", "--quiet", "--config", config]);
    expect(r.code).toBe(0);
    const lines = stripAnsi(r.screen).trim().split(/\r?\n/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^batch \S+: SUCCESS in [\d.]+ s, \d+ monday\.com API requests?$/);
  }, 300_000);
});
