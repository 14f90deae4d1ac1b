// The `order-sync emulator` contract outside checks rely on: `--user TOKEN=NAME` (repeatable) and monday's 401
// for any other token, `--app-token` with `--signing-secret` (never printed), limits on unless `--no-limits`,
// and a one-line error with exit 2 for a bad flag value.
import type { ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, spawnCli, waitForLine } from "../helpers/cli.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGTERM");
});

/** Starts the emulator CLI on a free port; resolves with its URL and everything it printed first. */
async function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawnCli(["emulator", "--port", "0", ...args], { env });
  children.push(child);
  let printed = "";
  child.stdout?.on("data", (d: Buffer) => (printed += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (printed += d.toString()));
  const line = await waitForLine(child, /monday\.com limits/);
  const url = /http:\/\/\S+\/v2/.exec(printed)?.[0] ?? "";
  return { url, line, printed: () => printed };
}

async function post(url: string, token: string, query: string) {
  const res = await fetch(url, {
    method: "POST",
    headers: { Authorization: token, "Content-Type": "application/json" },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown> } };
}

describe("order-sync emulator flags", () => {
  it("--user tokens are their users, other tokens get 401; the signing secret is never printed", async () => {
    const secret = "never-print-me-8e1f";
    const emulator = await startCli([
      "--user",
      "tok-a=Alice Archer",
      "--user",
      "tok-b=Bob Baker",
      "--app-token",
      "tok-app",
      "--signing-secret",
      secret,
    ]);
    expect(emulator.line).toContain("limits on");
    expect(emulator.line).toContain("users: Emulator User, Alice Archer, Bob Baker");
    const me = await post(emulator.url, "tok-a", "{ me { name } }");
    expect(me.body.data).toEqual({ me: { name: "Alice Archer" } });
    expect((await post(emulator.url, "tok-b", "{ me { name } }")).body.data).toEqual({
      me: { name: "Bob Baker" },
    });
    expect((await post(emulator.url, "tok-app", "{ me { id } }")).status).toBe(200);
    expect((await post(emulator.url, "someone-else", "{ me { id } }")).status).toBe(401);
    expect(emulator.printed()).not.toContain(secret);
    expect(emulator.printed()).not.toContain("tok-a");
  });

  it("limits are on by default and off with --no-limits; any token is the default user without --user", async () => {
    const complexity = "{ complexity { before after } }";
    const limited = await startCli(["--budget", "1000000"]);
    const on = await post(limited.url, "whoever", complexity);
    const charged = on.body.data?.complexity as { before: number; after: number };
    expect(charged.before).toBe(1_000_000);
    expect(charged.after).toBeLessThan(charged.before);
    const open = await startCli(["--no-limits", "--budget", "1000000"]);
    expect(open.line).toContain("limits off");
    expect(open.line).toContain("any non-empty token is the default user");
    const off = await post(open.url, "whoever", complexity);
    expect(off.body.data).toEqual({ complexity: { before: 1_000_000, after: 1_000_000 } });
  });

  it("takes the signing secret from MONDAY_SIGNING_SECRET", async () => {
    const emulator = await startCli(["--app-token", "tok-app"], { MONDAY_SIGNING_SECRET: "from-env" });
    expect((await post(emulator.url, "tok-app", "{ me { id } }")).status).toBe(200);
    expect(emulator.printed()).not.toContain("from-env");
  });

  it.each([
    [["--user", "no-equals-sign"], "--user must be <token>=<name>, both non-empty"],
    [["--user", "=Nobody"], "--user must be <token>=<name>, both non-empty"],
    [["--app-token", "tok-app"], "--app-token needs --signing-secret (or MONDAY_SIGNING_SECRET)"],
    [["--time-scale", "fast"], "--time-scale must be a positive number"],
  ])("%j: one line on stderr, exit 2", async (args, message) => {
    const r = await runCli(["emulator", "--port", "0", ...args], { env: { MONDAY_SIGNING_SECRET: "" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
