import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wireApp } from "../../src/app.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { loadSettings } from "../../src/config/index.js";
import { openDatabase, type Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { startEmulator } from "../../src/emulator/index.js";
import { deleteItemOp } from "../../src/monday/index.js";
import type { ReconcileReport } from "../../src/sync/index.js";
import { runCli } from "../helpers/cli.js";
import { testDatabases } from "../helpers/databases.js";
import {
  boardItems,
  boardView,
  expectBoardsMatchDatabase,
  syncEnv,
  type SyncEnv,
} from "../helpers/sync-env.js";

/** POSTs to one of the emulator's admin endpoints (a planner's edit in monday's UI). */
async function admin(env: { emulator: { url: string } }, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(env.emulator.url.replace(/\/v2$/, `/__admin/${path}`), {
    method: "POST",
    headers: { authorization: "dev", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json();
}

const drift = (r: ReconcileReport) =>
  r.onBoardOnly.length + r.inDatabaseOnly.length + r.valuesDiffer.length + r.duplicateKeys.length;

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`order-sync reconcile on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;

    beforeAll(async () => {
      db = await engine.open();
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: 60, seed: 5 });
      env = await syncEnv(db);
      expect((await env.sync()).exitCode).toBe(0);
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("reports nothing on boards that match, with reads only", async () => {
      env.emulator.resetStats();
      const report = await wireApp(env.settings, db).reconcile({ dryRun: true });
      const s = env.emulator.stats();
      console.log(
        `reconcile --dry-run, no drift: ${JSON.stringify({ requests: s.requests, complexity: s.complexityUsed })}`,
      );
      expect(drift(report)).toBe(0);
      expect(report.errors).toEqual([]);
      expect(report.boards.reduce((n, b) => n + b.itemsOnBoard, 0)).toBeGreaterThan(40);
      expect(s.writeRequests).toBe(0);
    });

    it("finds each kind of drift, repairs it, and a sync after it writes nothing", async () => {
      const board = env.settings.config.boards[0]!;
      const [changed, deleted] = await boardItems(env, board.id);
      await admin(env, `items/${changed!.id}/column-values`, {
        columnValues: { po_number: "EDITED BY HAND" },
      });
      await env.client.runBatch([deleteItemOp({ itemId: deleted!.id })]);
      const stranger = (await admin(env, `boards/${board.id}/items`, {
        name: "added by hand",
        columnValues: { order_number: "HAND-1" },
      })) as { id?: string; item?: { id: string } };
      const report = await wireApp(env.settings, db).reconcile({ dryRun: true });
      expect(report.valuesDiffer).toEqual([
        expect.objectContaining({ itemId: changed!.id, field: "po_number", board: "EDITED BY HAND" }),
      ]);
      expect(report.inDatabaseOnly).toEqual([expect.objectContaining({ itemId: deleted!.id })]);
      expect(report.onBoardOnly).toEqual([expect.objectContaining({ key: "HAND-1", name: "added by hand" })]);

      env.emulator.resetStats();
      const repaired = await wireApp(env.settings, db).reconcile({});
      const s = env.emulator.stats();
      console.log(
        `reconcile (repair of 3 drifts): ${JSON.stringify({ requests: s.requests, writeRequests: s.writeRequests, complexity: s.complexityUsed })}`,
      );
      expect(repaired.repair?.dropped).toBe(1);
      expect(repaired.repair?.marked).toBe(1);
      expect(repaired.repair?.sync.counts.created).toBe(1);
      expect(repaired.repair?.sync.counts.updated).toBe(1);
      const after = await wireApp(env.settings, db).reconcile({ dryRun: true });
      expect(after.valuesDiffer).toEqual([]);
      expect(after.inDatabaseOnly).toEqual([]);
      expect(after.onBoardOnly.map((u) => u.key)).toEqual(["HAND-1"]);
      await env.client.runBatch([deleteItemOp({ itemId: stranger.id ?? stranger.item?.id ?? "" })]);
      await expectBoardsMatchDatabase(env, db);
      env.emulator.resetStats();
      const noop = await env.sync();
      expect(noop.counts.created + noop.counts.updated).toBe(0);
      expect(env.emulator.stats().writeRequests).toBe(0);
    });
  });
}

describe("order-sync reconcile on the command line", () => {
  it("--dry-run --json prints the differences and exits 1; without them, exits 0 after repairing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "order-sync-reconcile-"));
    expect((await runCli(["init", "--dir", dir, "--orders", "30"])).code).toBe(0);
    const config = join(dir, "order-sync.yaml");
    const settings = loadSettings(config, {});
    const emulator = await startEmulator({ port: 0, boards: emulatorBoards(settings.config) });
    const env = { MONDAY_API_URL: emulator.url, MONDAY_API_TOKEN: "cli-test" };
    try {
      expect((await runCli(["sync", "--config", config], { env })).code).toBe(0);
      const db = await openDatabase(settings.db);
      try {
        const view = boardView(db, emulator, settings);
        const [victim] = await boardItems(view, settings.config.boards[0]!.id);
        await view.client.runBatch([deleteItemOp({ itemId: victim!.id })]);
        const dry = await runCli(["reconcile", "--dry-run", "--json", "--config", config], { env });
        expect(dry.code).toBe(1);
        const report = JSON.parse(dry.stdout) as ReconcileReport;
        expect(report.inDatabaseOnly).toEqual([expect.objectContaining({ itemId: victim!.id })]);
        const text = await runCli(["reconcile", "--dry-run", "--config", config], { env });
        expect(text.stdout).toContain("in the database, not on the board: 1");
        const fix = await runCli(["reconcile", "--config", config], { env });
        expect(fix.code).toBe(0);
        expect(fix.stdout).toMatch(/repaired: 1 state row of items gone dropped/);
        await expectBoardsMatchDatabase(view, db);
        expect((await runCli(["reconcile", "--dry-run", "--config", config], { env })).code).toBe(0);
      } finally {
        await db.close();
      }
    } finally {
      await emulator.close();
    }
  }, 240_000);
});
