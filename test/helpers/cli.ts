import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const ENTRY = fileURLToPath(new URL("./cli-entry.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The argv that runs `order-sync` from source, e.g. for a shell pipeline (`… | head -1`). */
export const CLI_ARGV: readonly string[] = [process.execPath, "--import", "tsx", ENTRY];

/** Starts `order-sync ARGS` as a real process. */
export function spawnCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  return spawn(CLI_ARGV[0]!, [...CLI_ARGV.slice(1), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, MONDAY_API_TOKEN: "", MONDAY_API_URL: "", ORDER_SYNC_DB_URL: "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs `order-sync ARGS` to completion. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const child = spawnCli(args, options);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves with the first stdout line matching `pattern` (e.g. the emulator's "listening" line). */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    let errors = "";
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stderr: ${errors}`)),
      timeoutMs,
    );
    child.stderr?.on("data", (d: Buffer) => (errors += d.toString()));
    child.stdout?.on("data", (d: Buffer) => {
      buffer += d.toString();
      const line = buffer.split("\n").find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.on("close", (code) =>
      reject(new Error(`exited ${code} before printing ${pattern}; stderr: ${errors}`)),
    );
  });
}
