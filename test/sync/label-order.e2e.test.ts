// A sync against a board serving the 2025-10 settings shape, whose status labels are displayed in another
// order than their value ids (API-FACTS "Column.settings_str"): every label must land by its text and id.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { readColumnLabels } from "../../src/mapping/index.js";
import { gql } from "../emulator/client.js";
import { testDatabases } from "../helpers/databases.js";
import { expectBoardsMatchDatabase, sourceRows, syncEnv, type SyncEnv } from "../helpers/sync-env.js";

const BOARD = "5001000001";
const COLUMN = "order_status";

interface StatusCell {
  id: string;
  text: string | null;
  value: string | null;
  label: string | null;
  index: number | null;
}
interface Items {
  boards: {
    items_page: { cursor: string | null; items: { column_values: StatusCell[]; key: { text: string }[] }[] };
  }[];
}
type Label = { id: number; label: string; index: number; is_deactivated: boolean };

/** Reorders the labels through the API: each existing one displayed in reverse, a new one displayed first. */
async function reorderLabels(env: SyncEnv): Promise<void> {
  const read = await gql<{ boards: { columns: { revision: string; settings: { labels: Label[] } }[] }[] }>(
    env.emulator,
    `query ($b: [ID!]) { boards(ids: $b) { columns(ids: ["${COLUMN}"]) { revision settings } } }`,
    { b: [BOARD] },
  );
  const column = read.data!.boards[0]!.columns[0]!;
  const labels = column.settings.labels;
  const res = await gql(
    env.emulator,
    `mutation ($b: ID!, $rev: String!, $s: UpdateStatusColumnSettingsInput) {
      update_status_column(board_id: $b, id: "${COLUMN}", revision: $rev, settings: $s) { id }
    }`,
    {
      b: BOARD,
      rev: column.revision,
      s: {
        labels: [
          ...labels.map((l) => ({
            id: l.id,
            label: l.label,
            color: "bright_blue",
            index: labels.length - l.id,
          })),
          { label: "Backorder", color: "stuck_red", index: 0 },
        ],
      },
    },
  );
  expect(res.errors).toBeUndefined();
}

/** Every item's key and status cell, typed (`... on StatusValue { label index }`), read over HTTP. */
async function statusCells(env: SyncEnv): Promise<{ key: string; cell: StatusCell }[]> {
  const res = await gql<Items>(
    env.emulator,
    `query ($b: [ID!]) { boards(ids: $b) { items_page(limit: 500) { cursor items {
      key: column_values(ids: ["order_number"]) { text }
      column_values(ids: ["${COLUMN}"]) { id text value ... on StatusValue { label index } }
    } } } }`,
    { b: [BOARD] },
  );
  expect(res.errors).toBeUndefined();
  const page = res.data!.boards[0]!.items_page;
  expect(page.cursor).toBeNull();
  return page.items.map((i) => ({ key: i.key[0]!.text, cell: i.column_values[0]! }));
}

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`status labels displayed out of id order on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    beforeAll(async () => {
      db = await engine.open();
      await createOrdersTable(db);
      await writeDemoOrders(db, { count: 120, seed: 7 });
      env = await syncEnv(db);
      await reorderLabels(env);
    });
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("writes each order's status by its label: text, typed label and the stored value id all agree", async () => {
      const live = (await env.client.getBoards([BOARD]))[0]!.columns.find((c) => c.id === COLUMN)!;
      const labels = readColumnLabels(live.settings);
      // The board the sync sees: display order differs from the ids, the newest label first.
      expect(labels[0]).toMatchObject({ label: "Backorder", index: 0 });
      expect(labels.some((l) => l.id !== l.index)).toBe(true);

      const summary = await env.sync();
      expect(summary.exitCode).toBe(0);
      expect(summary.counts.failed).toBe(0);
      await expectBoardsMatchDatabase(env, db);

      const rows = await sourceRows(db);
      const cells = await statusCells(env);
      const customers = new Set(
        env.settings.config.customers.filter((c) => c.board === BOARD).map((c) => c.name),
      );
      const expected = [...rows.values()].filter(
        (r) => customers.has(String(r.CUSTOMER)) && !String(r["AAG ORDER NUMBER"]).includes("CANCELLED"),
      );
      expect(cells).toHaveLength(expected.length);
      let outOfOrder = 0;
      for (const { key, cell } of cells) {
        const want = rows.get(key)?.["ORDER STATUS"] ?? null;
        const label = labels.find((l) => l.label === want);
        if (want === null) {
          expect(cell.value, key).toBeNull();
          continue;
        }
        expect(label, `${key}: ${String(want)} is a label of the board`).toBeDefined();
        expect(cell.text, key).toBe(want);
        expect(cell.label, key).toBe(want);
        expect(cell.index, key).toBe(label!.id);
        expect((JSON.parse(cell.value!) as { index: number }).index, key).toBe(label!.id);
        if (label!.id !== label!.index) outOfOrder++;
      }
      console.log(
        `${cells.length} items checked, ${outOfOrder} with a label whose display index differs from its id`,
      );
      expect(outOfOrder).toBeGreaterThan(cells.length / 4);
    });

    it("a status changed at the source is written by label after the reorder too", async () => {
      const [first] = await statusCells(env);
      const target = first!.cell.text === "Shipped" ? "On Hold" : "Shipped";
      await sql`UPDATE "ORDERS_UNIFIED" SET "ORDER STATUS" = ${target} WHERE "AAG ORDER NUMBER" = ${first!.key}`.execute(
        db.kysely,
      );
      expect((await env.sync()).counts.updated).toBe(1);
      const after = (await statusCells(env)).find((c) => c.key === first!.key)!;
      const id = readColumnLabels(
        (await env.client.getBoards([BOARD]))[0]!.columns.find((c) => c.id === COLUMN)!.settings,
      ).find((l) => l.label === target)!.id;
      expect(after.cell).toMatchObject({ text: target, label: target, index: id });
    });
  });
}
