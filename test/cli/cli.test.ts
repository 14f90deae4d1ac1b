import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/index.js";
import { runCli, spawnCli, waitForLine } from "../helpers/cli.js";
import { freePort } from "../helpers/ports.js";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "order-sync-cli-"));
  dirs.push(d);
  return d;
};
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe("order-sync CLI", () => {
  afterAll(() => undefined);

  it("prints help with every command", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const cmd of [
      "init",
      "migrate",
      "plan",
      "reconcile",
      "sync",
      "validate",
      "boards",
      "doctor",
      "status",
      "runs",
      "serve",
      "emulator",
      "demo",
    ])
      expect(r.stdout).toContain(cmd);
    expect(r.stdout).toContain("ORDER_SYNC_API_TOKEN");
  });

  it("serve: a bad --port or a bad schedule exits 2 naming it", async () => {
    const dir = tempDir();
    expect((await runCli(["init", "--dir", dir, "--orders", "5"])).code).toBe(0);
    const config = join(dir, "order-sync.yaml");
    const port = await runCli(["serve", "--config", config, "--port", "eighty"], {
      env: { MONDAY_API_TOKEN: "t" },
    });
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port must be a whole number from 0 to 65535, not "eighty"');
    writeFileSync(
      config,
      readFileSync(config, "utf8").replace(
        "schedule: { intervalSeconds: 900, runOnStart: true }",
        'schedule: { cron: "every monday" }',
      ),
    );
    const cron = await runCli(["serve", "--config", config], { env: { MONDAY_API_TOKEN: "t" } });
    expect(cron.code).toBe(2);
    expect(cron.stderr).toContain("serve.schedule.cron: is not a cron expression");
    expect(cron.stderr).not.toContain("    at ");
  });

  it("exits 2 with the bad key named, and no stack trace, for an invalid config", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "order-sync.yaml"),
      "boards:\n  - id: abc\n    name: X\n    keyColumn: { id: k, type: txt }\ncustomers:\n  - { name: A, board: '999' }\nsync: { concurency: 3 }\n",
    );
    const r = await runCli(["sync", "--config", join(dir, "order-sync.yaml")], {
      env: { MONDAY_API_TOKEN: "t" },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("boards[0].id: must be a numeric monday board id");
    expect(r.stderr).toContain("boards[0].keyColumn.type");
    expect(r.stderr).toMatch(/sync: Unrecognized key: "concurency"/);
    noStack(r.stderr);
    writeFileSync(
      join(dir, "order-sync.yaml"),
      "boards:\n  - id: 1\n    name: X\n    keyColumn: { id: k, type: text }\ncustomers:\n  - { name: A, board: 999 }\n",
    );
    const r2 = await runCli(["plan", "--config", join(dir, "order-sync.yaml")], {
      env: { MONDAY_API_TOKEN: "t" },
    });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("customers[0].board: board 999 is not declared under boards (declared: 1)");
  });

  it("exits 2 for a missing config file and for unparseable YAML", async () => {
    const dir = tempDir();
    const missing = await runCli(["sync", "--config", join(dir, "nope.yaml")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/not found.*order-sync init/);
    writeFileSync(join(dir, "bad.yaml"), "boards: [\n");
    const bad = await runCli(["plan", "--config", join(dir, "bad.yaml")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not valid YAML");
    noStack(bad.stderr);
  });

  it("init writes order-sync.yaml and order-sync.db, and refuses to overwrite them", async () => {
    const dir = tempDir();
    const r = await runCli(["init", "--dir", dir, "--orders", "120"]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "order-sync.yaml"), "utf8")).toContain("ORDERS_UNIFIED");
    expect(r.stdout).toContain("120 orders");
    const again = await runCli(["init", "--dir", dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("--force");
  });

  it("exits 2 naming the table when ORDERS_UNIFIED is missing", async () => {
    const dir = tempDir();
    await runCli(["init", "--dir", dir, "--orders", "0"]);
    const config = readFileSync(join(dir, "order-sync.yaml"), "utf8").replace(
      "url: order-sync.db",
      "url: empty.db",
    );
    writeFileSync(join(dir, "order-sync.yaml"), config);
    const r = await runCli(["sync", "--config", join(dir, "order-sync.yaml")], {
      env: { MONDAY_API_TOKEN: "t", MONDAY_API_URL: "http://127.0.0.1:9/v2" },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ORDERS_UNIFIED/);
    expect(r.stderr).toMatch(/not found|does not exist/);
    noStack(r.stderr);
  });

  it("set-up contract: init, emulator --config, sync --json, then status", async () => {
    const dir = tempDir();
    expect((await runCli(["init", "--dir", dir, "--orders", "150"])).code).toBe(0);
    const port = await freePort();
    const emulator = spawnCli(["emulator", "--port", String(port), "--config", join(dir, "order-sync.yaml")]);
    try {
      const line = await waitForLine(emulator, /listening on/);
      expect(line).toContain(`http://127.0.0.1:${port}/v2`);
      const env = { MONDAY_API_TOKEN: "any", MONDAY_API_URL: `http://127.0.0.1:${port}/v2` };
      const sync = await runCli(["sync", "--json", "--config", join(dir, "order-sync.yaml")], { env });
      expect(sync.stderr).not.toContain("unexpected error");
      expect(sync.code).toBe(0);
      const summary = JSON.parse(sync.stdout) as {
        counts: Record<string, number>;
        batchId: string;
        apiRequests: number;
      };
      expect(summary.counts.created).toBeGreaterThan(100);
      expect(summary.counts.failed).toBe(0);
      expect(summary.apiRequests).toBeGreaterThan(0);
      expect(summary.batchId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
      const plan = await runCli(["plan", "--json", "--config", join(dir, "order-sync.yaml")], { env });
      expect(plan.code).toBe(0);
      expect((JSON.parse(plan.stdout) as { changes: unknown[] }).changes).toEqual([]);
      const validate = await runCli(["validate", "--json", "--config", join(dir, "order-sync.yaml")], {
        env,
      });
      expect(validate.code).toBe(0);
      const report = JSON.parse(validate.stdout) as {
        totals: { rows: number; orders: Record<string, number> };
      };
      expect(report.totals.rows).toBe(summary.counts.created);
      expect(report.totals.orders.QUARANTINE).toBe(0);
      expect(existsSync(join(dir, "validation-reports"))).toBe(true);
      const pull = await runCli(["boards", "pull", "--config", join(dir, "order-sync.yaml")], { env });
      expect(pull.code).toBe(0);
      expect(pull.stdout).toMatch(
        /order_status\s+Order Status\s+status\s+Open, Confirmed, In Production, Shipped, On Hold/,
      );
      const saved = JSON.parse(readFileSync(join(dir, "boards.json"), "utf8")) as {
        boards: { id: string }[];
      };
      expect(saved.boards.map((b) => b.id).sort()).toEqual([
        "5001000001",
        "5001000002",
        "5002000001",
        "5002000002",
      ]);
      const doctor = await runCli(["doctor", "--config", join(dir, "order-sync.yaml")], { env });
      expect(doctor.code).toBe(0);
      expect(doctor.stdout).toMatch(/board 5001000001\s+ok/);
      const drifted = readFileSync(join(dir, "order-sync.yaml"), "utf8").replace(
        "id: po_number,",
        "id: po_numberx,",
      );
      writeFileSync(join(dir, "drifted.yaml"), drifted);
      const bad = await runCli(["doctor", "--config", join(dir, "drifted.yaml")], { env });
      expect(bad.code).toBe(2);
      expect(bad.stdout).toMatch(/FAIL.*no column with id "po_numberx" \(boards\[0\]\.columns\[1\]\)/);
      const status = await runCli(["status", "--config", join(dir, "order-sync.yaml")], { env });
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(summary.batchId);
      expect(status.stdout).toContain("circuit breaker CLOSED");
      expect(status.stdout).not.toContain("customers being synced");
      // A customer another process is syncing shows with its holder.
      const db = await openDatabase({ dialect: "sqlite", url: join(dir, "order-sync.db") });
      const expires = new Date(Date.now() + 60_000).toISOString();
      await db.kysely
        .insertInto("MON_SyncLocks")
        .values({
          customer: "BLUE HARBOR",
          owner: "other-host:4242:abc",
          batch_id: "B-1",
          acquired_at: new Date().toISOString(),
          expires_at: expires,
        })
        .execute();
      await db.close();
      const held = await runCli(["status", "--json", "--config", join(dir, "order-sync.yaml")], { env });
      expect((JSON.parse(held.stdout) as { leases: unknown[] }).leases).toEqual([
        expect.objectContaining({ customer: "BLUE HARBOR", owner: "other-host:4242:abc", lapsed: false }),
      ]);
    } finally {
      emulator.kill("SIGTERM");
    }
  }, 240_000); // ten CLI runs: each takes 5–17 s on a loaded 2-core machine

  it("exits 4 with a clear message when monday.com is unreachable", async () => {
    const dir = tempDir();
    await runCli(["init", "--dir", dir, "--orders", "20"]);
    const port = await freePort();
    const r = await runCli(["sync", "--config", join(dir, "order-sync.yaml")], {
      env: { MONDAY_API_TOKEN: "t", MONDAY_API_URL: `http://127.0.0.1:${port}/v2` },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("monday.com is unreachable");
    noStack(r.stderr);
  });

  it("demo runs the three syncs and reports what it did", async () => {
    const dir = tempDir();
    const r = await runCli(["demo", "--dir", join(dir, "demo"), "--orders", "300", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { runs: { summary: { counts: Record<string, number> } }[] };
    expect(out.runs).toHaveLength(3);
    expect(out.runs[0]!.summary.counts.created).toBeGreaterThan(250);
    expect(out.runs[1]!.summary.counts.unchanged).toBe(out.runs[0]!.summary.counts.created);
    expect(out.runs[2]!.summary.counts.updated).toBe(5);
    expect(out.runs[2]!.summary.counts.archived).toBe(1);
  });
});
