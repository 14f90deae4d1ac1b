// Issue 13 item 6: `order-sync retry` and `discard` run as processes: exit codes, one-line errors naming the
// unknown key, the audit in MON_OperatorActions, and `retry --now` syncing the order's customer.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { loadSettings } from "../../src/config/index.js";
import { openDatabase, type NewStagedOrder } from "../../src/db/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { runCli } from "../helpers/cli.js";
import { stagedOrderRow } from "../helpers/sync-env.js";

let dir = "";
let config = "";
let emulator: Emulator;
let env: Record<string, string>;

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadSettings(config).db);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const stage = (rows: Partial<NewStagedOrder>[]) =>
  withDb((db) =>
    db.kysely
      .insertInto("STG_MON_CustMasterSchedule")
      .values(rows.map((r) => stagedOrderRow({ customer: "BLUE HARBOR", board_id: "5001000001", ...r })))
      .execute(),
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "order-sync-operator-"));
  expect((await runCli(["init", "--dir", dir, "--orders", "30"])).code).toBe(0);
  config = join(dir, "order-sync.yaml");
  emulator = await startEmulator({ port: 0, boards: emulatorBoards(loadSettings(config).config) });
  env = { MONDAY_API_TOKEN: "t", MONDAY_API_URL: emulator.url };
  expect((await runCli(["migrate", "--config", config], { env })).code).toBe(0);
}, 120_000);
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("order-sync retry and discard", () => {
  it("an unknown key is one line naming it, exit 2, nothing done; --help lists the commands", async () => {
    await stage([{ order_key: "AAG-DEAD-1", stg_status: "DEAD", last_error: "ColumnValueException" }]);
    const r = await runCli(["retry", "AAG-DEAD-1", "AAG-NOPE", "--config", config], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      'order-sync: order "AAG-NOPE": nothing to retry, not FAILED, DEAD, QUARANTINED or discarded (see order-sync failures)',
    ]);
    const none = await runCli(["retry", "--config", config], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("order-sync: retry needs order keys, or --all-dead\n");
    await stage([{ order_key: "AAG-FAILED-1", stg_status: "FAILED", attempts: 2 }]);
    const d = await runCli(["discard", "AAG-FAILED-1", "--config", config], { env });
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(
      /^order-sync: only DEAD orders can be discarded: "AAG-FAILED-1" is FAILED .*\n$/,
    );
    const rows = await withDb((db) => db.kysely.selectFrom("MON_OperatorActions").selectAll().execute());
    expect(rows).toEqual([]);
    const help = await runCli(["--help"]);
    expect(help.stdout).toMatch(/retry \[options\] \[key\.\.\.\]/);
    expect(help.stdout).toMatch(/discard \[options\] <key\.\.\.>/);
  }, 120_000);

  it("discard --json, then retry: the rows go, each action audited under the CLI user", async () => {
    const d = await runCli(["discard", "AAG-DEAD-1", "--json", "--config", config], { env });
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout)).toEqual({
      discarded: [
        expect.objectContaining({ customer: "BLUE HARBOR", orderKey: "AAG-DEAD-1", result: "done" }),
      ],
    });
    const r = await runCli(["retry", "AAG-DEAD-1", "AAG-FAILED-1", "--config", config], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/"AAG-DEAD-1"\s+DISCARDED\s+done/);
    expect(r.stdout).toMatch(/"AAG-FAILED-1"\s+FAILED\s+nothing/);
    expect(r.stdout).toMatch(/next: order-sync sync --customer "BLUE HARBOR"/);
    const audit = await withDb((db) =>
      db.kysely.selectFrom("MON_OperatorActions").selectAll().orderBy("action_id").execute(),
    );
    expect(audit.map((a) => [a.action, a.order_key, a.result])).toEqual([
      ["discard", "AAG-DEAD-1", "done"],
      ["retry", "AAG-DEAD-1", "done"],
      ["retry", "AAG-FAILED-1", "nothing"],
    ]);
    expect(audit.every((a) => /^cli:.+@.+/.test(a.actor))).toBe(true);
  }, 120_000);

  it("retry --all-dead --now drops the DEAD rows and syncs their customers at once", async () => {
    await stage([{ order_key: "AAG-DEAD-2", stg_status: "DEAD" }]);
    const r = await runCli(["retry", "--all-dead", "--now", "--json", "--config", config], { env });
    const out = JSON.parse(r.stdout) as {
      retried: unknown[];
      run: { counts: { created: number }; exitCode: number };
    };
    expect(out.retried).toEqual([
      expect.objectContaining({ orderKey: "AAG-DEAD-2", state: "DEAD", result: "done" }),
    ]);
    expect(out.run.counts.created).toBeGreaterThan(0);
    expect(r.code).toBe(out.run.exitCode);
    const left = await withDb((db) =>
      db.kysely
        .selectFrom("STG_MON_CustMasterSchedule")
        .select("order_key")
        .where("stg_status", "=", "DEAD")
        .execute(),
    );
    expect(left).toEqual([]);
  }, 240_000);
});
