import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { testDatabases } from "../helpers/databases.js";
import {
  expectBoardsMatchDatabase,
  stagedCount,
  syncEnv,
  testConfig,
  type SyncEnv,
} from "../helpers/sync-env.js";

const sqlite = (await testDatabases()).find((d) => d.name === "sqlite")!;
const ORDERS = 5000;

/**
 * Three boards: one shared by two customers (a group per customer and season), two with one customer
 * each; the middle one with size subitems (a subitems board holds at most 10,000 items).
 */
const config = testConfig((raw) => {
  const template = (raw.boards as Record<string, unknown>[])[0]!;
  const board = (id: string, name: string, subitems?: string) => {
    const { subitems: _s, ...rest } = template;
    return { ...rest, id, name, ...(subitems ? { subitems: { ...(_s as object), boardId: subitems } } : {}) };
  };
  raw.boards = [
    board("7000000001", "Shared schedule"),
    board("7000000011", "Kestrel schedule", "7000000012"),
    board("7000000021", "Maple & Moss schedule"),
  ];
  raw.customers = [
    { name: "NORTHWIND APPAREL", board: "7000000001", group: "{CUSTOMER} · {SEASON}" },
    { name: "BLUE HARBOR", board: "7000000001", group: "{CUSTOMER} · {SEASON}" },
    { name: "KESTREL OUTDOOR", board: "7000000011", group: "{SEASON}" },
    { name: "MAPLE & MOSS", board: "7000000021", group: "Ships {EX FACTORY DATE}" },
  ];
});

describe(`${ORDERS} orders on three boards, one shared by two customers`, () => {
  let db: Db;
  let env: SyncEnv;
  beforeAll(async () => {
    db = await sqlite.open();
    await createOrdersTable(db);
    await writeDemoOrders(db, { count: ORDERS, seed: 13 });
    // Four customers for three boards: the fifth demo customer's orders join MAPLE & MOSS.
    await sql`UPDATE "ORDERS_UNIFIED" SET "CUSTOMER" = ${"MAPLE & MOSS"} WHERE "CUSTOMER" = ${"URBAN THREAD CO"}`.execute(
      db.kysely,
    );
    env = await syncEnv(db, config);
  });
  afterAll(async () => {
    await env?.close();
    await db?.close();
  });

  it("syncs every order to its board and group, boards in parallel, and the next run is a no-op", async () => {
    const summary = await env.sync();
    expect(summary.exitCode).toBe(0);
    const open = Number(
      (
        await sql<{
          n: number;
        }>`SELECT COUNT(*) AS n FROM "ORDERS_UNIFIED" WHERE "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"}`.execute(
          db.kysely,
        )
      ).rows[0]!.n,
    );
    expect(summary.counts.created).toBe(open);
    expect(await expectBoardsMatchDatabase(env, db)).toBe(open);
    const groups = env.emulator.store.boards.get("7000000001")!.groups.map((g) => g.title);
    expect(groups).toEqual(expect.arrayContaining(["NORTHWIND APPAREL · SS26", "BLUE HARBOR · FW27"]));
    expect(await stagedCount(db)).toBe(0);
    const writes = env.emulator.log.writeRequests;
    const again = await env.sync();
    expect(again.counts.unchanged).toBe(open);
    expect(env.emulator.log.writeRequests).toBe(writes);
  }, 240_000);
});
