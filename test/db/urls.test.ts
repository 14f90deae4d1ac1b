import { describe, expect, it } from "vitest";
import { ConfigError, resolveSettings } from "../../src/config/index.js";
import {
  DB_URL_SCHEMES,
  DatabaseError,
  UnsupportedDatabaseUrlError,
  dialectOfUrl,
  openDatabase,
} from "../../src/db/index.js";
import { describeMssqlTarget, parseMssqlTarget, tediousConfig } from "../../src/db/dialects/mssql.js";
import { mysqlPoolOptions } from "../../src/db/dialects/mysql.js";
import { testConfig } from "../helpers/sync-env.js";

const SECRET = "s3cret-pw;x=1";

describe("database URLs", () => {
  it("maps every supported scheme to its dialect, and a path or file: to SQLite", () => {
    expect(DB_URL_SCHEMES).toEqual({
      "postgres:": "postgres",
      "postgresql:": "postgres",
      "mysql:": "mysql",
      "mariadb:": "mysql",
      "mssql:": "mssql",
      "sqlserver:": "mssql",
    });
    expect(dialectOfUrl("MariaDB://app@db/orders")).toBe("mysql");
    expect(dialectOfUrl("sqlserver://sa@db:1433/erp")).toBe("mssql");
    expect(dialectOfUrl("Server=tcp:db,1433;Database=erp;User Id=app")).toBe("mssql");
    expect(dialectOfUrl("Data Source=db\\SQLEXPRESS;Initial Catalog=erp")).toBe("mssql");
    expect(dialectOfUrl("orders.db")).toBeUndefined();
    expect(dialectOfUrl("file:///tmp/orders.db")).toBeUndefined();
    expect(dialectOfUrl("/srv/a=b;c.db")).toBeUndefined();
  });

  it("refuses any other scheme with one line naming the supported ones and never the password", () => {
    const err = (() => {
      try {
        return dialectOfUrl(`oracle://scott:${SECRET}@db:1521/orcl`);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UnsupportedDatabaseUrlError);
    const message = (err as Error).message;
    expect(message).toMatch(/^database URL scheme "oracle:\/\/" is not supported; use postgres:\/\/, /);
    for (const scheme of Object.keys(DB_URL_SCHEMES)) expect(message).toContain(`${scheme}//`);
    expect(message).not.toContain("s3cret");
    expect((err as UnsupportedDatabaseUrlError).outcome).toBe("config");
  });

  it("is a ConfigError from ORDER_SYNC_DB_URL, and opens the right dialect otherwise", () => {
    const config = testConfig();
    expect(() => resolveSettings(config, "/tmp", { ORDER_SYNC_DB_URL: `db2://u:${SECRET}@h/d` })).toThrow(
      ConfigError,
    );
    try {
      resolveSettings(config, "/tmp", { ORDER_SYNC_DB_URL: `db2://u:${SECRET}@h/d` });
    } catch (e) {
      expect((e as Error).message).toMatch(/^ORDER_SYNC_DB_URL: database URL scheme "db2:\/\/"/);
      expect((e as Error).message).not.toContain("s3cret");
    }
    const url = `mariadb://app:${SECRET}@db:3306/orders`;
    expect(resolveSettings(config, "/tmp", { ORDER_SYNC_DB_URL: url }).db).toEqual({ dialect: "mysql", url });
    const ado = "Server=db;Database=erp;User Id=app;Password=x";
    expect(resolveSettings(config, "/tmp", { ORDER_SYNC_DB_URL: ado }).db).toEqual({
      dialect: "mssql",
      url: ado,
    });
  });

  it("reads MySQL/MariaDB URLs: credentials decoded, utf8mb4, dates as text, TLS on request", () => {
    const o = mysqlPoolOptions(
      `mysql://app%40x:${encodeURIComponent(SECRET)}@db.local:3307/or%20ders?ssl=true`,
    );
    expect(o).toMatchObject({
      host: "db.local",
      port: 3307,
      user: "app@x",
      password: SECRET,
      database: "or ders",
      charset: "UTF8MB4_UNICODE_CI",
      dateStrings: true,
      ssl: { rejectUnauthorized: true },
    });
    expect(mysqlPoolOptions("mariadb://root@127.0.0.1/test").ssl).toBeUndefined();
    expect(() => mysqlPoolOptions("mysql://root@h/test?ssl=maybe")).toThrow(/ssl=maybe/);
  });

  it("reads SQL Server URLs and ADO.NET strings alike, TLS options included", () => {
    const fromUrl = parseMssqlTarget(
      `mssql://app:${encodeURIComponent(SECRET)}@db:1444/erp?encrypt=strict&trustServerCertificate=true`,
    );
    expect(fromUrl).toEqual({
      server: "db",
      port: 1444,
      database: "erp",
      user: "app",
      password: SECRET,
      encrypt: "strict",
      trustServerCertificate: true,
      connectTimeoutMs: 15_000,
    });
    const fromAdo = parseMssqlTarget(
      `Server=tcp:db,1444;Initial Catalog=erp;User ID=app;Password={${SECRET}};Encrypt=yes;TrustServerCertificate=False;Connect Timeout=30`,
    );
    expect(fromAdo).toEqual({
      ...fromUrl,
      encrypt: true,
      trustServerCertificate: false,
      connectTimeoutMs: 30_000,
    });
    const named = parseMssqlTarget("Data Source=.\\SQLEXPRESS;Database=erp;User Id=sa;Password=x");
    expect(named).toMatchObject({ server: "localhost", instanceName: "SQLEXPRESS" });
    expect(tediousConfig(named).options).toMatchObject({
      instanceName: "SQLEXPRESS",
      encrypt: true,
      useUTC: true,
    });
    expect(tediousConfig(named).options).not.toHaveProperty("port");
    expect(describeMssqlTarget(fromAdo)).toBe("db:1444 (database erp, user app)");
    expect(() => parseMssqlTarget("Server=db;Integrated Security=true")).toThrow(/Integrated Security/);
    expect(() => parseMssqlTarget("mssql://db/erp?encrypt=perhaps")).toThrow(/encrypt=perhaps/);
  });

  it("names host and port but never the password when MySQL or SQL Server is unreachable", async () => {
    for (const target of [
      { dialect: "mysql" as const, url: `mysql://bob:${encodeURIComponent(SECRET)}@127.0.0.1:1/orders` },
      {
        dialect: "mssql" as const,
        url: `Server=127.0.0.1,1;Database=orders;User Id=bob;Password={${SECRET}};Connect Timeout=3`,
      },
    ]) {
      const err = await openDatabase(target).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabaseError);
      const e = err as DatabaseError;
      expect(e.message).toContain("127.0.0.1:1");
      expect(e.message).toContain("database orders");
      expect(e.message).not.toContain("s3cret");
      expect(e.target).not.toContain("s3cret");
      expect(e.dialect).toBe(target.dialect);
    }
  }, 30_000);
});
