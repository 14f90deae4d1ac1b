// Issue 13, item 3: every error a user can cause ends in one line that says what to do, with the
// documented exit code (README: 2 usage or config error), and no stack trace.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ARGV, runCli, type CliResult } from "../helpers/cli.js";

let dir: string;
let config: string;
const ROOT = new URL("../..", import.meta.url).pathname;

/** The whole of stderr is one line, starting `order-sync: `. */
function oneLine(r: CliResult): string {
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^order-sync: /);
  return lines[0]!;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "order-sync-errors-"));
  expect((await runCli(["init", "--dir", dir, "--orders", "5"])).code).toBe(0);
  config = join(dir, "order-sync.yaml");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("user errors: one line, the documented exit code", () => {
  it("an unknown option is a usage error (exit 2) naming the option", async () => {
    const r = await runCli(["sync", "--dry-run", "--config", config]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toContain("unknown option '--dry-run'");
    expect(r.stdout).toBe("");
    const cmd = await runCli(["synk"]);
    expect(cmd.code).toBe(2);
    expect(oneLine(cmd)).toMatch(/unknown command 'synk'.*Did you mean sync\?/);
  }, 120_000);

  it("a closed stdout (`| true`, `| head`) ends the command quietly, exit 0", () => {
    const cli = CLI_ARGV.map((a) => `'${a}'`).join(" ");
    for (const args of ["--help", `status --config '${config}'`, `plan --config '${config}'`]) {
      const r = spawnSync("bash", ["-c", `${cli} ${args} | true; echo "exit=\${PIPESTATUS[0]}" >&2`], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, MONDAY_API_TOKEN: "", MONDAY_API_URL: "" },
      });
      expect(r.stderr.trim(), args).toMatch(/^(order-sync: MONDAY_API_TOKEN is not set.*\n)?exit=[02]$/);
      expect(r.stderr).not.toContain("EPIPE");
    }
  }, 120_000);

  it("a port in use names the port and the flag (serve and emulator), exit 2", async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = String((busy.address() as { port: number }).port);
    try {
      const serve = await runCli(["serve", "--config", config, "--port", port], {
        env: { MONDAY_API_TOKEN: "t", MONDAY_API_URL: "http://127.0.0.1:9/v2" },
      });
      expect(serve.code).toBe(2);
      expect(oneLine(serve)).toBe(
        `order-sync: port ${port} on 127.0.0.1 is already in use: stop what listens there, or pass --port N (or serve.port in the config)`,
      );
      const emulator = await runCli(["emulator", "--port", port]);
      expect(emulator.code).toBe(2);
      expect(oneLine(emulator)).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(emulator.stderr).toContain("--port N");
    } finally {
      await new Promise((r) => busy.close(r));
    }
  }, 120_000);

  it("a time zone that does not exist is a config error naming the key", async () => {
    const bad = join(dir, "bad-tz.yaml");
    writeFileSync(
      bad,
      readFileSync(config, "utf8").replace(
        "schedule: { intervalSeconds: 900, runOnStart: true }",
        'schedule: { cron: "*/15 * * * *", timezone: Europe/Londn }',
      ),
    );
    for (const cmd of ["doctor", "serve"]) {
      const r = await runCli([cmd, "--config", bad], { env: { MONDAY_API_TOKEN: "t" } });
      expect(r.code, cmd).toBe(2);
      expect(r.stderr).toContain("serve.schedule.timezone: is not a time zone");
      expect(r.stderr).not.toMatch(/RangeError|\n\s+at /);
    }
  }, 120_000);

  it("an API URL without /v2 names the URL and suggests /v2; a 404 says the URL must end in /v2", async () => {
    const noPath = await runCli(["plan", "--config", config], {
      env: { MONDAY_API_TOKEN: "t", MONDAY_API_URL: "http://127.0.0.1:4000" },
    });
    expect(noPath.code).toBe(2);
    expect(oneLine(noPath)).toBe(
      "order-sync: MONDAY_API_URL: http://127.0.0.1:4000 has no path; monday.com's API is at /v2: use http://127.0.0.1:4000/v2",
    );
    // A server that answers 404 at another path (an emulator at /v1).
    const http = await import("node:http");
    const server = http.createServer((_req, res) => res.writeHead(404).end("Not Found"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await runCli(["plan", "--config", config], {
        env: { MONDAY_API_TOKEN: "t", MONDAY_API_URL: `http://127.0.0.1:${port}/v1` },
      });
      expect(r.code).toBe(2);
      expect(oneLine(r)).toContain("monday.com answered HTTP 404 (not found): the API URL");
      expect(r.stderr).toContain("must end in /v2");
    } finally {
      await new Promise((r) => server.close(r));
    }
  }, 120_000);
});
