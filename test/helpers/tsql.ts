import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  Kysely,
  MssqlAdapter,
  MssqlIntrospector,
  MssqlQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from "kysely";
import type { Database, Db } from "../../src/db/index.js";

/**
 * A `Db` that speaks SQL Server without one: Kysely's own MssqlAdapter and MssqlQueryCompiler compile
 * every statement exactly as for tedious, and a recording driver keeps it and answers with no rows
 * (`answer` may return rows for a statement). Transactions are driver calls on SQL Server (tedious's
 * beginTransaction), not SQL, so nothing is lost by not sending them.
 */
export function recordingMssql(answer: (q: CompiledQuery) => unknown[] = () => []): {
  db: Db;
  statements: CompiledQuery[];
} {
  const statements: CompiledQuery[] = [];
  const connection: DatabaseConnection = {
    async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
      statements.push(q);
      return { rows: answer(q) as R[], numAffectedRows: 0n };
    },
    // eslint-disable-next-line require-yield
    async *streamQuery() {
      throw new Error("the recording driver does not stream");
    },
  };
  const driver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => connection,
    beginTransaction: async () => undefined,
    commitTransaction: async () => undefined,
    rollbackTransaction: async () => undefined,
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  };
  const kysely = new Kysely<Database>({
    dialect: {
      createAdapter: () => new MssqlAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new MssqlIntrospector(k),
      createQueryCompiler: () => new MssqlQueryCompiler(),
    },
  });
  return { db: { kysely, dialect: "mssql", close: () => kysely.destroy() }, statements };
}

const run = promisify(execFile);

/**
 * Makes sure Debian's `sqlfluff` (with its `tsql` dialect) is installed: installs it with apt-get when
 * missing and this process may (root). Resolves to the reason it is unusable, or undefined.
 */
export function ensureSqlfluff(): string | undefined {
  const has = () => {
    try {
      execFileSync("sqlfluff", ["version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (has()) return undefined;
  if (process.getuid?.() !== 0) return "sqlfluff is not installed (apt-get install sqlfluff)";
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore", env });
    execFileSync("apt-get", ["install", "-y", "-qq", "sqlfluff"], { stdio: "ignore", env });
  } catch (e) {
    return `cannot install sqlfluff: ${(e as Error).message}`;
  }
  return has() ? undefined : "sqlfluff still missing after apt-get install";
}

/**
 * A statement's shape for parsing: parameters renamed alike and long lists cut to two entries, so 300
 * rows of VALUES or 500 keys of IN (…) parse as quickly as two (the grammar is the same; sqlfluff is slow
 * on long statements). Distinct statements often share a shape.
 *
 * @example statementShape("insert into t (a, b) values (@1, @2), (@3, @4), (@5, @6)") // "… values (@p, @p), (@p, @p)"
 */
export function statementShape(text: string): string {
  return text
    .replace(/@\d+/g, "@p")
    .replace(/(\((?:@p, )*@p\))(?:, \((?:@p, )*@p\))+/g, "$1, $1")
    .replace(/@p(?:, @p){2,}/g, "@p, @p");
}

/** One statement sqlfluff could not parse as T-SQL, with its text. */
export interface TsqlProblem {
  statement: string;
  message: string;
}

/**
 * Parses every statement with sqlfluff's T-SQL grammar, one file a statement in one run (sqlfluff starts
 * slowly; and after a first unparsable section in a file it reports nothing more of it), and returns
 * those it could not parse (`PRS`, or `TMP` for a file it could not even read), with its message.
 */
export async function tsqlProblems(statements: readonly string[]): Promise<TsqlProblem[]> {
  const dir = mkdtempSync(join(tmpdir(), "order-sync-tsql-"));
  try {
    const files = statements.map((s, i) => {
      const file = join(dir, `${String(i).padStart(5, "0")}.sql`);
      writeFileSync(file, `${s.trim()};\n`);
      return file;
    });
    // L001 (trailing whitespace) is a cheap rule to run: parse violations are reported whatever the rules.
    const { stdout } = await run(
      "sqlfluff",
      ["lint", "--dialect", "tsql", "--format", "json", "--rules", "L001", "--nofail", ...files],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as {
      filepath: string;
      violations: { code: string; description: string }[];
    }[];
    return report.flatMap((f) =>
      f.violations
        .filter((v) => v.code === "PRS" || v.code === "TMP")
        .map((v) => ({
          statement: statements[files.indexOf(f.filepath)] ?? f.filepath,
          message: v.description,
        })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
