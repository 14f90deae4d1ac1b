import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { CompiledQuery } from "kysely";
import { ROW_HASH_SOURCE, SQLITE_FINGERPRINT } from "./fingerprint.js";
import { sqliteFault } from "./sqlite-faults.js";

/**
 * Each reader thread: its own read-only connection to the file (WAL lets it read beside the process's
 * writes), the fingerprint function registered as on every connection, and one statement a message.
 * Plain JavaScript evaluated in the thread (`eval`), so it runs the same under tsx, vitest and `dist/`;
 * `__name` is the helper a transpiler may call in the fingerprint's source.
 */
const READER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const __name = (f) => f;
const rowHash64 = ${ROW_HASH_SOURCE}();
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma("busy_timeout = " + Number(workerData.busyMs));
db.function(workerData.fingerprint, { deterministic: true, varargs: true, safeIntegers: true },
  (salt, ...values) => rowHash64(String(salt), values));
const statements = new Map();
parentPort.on("message", ({ id, sql, parameters }) => {
  try {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size > 64) statements.clear();
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    parentPort.postMessage({ id, rows: statement.all(...parameters) });
  } catch (e) {
    parentPort.postMessage({ id, error: { message: String(e && e.message), code: e && e.code } });
  }
});
`;

/** How many reader threads: `ORDER_SYNC_SQLITE_READERS` (0 or 1: none), else 2 when the machine has 2 cores. */
export function readerCount(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.ORDER_SYNC_SQLITE_READERS?.trim();
  const n = text ? Number(text) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : Math.min(2, availableParallelism());
}

/** A reader thread that could not start or died: its statements go to the process's own connection. */
class ReaderGone extends Error {}

interface Pending {
  resolve(rows: unknown[]): void;
  reject(e: unknown): void;
}

interface Reader {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** A value that crossed threads as a `Uint8Array` is a `Buffer` again, as the process's own driver gives blobs. */
function asBuffers(rows: unknown[]): unknown[] {
  for (const row of rows as Record<string, unknown>[])
    for (const k in row) {
      const v = row[k];
      if (v instanceof Uint8Array && !Buffer.isBuffer(v))
        row[k] = Buffer.from(v.buffer, v.byteOffset, v.length);
    }
  return rows;
}

/**
 * Threads that run long read-only statements on a SQLite file, so the change-detection scans of several
 * customers use several cores (better-sqlite3 runs each statement on the calling thread: one connection is
 * one core). Started on first use, at most two (the machines this runs on have two cores), none on a
 * one-core machine (`ORDER_SYNC_SQLITE_READERS` sets the number; 0 turns them off); each statement goes to the reader with the fewest in flight. A reader that cannot start
 * or dies leaves the statements to the process's own connection ({@link SqliteReaders.all} returns null).
 */
export class SqliteReaders {
  private readers: Reader[] | undefined;
  private broken = false;
  private nextId = 1;

  constructor(
    private readonly file: string,
    private readonly busyMs: number,
    private readonly size = readerCount(),
  ) {}

  /** The rows of a compiled `SELECT`, read by a reader thread; null when there is none to read it. */
  async all<R>(query: CompiledQuery): Promise<R[] | null> {
    const reader = this.pick();
    if (!reader) return null;
    const id = this.nextId++;
    const rows = new Promise<unknown[]>((resolve, reject) => reader.pending.set(id, { resolve, reject }));
    if (reader.pending.size === 1) reader.worker.ref();
    reader.worker.postMessage({ id, sql: query.sql, parameters: query.parameters });
    try {
      return asBuffers(await rows) as R[];
    } catch (e) {
      if (e instanceof ReaderGone) return null;
      throw e;
    }
  }

  /** Stops the threads (statements in flight fail). */
  async close(): Promise<void> {
    const readers = this.readers ?? [];
    this.readers = [];
    this.broken = true;
    await Promise.all(readers.map((r) => r.worker.terminate()));
  }

  private pick(): Reader | undefined {
    if (this.broken || this.size < 2) return undefined;
    this.readers ??= Array.from({ length: this.size }, () => this.start());
    return this.readers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  private start(): Reader {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    const worker = new Worker(READER_SOURCE, {
      eval: true,
      workerData: { driver, file: this.file, busyMs: this.busyMs, fingerprint: SQLITE_FINGERPRINT },
    });
    // An idle reader does not keep the process alive; one with statements in flight does.
    worker.unref();
    const reader: Reader = { worker, pending: new Map() };
    worker.on(
      "message",
      (m: { id: number; rows?: unknown[]; error?: { message: string; code?: string } }) => {
        const p = reader.pending.get(m.id);
        if (!p) return;
        reader.pending.delete(m.id);
        if (reader.pending.size === 0) worker.unref();
        if (m.error) {
          const e = Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {});
          p.reject(sqliteFault(e, this.file, this.busyMs));
        } else p.resolve(m.rows ?? []);
      },
    );
    const fail = (why: string) => {
      this.broken = true;
      for (const p of reader.pending.values()) p.reject(new ReaderGone(why));
      reader.pending.clear();
    };
    worker.on("error", (e) => fail(e.message));
    worker.on("exit", (code) => fail(`exited (${code})`));
    return reader;
  }
}
