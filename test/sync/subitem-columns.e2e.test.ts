import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { testDatabases } from "../helpers/databases.js";
import { boardItems, stagedCount, syncEnv, testConfig, type SyncEnv } from "../helpers/sync-env.js";

const sqlite = (await testDatabases()).find((d) => d.name === "sqlite")!;
const CUSTOMER = "NORTHWIND APPAREL";

/** The subitems board maps two more columns, like the board's own: a ship date and a line status. */
const config = testConfig((raw) => {
  const subitems = (raw.boards as { subitems: Record<string, unknown> }[])[0]!.subitems;
  subitems.columns = [
    { source: "EX FACTORY DATE", id: "ship_date", title: "Ship date", type: "date" },
    {
      source: "ORDER STATUS",
      id: "line_status",
      title: "Line status",
      type: "status",
      labels: ["Open", "Confirmed", "In Production", "Shipped", "On Hold"],
    },
  ];
});

describe("subitem columns mapped the same way as the board's", () => {
  let db: Db;
  let env: SyncEnv;
  beforeAll(async () => {
    db = await sqlite.open();
    await createOrdersTable(db);
    await writeDemoOrders(db, { count: 120, seed: 17 });
    env = await syncEnv(db, config);
  });
  afterAll(async () => {
    await env?.close();
    await db?.close();
  });

  async function expectSubitemsMatch() {
    const rows = new Map(
      (
        await sql<
          Record<string, unknown>
        >`SELECT * FROM "ORDERS_UNIFIED" WHERE "CUSTOMER" = ${CUSTOMER}`.execute(db.kysely)
      ).rows.map((r) => [String(r["AAG ORDER NUMBER"]), r]),
    );
    const items = (await boardItems(env, "5001000001")).filter((i) =>
      rows.has(i.columnValues.order_number?.text ?? ""),
    );
    expect(items.length).toBeGreaterThan(10);
    for (const item of items) {
      const row = rows.get(item.columnValues.order_number!.text!)!;
      expect(item.subitems.length).toBeGreaterThan(0);
      for (const sub of item.subitems) {
        expect(sub.columnValues.ship_date?.text, item.name).toBe(row["EX FACTORY DATE"]);
        expect(sub.columnValues.line_status?.text, item.name).toBe(row["ORDER STATUS"]);
      }
    }
  }

  it("writes them on every size line, and a second run changes nothing", async () => {
    expect((await env.sync([CUSTOMER])).exitCode).toBe(0);
    await expectSubitemsMatch();
    const writes = env.emulator.log.writeRequests;
    expect((await env.sync([CUSTOMER])).counts.unchanged).toBeGreaterThan(10);
    expect(env.emulator.log.writeRequests).toBe(writes);
  });

  it("sends only the changed subitem column to each size line of a changed order", async () => {
    const keys = (
      await sql<{
        k: string;
      }>`SELECT "AAG ORDER NUMBER" AS k FROM "ORDERS_UNIFIED" WHERE "CUSTOMER" = ${CUSTOMER} AND "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"} ORDER BY 1 LIMIT 3`.execute(
        db.kysely,
      )
    ).rows.map((r) => r.k);
    for (const k of keys)
      await sql`UPDATE "ORDERS_UNIFIED" SET "EX FACTORY DATE" = ${"2025-11-03"} WHERE "AAG ORDER NUMBER" = ${k}`.execute(
        db.kysely,
      );
    const from = env.emulator.log.entries.length;
    const summary = await env.sync([CUSTOMER]);
    expect(summary.exitCode).toBe(0);
    const ops = env.emulator.log.entries.slice(from);
    const onSubitems = ops.filter((o) => o.boardId === "5001000002");
    const onItems = ops.filter((o) => o.boardId === "5001000001");
    expect(onItems.map((o) => o.columnIds)).toEqual([["ex_factory"], ["ex_factory"], ["ex_factory"]]);
    expect(onSubitems.length).toBe(summary.counts.subitemsUpdated);
    expect(onSubitems.length).toBeGreaterThanOrEqual(3);
    for (const o of onSubitems) expect(o.columnIds).toEqual(["ship_date"]);
    await expectSubitemsMatch();
    expect(await stagedCount(db)).toBe(0);
  });
});
