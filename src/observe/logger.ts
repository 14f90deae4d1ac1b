import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import pinoPretty from "pino-pretty";

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

/** Where and how log lines go (`--log-format`, `--log-file`, and the live display's writer). */
export interface LoggerOptions {
  level?: string;
  /** Pretty, one line per entry (the default on a terminal), or JSON lines (the default elsewhere). */
  pretty?: boolean;
  /** A file to append the JSON lines to instead of stderr. */
  file?: string;
  /** Writes what would go to stderr (the live display clears its lines first); default stderr. */
  write?: (text: string) => void;
}

/**
 * The process logger: JSON lines on stderr (stdout is kept for `--json` output), pretty and one line an
 * entry on a terminal; or JSON lines appended to a file.
 *
 * @example
 * const log = createLogger({ level: "info" });
 * log.info({ batchId }, "sync started");
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base = { level: options.level ?? "info", redact: { paths: REDACT, censor: "[redacted]" } };
  if (options.file) return pino(base, pino.destination({ dest: options.file, sync: true, mkdir: true }));
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  const write = options.write;
  if (pretty) {
    const destination = write
      ? new Writable({
          write(chunk: Buffer, _encoding, done) {
            write(chunk.toString());
            done();
          },
        })
      : 2;
    return pino(
      base,
      pinoPretty({
        destination,
        sync: true,
        colorize: process.stderr.isTTY === true,
        singleLine: true,
        ignore: "pid,hostname",
      }),
    );
  }
  return pino(base, write ? { write } : pino.destination({ dest: 2, sync: true }));
}

export type { Logger };
