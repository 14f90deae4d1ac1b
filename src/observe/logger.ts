import { pino, type Logger } from "pino";

/** Keys whose values never reach a log line (the monday token, DB passwords, webhook secrets). */
const REDACT = [
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "password",
  "*.password",
  "secret",
  "*.secret",
  "dbUrl",
  "*.dbUrl",
];

/**
 * The process logger: JSON lines on stderr (stdout is kept for `--json` output), pretty on a terminal.
 *
 * @example
 * const log = createLogger({ level: "info" });
 * log.info({ batchId }, "sync started");
 */
export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  const base = { level: options.level ?? "info", redact: { paths: REDACT, censor: "[redacted]" } };
  if (pretty)
    return pino({
      ...base,
      transport: {
        target: "pino-pretty",
        options: { destination: 2, colorize: true, ignore: "pid,hostname" },
      },
    });
  return pino(base, pino.destination({ dest: 2, sync: true }));
}

export type { Logger };
