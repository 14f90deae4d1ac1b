// Secrets that ride in URLs never reach output: a password or secret query value in the database URL
// (the file's `source.url` refuses both; ORDER_SYNC_DB_URL's never printed, an unknown scheme included),
// and credentials in MONDAY_API_URL (refused; query secrets redacted from every message).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig, redactUrl, resolveSettings, urlSecrets } from "../../src/config/index.js";
import { DB_URL_SCHEMES, openDatabase, UnsupportedDatabaseUrlError } from "../../src/db/index.js";
import { HttpTransport, loadDocument } from "../../src/monday/index.js";
import { runCli } from "../helpers/cli.js";
import { testConfig } from "../helpers/sync-env.js";

const SECRET = "s3cret-Pw-917";
const dir = mkdtempSync(join(tmpdir(), "order-sync-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("secrets in URLs", () => {
  it("finds and redacts a user-info password and secret query values", () => {
    expect(urlSecrets(`postgres://app:${SECRET}@db/x`)).toContain(SECRET);
    expect(urlSecrets(`postgres://app@db/x?sslmode=require&password=${SECRET}`)).toEqual([SECRET]);
    expect(urlSecrets("postgres://app@db/x?sslmode=require")).toEqual([]);
    expect(redactUrl(`https://bob:${SECRET}@proxy/v2?api_key=${SECRET}&v=1`)).toBe(
      "https://[redacted]@proxy/v2?api_key=[redacted]&v=1",
    );
  });

  it("refuses a password in source.url, as user:password@ and as ?password=", () => {
    for (const url of [`postgres://app:${SECRET}@db/x`, `postgres://app@db/x?password=${SECRET}`]) {
      let e: unknown;
      try {
        parseConfig({ source: { url } });
      } catch (error) {
        e = error;
      }
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toMatch(/source\.url: must not contain a password/);
      expect((e as Error).message).not.toContain(SECRET);
    }
  });

  it("refuses credentials in monday.apiUrl and MONDAY_API_URL without printing them", () => {
    expect(() => parseConfig({ monday: { apiUrl: `https://u:${SECRET}@api.monday.com/v2` } })).toThrow(
      /monday\.apiUrl: must not contain credentials/,
    );
    const config = testConfig();
    let error: unknown;
    try {
      resolveSettings(config, dir, { MONDAY_API_URL: `https://u:${SECRET}@api.monday.com/v2` });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/MONDAY_API_URL must not hold a user name or password/);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it("keeps a secret query value of the API URL out of the transport's errors", async () => {
    const url = `http://127.0.0.1:9/v2?api_key=${SECRET}`;
    const http = new HttpTransport({ url, token: "tok-123456", apiVersion: "2026-10", timeoutMs: 2000 });
    // fetch names the URL it refuses: a URL with credentials shows what reaches every message.
    const refused = new HttpTransport({
      url: `http://u:${SECRET}@127.0.0.1:9/v2`,
      token: "tok-123456",
      apiVersion: "2026-10",
      timeoutMs: 2000,
    });
    for (const t of [http, refused]) {
      const e: unknown = await t.request(loadDocument("GetComplexity"), {}).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).not.toContain(SECRET);
    }
  });

  it("opens only the URL schemes the database layer lists; others are a config error without the password", async () => {
    expect(Object.keys(DB_URL_SCHEMES)).toEqual(
      expect.arrayContaining(["postgres:", "postgresql:", "mysql:", "mariadb:", "mssql:", "sqlserver:"]),
    );
    for (const url of [`postgress://app:${SECRET}@db/x`, `oracle://app:${SECRET}@db/x`]) {
      // The config refuses it when it resolves the dialect...
      expect(() => resolveSettings(testConfig(), dir, { ORDER_SYNC_DB_URL: url })).toThrow(
        /ORDER_SYNC_DB_URL: database URL scheme ".+:\/\/" is not supported; use postgres:\/\/, postgresql:\/\/.*SQLite file path/,
      );
      // ... and so does the database layer, whatever dialect a caller passes.
      const e: unknown = await openDatabase({ dialect: "sqlite", url }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UnsupportedDatabaseUrlError);
      expect((e as UnsupportedDatabaseUrlError).outcome).toBe("config");
      expect((e as Error).message).not.toContain(SECRET);
      try {
        resolveSettings(testConfig(), dir, { ORDER_SYNC_DB_URL: url });
      } catch (x) {
        expect((x as Error).message).not.toContain(SECRET);
      }
    }
  });

  it("the CLI: exit 2 and no password, for a DB URL of another scheme and for MONDAY_API_URL credentials", async () => {
    expect((await runCli(["init", "--dir", dir, "--orders", "3"])).code).toBe(0);
    const config = join(dir, "order-sync.yaml");
    for (const env of [
      { ORDER_SYNC_DB_URL: `oracle://app:${SECRET}@127.0.0.1:1521/test`, MONDAY_API_TOKEN: "tok-123456" },
      { MONDAY_API_URL: `http://u:${SECRET}@127.0.0.1:9/v2`, MONDAY_API_TOKEN: "tok-123456" },
    ]) {
      const r = await runCli(["sync", "--config", config], { env });
      expect(r.stderr + r.stdout).not.toContain(SECRET);
      expect(r.stderr).not.toMatch(/unexpected error/);
      expect(r.code).toBe(2);
    }
  }, 60_000);
});
