// Issue 13, smaller items: `plan` shows old → new values per changed column and counts the subitems it
// lists to create; `status` shows retries readably and an adopted column. CLI as a process, emulator over HTTP.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { loadSettings } from "../../src/config/index.js";
import { openDatabase } from "../../src/db/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import type { PlannedChange } from "../../src/sync/index.js";
import { runCli } from "../helpers/cli.js";

let dir = "";
let config = "";
let emulator: Emulator;
let env: Record<string, string>;

interface Plan {
  changes: PlannedChange[];
  counts: { created: number; updated: number; subitemsCreated: number; subitemsUpdated: number };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "order-sync-plan-values-"));
  expect((await runCli(["init", "--dir", dir, "--orders", "20"])).code).toBe(0);
  config = join(dir, "order-sync.yaml");
  emulator = await startEmulator({ port: 0, boards: emulatorBoards(loadSettings(config).config) });
  env = { MONDAY_API_TOKEN: "test-token", MONDAY_API_URL: emulator.url };
}, 60_000);
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("plan values and counts", () => {
  it("a first plan counts the subitems it lists to create", async () => {
    const r = await runCli(["plan", "--json", "--config", config], { env });
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as Plan;
    const listed = plan.changes.reduce((n, c) => n + (c.subitems?.create.length ?? 0), 0);
    expect(listed).toBeGreaterThan(0);
    expect(plan.counts.subitemsCreated).toBe(listed);
    const text = await runCli(["plan", "--config", config], { env });
    expect(text.stdout.split("\n")[0]).toMatch(
      new RegExp(
        `^plan: ${plan.counts.created} to create, .*; ${listed} subitems to create, 0 to update, 0 to archive$`,
      ),
    );
  }, 120_000);

  it("after a sync, an update shows each changed column's old → new value", async () => {
    const sync = await runCli(["sync", "--json", "--config", config], { env });
    expect(sync.code, sync.stderr).toBe(0);
    const db = await openDatabase(loadSettings(config).db);
    const [row] = (
      await sql<{
        color: string;
        po: string;
      }>`select "COLOR" as color, "PO NUMBER" as po from "ORDERS_UNIFIED" where "AAG ORDER NUMBER" = 'AAG-0000003'`.execute(
        db.kysely,
      )
    ).rows;
    await sql`update "ORDERS_UNIFIED" set "COLOR" = 'Plum', "PO NUMBER" = 'PO-NEW-3' where "AAG ORDER NUMBER" = 'AAG-0000003'`.execute(
      db.kysely,
    );
    await db.close();
    const r = await runCli(["plan", "--json", "--config", config], { env });
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as Plan;
    const update = plan.changes.find((c) => c.orderKey === "AAG-0000003");
    expect(update).toMatchObject({ action: "UPDATE", columns: ["po_number", "color"] });
    expect(update?.values).toEqual({
      po_number: { from: row!.po, to: "PO-NEW-3" },
      color: { from: row!.color, to: "Plum" },
    });
    const text = await runCli(["plan", "--config", config], { env });
    const line = text.stdout.split("\n").find((l) => l.includes("AAG-0000003"));
    expect(line).toMatch(
      new RegExp(
        `UPDATE\\s+mutations\\s+po_number: "${row!.po}" → "PO-NEW-3"; color: "${row!.color}" → "Plum"$`,
      ),
    );
    expect(text.stdout.split("\n")[0]).toMatch(/ 1 to update, .*; 0 subitems to create/);
  }, 180_000);

  it("status: readable retries and an adopted column in the runs table", async () => {
    const r = await runCli(["status", "--config", config], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^batch\s+status\s+started\s+created\s+updated\s+archived\s+adopted\s+failed\s+requests$/m,
    );
    expect(r.stdout).toMatch(/retries: none, 0 waits for complexity budget/);
    expect(r.stdout).not.toMatch(/\{"/);
  }, 60_000);

  it("plurals: one order is 1 order, two are 2 orders", async () => {
    const one = await runCli(["init", "--dir", join(dir, "one"), "--orders", "1"]);
    expect(one.stdout).toMatch(/ with 1 order in ORDERS_UNIFIED /);
    const two = await runCli(["init", "--dir", join(dir, "two"), "--orders", "2"]);
    expect(two.stdout).toMatch(/ with 2 orders in ORDERS_UNIFIED /);
  }, 60_000);
});
