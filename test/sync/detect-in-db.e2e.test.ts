import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wireApp } from "../../src/app.js";
import type { Settings } from "../../src/config/index.js";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import type { ResolvedBoard } from "../../src/mapping/index.js";
import { learnBoardValue, loadStateByKeys } from "../../src/state/index.js";
import { customerContext, prepare } from "../../src/sync/prepare.js";
import { detectorFor } from "../../src/sync/steps/detect-in-db.js";
import { testDatabases } from "../helpers/databases.js";
import { syncEnv, type SyncEnv } from "../helpers/sync-env.js";

const ORDERS = 60;

/** Rows the customers' detectors read out of the database (unchanged orders stay there). */
async function rowsRead(settings: Settings, db: Db): Promise<string[]> {
  const app = wireApp(settings, db);
  const deps = { settings, db, monday: app.monday };
  const p = await prepare(deps, undefined);
  const keys: string[] = [];
  for (const customer of p.customers) {
    const board = p.boards.get(customer.board) as ResolvedBoard;
    const detector = await detectorFor(customerContext(deps, p, customer, board));
    for await (const page of detector.pages) keys.push(...page.keys);
  }
  return keys.sort();
}

const openKeys = async (db: Db): Promise<string[]> =>
  (
    await sql<{ k: string }>`select ${sql.id("AAG ORDER NUMBER")} as k from ${sql.id("ORDERS_UNIFIED")}
      where ${sql.id("AAG ORDER NUMBER")} not like ${"%CANCELLED%"} order by 1`.execute(db.kysely)
  ).rows.map((r) => r.k);

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`change detection in the database on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    let open: string[];

    beforeAll(async () => {
      db = await engine.open();
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: ORDERS, seed: 11 });
      env = await syncEnv(db);
      open = await openKeys(db);
      expect((await env.sync()).exitCode).toBe(0);
    }, 120_000);
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("reads no row after a full sync: every state holds its source fingerprint", async () => {
      expect(await rowsRead(env.settings, db)).toEqual([]);
      const summary = await env.sync();
      expect(summary.counts.unchanged).toBe(open.length);
      expect(summary.counts.created + summary.counts.updated + summary.counts.archived).toBe(0);
    });

    it("reads exactly the orders whose source changed, and none once they are synced", async () => {
      const changed = open.slice(3, 6);
      await sql`update ${sql.id("ORDERS_UNIFIED")} set ${sql.id("PO NUMBER")} = ${"PO-CHANGED"}
        where ${sql.id("AAG ORDER NUMBER")} in (${sql.join(changed)})`.execute(db.kysely);
      expect(await rowsRead(env.settings, db)).toEqual(changed);
      const summary = await env.sync();
      expect(summary.counts.updated).toBe(3);
      expect(summary.counts.unchanged).toBe(open.length - 3);
      expect(await rowsRead(env.settings, db)).toEqual([]);
    });

    it("reads an order again when its state changed another way (a board edit learnt)", async () => {
      const key = open[7]!;
      const state =
        (await loadStateByKeys(db.kysely, "NORTHWIND APPAREL", [key])).get(key) ??
        [
          ...(await Promise.all(
            env.settings.config.customers.map((c) => loadStateByKeys(db.kysely, c.name, [key])),
          )),
        ]
          .map((m) => m.get(key))
          .find((s) => s !== undefined)!;
      await learnBoardValue(db.kysely, state, "name", "edited on the board");
      expect(await rowsRead(env.settings, db)).toEqual([key]);
      const summary = await env.sync();
      expect(summary.counts.updated).toBe(1);
      expect(await rowsRead(env.settings, db)).toEqual([]);
    });

    it("archives an order deleted from the source without reading the others", async () => {
      const key = open[10]!;
      await sql`delete from ${sql.id("ORDERS_UNIFIED")} where ${sql.id("AAG ORDER NUMBER")} = ${key}`.execute(
        db.kysely,
      );
      expect(await rowsRead(env.settings, db)).toEqual([]);
      const summary = await env.sync();
      expect(summary.counts.archived).toBe(1);
      open = open.filter((k) => k !== key);
    });

    it("reads every order when the mapping changes (the salt), and a state without fingerprints once", async () => {
      const settings: Settings = {
        ...env.settings,
        config: { ...env.settings.config, sync: { ...env.settings.config.sync, pageSize: 7 } },
      };
      expect(await rowsRead(settings, db)).toEqual(open);
      await db.kysely.updateTable("MON_SyncState").set({ source_hash: null }).execute();
      expect(await rowsRead(env.settings, db)).toEqual(open);
      const writes = env.emulator.log.writeRequests;
      const summary = await env.sync();
      expect(env.emulator.log.writeRequests - writes).toBe(0);
      expect(summary.counts.unchanged).toBe(open.length);
      expect(await rowsRead(env.settings, db)).toEqual([]);
    });
  });
}
