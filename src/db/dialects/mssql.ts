import { parse as parseConnectionString, MSSQL_SCHEMA } from "@tediousjs/connection-string";
import { Kysely, MssqlDialect, sql } from "kysely";
import * as Tarn from "tarn";
import * as Tedious from "tedious";
import type { Database } from "../types.js";
import { DatabaseError, type Db, type OpenOptions } from "../open.js";
import { isAdoConnectionString } from "../../config/db-url.js";

/** Where and how to reach SQL Server, from a `mssql://` / `sqlserver://` URL or an ADO.NET string. */
export interface MssqlTarget {
  server: string;
  port?: number;
  /** A named instance (`host\SQLEXPRESS`); found through the SQL Browser, so no port. */
  instanceName?: string;
  database?: string;
  user?: string;
  password?: string;
  /** TLS: `true` (default, as SQL Server 2022 and tedious expect), `false`, or `"strict"` (TDS 8). */
  encrypt: boolean | "strict";
  /** Accept a self-signed server certificate (development servers, the docker compose file). */
  trustServerCertificate: boolean;
  connectTimeoutMs: number;
}

/** The TLS word of a URL query or an ADO.NET `Encrypt=`: yes/true/mandatory, no/false/optional, strict. */
function encryptOf(value: string | undefined | boolean): boolean | "strict" {
  if (value === undefined) return true;
  if (typeof value === "boolean") return value;
  const v = value.trim().toLowerCase();
  if (v === "strict") return "strict";
  if (["true", "yes", "mandatory", "1"].includes(v)) return true;
  if (["false", "no", "optional", "0"].includes(v)) return false;
  throw new RangeError(`encrypt=${value} (expected true, false or strict)`);
}

function flagOf(value: string | undefined | boolean, key: string): boolean {
  if (value === undefined) return false;
  if (typeof value === "boolean") return value;
  const v = value.trim().toLowerCase();
  if (["true", "yes", "1"].includes(v)) return true;
  if (["false", "no", "0"].includes(v)) return false;
  throw new RangeError(`${key}=${value} (expected true or false)`);
}

/** `tcp:host,1433`, `host\INSTANCE`, `host` → server, port, instance. */
function splitServer(text: string): Pick<MssqlTarget, "server" | "port" | "instanceName"> {
  const bare = text.trim().replace(/^tcp:/i, "");
  const [hostPart, portPart] = bare.split(",", 2) as [string, string | undefined];
  const [host, instance] = hostPart.split("\\", 2) as [string, string | undefined];
  const server = host === "." || host.toLowerCase() === "(local)" ? "localhost" : host;
  return {
    server,
    ...(portPart ? { port: Number(portPart.trim()) } : {}),
    ...(instance ? { instanceName: instance } : {}),
  };
}

function fromUrl(url: string): MssqlTarget {
  const u = new URL(url);
  const q = (k: string) => u.searchParams.get(k) ?? undefined;
  const instance = q("instanceName");
  return {
    server: u.hostname || "localhost",
    ...(u.port ? { port: Number(u.port) } : {}),
    ...(instance ? { instanceName: instance } : {}),
    ...(u.pathname.length > 1 ? { database: decodeURIComponent(u.pathname.slice(1)) } : {}),
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    encrypt: encryptOf(q("encrypt")),
    trustServerCertificate: flagOf(q("trustServerCertificate"), "trustServerCertificate"),
    connectTimeoutMs: Number(q("connectTimeout") ?? 15) * 1000,
  };
}

function fromAdo(text: string): MssqlTarget {
  const s = parseConnectionString(text).toSchema(MSSQL_SCHEMA) as Record<string, unknown>;
  if (s["integrated security"] === true || s["trusted_connection"] === true)
    throw new RangeError("Integrated Security is not supported: give User Id and Password");
  const str = (k: string) => (typeof s[k] === "string" && s[k] !== "" ? (s[k] as string) : undefined);
  const database = str("initial catalog");
  const user = str("user id");
  const password = str("password");
  return {
    ...splitServer(str("data source") ?? "localhost"),
    ...(database ? { database } : {}),
    ...(user ? { user } : {}),
    ...(password ? { password } : {}),
    encrypt: encryptOf(s.encrypt as string | boolean | undefined),
    trustServerCertificate: flagOf(
      s.trustservercertificate as string | boolean | undefined,
      "TrustServerCertificate",
    ),
    connectTimeoutMs: Number(s["connection timeout"] ?? 15) * 1000,
  };
}

/**
 * Parses a SQL Server connection: `mssql://user:pw@host:1433/db?encrypt=true&trustServerCertificate=true`
 * (also `sqlserver://`, `?instanceName=`), or an ADO.NET string
 * `Server=tcp:host,1433;Database=db;User Id=app;Password=…;Encrypt=true;TrustServerCertificate=false`.
 * Throws a RangeError naming the bad option (never its neighbours, never the password).
 */
export function parseMssqlTarget(url: string): MssqlTarget {
  const target = isAdoConnectionString(url) ? fromAdo(url) : fromUrl(url);
  if (target.port !== undefined && !(Number.isInteger(target.port) && target.port > 0))
    throw new RangeError("the port must be a positive integer");
  if (!Number.isFinite(target.connectTimeoutMs) || target.connectTimeoutMs <= 0)
    throw new RangeError("connectTimeout must be a positive number of seconds");
  return target;
}

/** `host:port/database` (or `host\instance`) for messages; never the password. */
export function describeMssqlTarget(t: MssqlTarget): string {
  const where = t.instanceName ? `${t.server}\\${t.instanceName}` : `${t.server}:${t.port ?? 1433}`;
  return `${where} (database ${t.database ?? "(default)"}${t.user ? `, user ${t.user}` : ""})`;
}

/** tedious's connection config for a target: SQL logins, UTC dates, TLS as asked. */
export function tediousConfig(t: MssqlTarget): Tedious.ConnectionConfiguration {
  return {
    server: t.server,
    authentication: { type: "default", options: { userName: t.user ?? "", password: t.password ?? "" } },
    options: {
      ...(t.instanceName ? { instanceName: t.instanceName } : { port: t.port ?? 1433 }),
      ...(t.database ? { database: t.database } : {}),
      encrypt: t.encrypt,
      trustServerCertificate: t.trustServerCertificate,
      connectTimeout: t.connectTimeoutMs,
      useUTC: true,
    },
  };
}

/**
 * Opens SQL Server through Kysely's MssqlDialect (tedious connections in a tarn pool) and checks that
 * it answers. Not run against a real server in this repo's default test run: see README, "SQL Server".
 */
export async function openMssql(url: string, opts: OpenOptions): Promise<Db> {
  let target: MssqlTarget;
  try {
    target = parseMssqlTarget(url);
  } catch (e) {
    throw new DatabaseError(
      `invalid SQL Server connection (expected mssql://user@host:port/database or Server=…;Database=…): ${e instanceof RangeError ? e.message : "unparseable"}`,
      "mssql",
      "(unparseable connection)",
      "EINVAL",
    );
  }
  const where = describeMssqlTarget(target);
  const config = tediousConfig(target);
  const dialect = new MssqlDialect({
    // A refused connection fails the acquire at once (propagateCreateError) rather than after 30 s of retries.
    tarn: { ...Tarn, options: { min: 0, max: opts.poolSize ?? 10, propagateCreateError: true } },
    tedious: { ...Tedious, connectionFactory: () => new Tedious.Connection(config) },
  });
  const kysely = new Kysely<Database>({ dialect });
  try {
    await sql`select 1`.execute(kysely);
  } catch (e) {
    await kysely.destroy().catch(() => undefined);
    throw new DatabaseError(
      `cannot connect to SQL Server at ${where}: ${(e as Error).message}`,
      "mssql",
      where,
      (e as { code?: string }).code,
      { cause: e },
    );
  }
  let closed: Promise<void> | undefined;
  return { kysely, dialect: "mssql", close: () => (closed ??= kysely.destroy()) };
}
