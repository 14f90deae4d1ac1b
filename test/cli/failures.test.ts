// Issue 13, item 6: `failures` lists every FAILED, DEAD and QUARANTINED order with its error, attempts and
// last try; `validate` lists the most severe issues first, with --severity and --limit.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import type { Failure } from "../../src/cli/commands/failures.js";
import { loadSettings } from "../../src/config/index.js";
import { openDatabase } from "../../src/db/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { runCli } from "../helpers/cli.js";

let dir = "";
let config = "";
let emulator: Emulator;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "order-sync-failures-"));
  expect((await runCli(["init", "--dir", dir, "--orders", "40"])).code).toBe(0);
  config = join(dir, "order-sync.yaml");
  const settings = loadSettings(config);
  emulator = await startEmulator({ port: 0, boards: emulatorBoards(settings.config) });
  env = { MONDAY_API_TOKEN: "t", MONDAY_API_URL: emulator.url };
  // One order whose quantity is not a number: an ERROR, quarantined, never sent.
  const db = await openDatabase(settings.db);
  await sql`update "ORDERS_UNIFIED" set "ORDER QTY" = 'lots' where "AAG ORDER NUMBER" = 'AAG-0000001'`.execute(
    db.kysely,
  );
  await db.close();
}, 120_000);
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("failures you can read and act on", () => {
  it("validate: ERROR issues first; --severity ERROR --limit 1 shows only the worst", async () => {
    const all = await runCli(["validate", "--limit", "3", "--config", config], { env });
    expect(all.code).toBe(1);
    const rows = all.stdout.split("\n").filter((l) => /^\S+.*\bAAG-\d{7}\b/.test(l));
    expect(rows[0]).toMatch(/AAG-0000001 .* ERROR /);
    const only = await runCli(["validate", "--severity", "ERROR", "--limit", "1", "--config", config], {
      env,
    });
    const listed = only.stdout.split("\n").filter((l) => /\bAAG-\d{7}\b/.test(l));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatch(/AAG-0000001 .* ERROR /);
    const bad = await runCli(["validate", "--severity", "SEVERE", "--config", config], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/option '--severity <level>' argument 'SEVERE' is invalid/);
  }, 240_000);

  it("lists quarantined and dead orders with error, attempts and last try; --customer; --json", async () => {
    const sync = await runCli(["sync", "--json", "--config", config], { env });
    expect(sync.code, sync.stderr).toBe(1);
    // A row monday refused for good (DEAD) for another order of another customer.
    const db = await openDatabase(loadSettings(config).db);
    const now = new Date().toISOString();
    await db.kysely
      .insertInto("STG_MON_CustMasterSchedule")
      .values({
        batch_id: "B-dead",
        customer: "BLUE HARBOR",
        order_key: "AAG-0000099",
        board_id: "5001000001",
        action: "UPDATE",
        stg_status: "DEAD",
        attempts: 5,
        last_error: "ColumnValueException: invalid value\nfor column po_number",
        stg_created_date: now,
        stg_updated_date: now,
      })
      .execute();
    await db.close();
    const r = await runCli(["failures", "--config", config], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^2 orders not on their boards: 1 DEAD .*, 0 FAILED .*, 1 QUARANTINED/);
    const lines = r.stdout.split("\n");
    expect(lines[2]).toMatch(
      /^BLUE HARBOR\s+AAG-0000099\s+DEAD\s+UPDATE\s+5\s+\S+\s+ColumnValueException: invalid value for column po_number$/,
    );
    expect(lines[3]).toMatch(/AAG-0000001\s+QUARANTINED\s+-\s+0\s+\S+\s+.*ORDER QTY/);
    const json = await runCli(["failures", "--json", "--customer", "BLUE HARBOR", "--config", config], {
      env,
    });
    const listed = JSON.parse(json.stdout) as Failure[];
    expect(listed).toEqual([
      expect.objectContaining({
        customer: "BLUE HARBOR",
        orderKey: "AAG-0000099",
        state: "DEAD",
        attempts: 5,
      }),
    ]);
  }, 240_000);
});
