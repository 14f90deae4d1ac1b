// Drift the way a monday user makes it: columns deleted and renamed through the API (delete_column,
// change_column_title) stop the next `order-sync sync` run with exit 2 and a message naming the column.
// A column mapped by id is found by its id whatever its title (the id is authoritative), so the rename
// case uses a column mapped by title only, and a renamed id-mapped column is shown not to stop the run.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { loadSettings, type Settings } from "../../src/config/index.js";
import { openDatabase, type Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { gql } from "../emulator/client.js";
import { runCli } from "../helpers/cli.js";
import { createPgSchema, testDatabases } from "../helpers/databases.js";
import { editConfigFile } from "../helpers/serve.js";
import { boardView, expectBoardsMatchDatabase } from "../helpers/sync-env.js";

const BOARD = "5001000001";
const ORDERS = 150;

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`columns changed through the API, then sync (${engine.name})`, () => {
    let config: string;
    let settings: Settings;
    let db: Db;
    let emulator: Emulator;
    let env: Record<string, string>;
    let dropSchema = async (): Promise<void> => undefined;
    let round = 0;

    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), `order-sync-drift-api-${engine.name}-`));
      expect(
        (await runCli(["init", "--dir", dir, "--orders", String(engine.name === "sqlite" ? ORDERS : 1)]))
          .code,
      ).toBe(0);
      config = join(dir, "order-sync.yaml");
      editConfigFile(config, (raw) => {
        const columns = (raw.boards as { columns: Record<string, unknown>[] }[])[0]!.columns;
        columns[1] = { source: "PO NUMBER", title: "PO Number", type: "text" };
      });
      env = { MONDAY_API_TOKEN: "drift-test" };
      if (engine.name === "postgres") {
        const schema = await createPgSchema("os_drift");
        dropSchema = schema.drop;
        env.ORDER_SYNC_DB_URL = schema.url;
      }
      settings = loadSettings(config, env);
      db = await openDatabase(settings.db);
      if (engine.name === "postgres") {
        await createOrdersTable(db);
        await writeDemoOrders(db, { count: ORDERS, seed: 42 });
      }
      emulator = await startEmulator({ port: 0, boards: emulatorBoards(settings.config) });
      env.MONDAY_API_URL = emulator.url;
      const first = await runCli(["sync", "--json", "--config", config], { env });
      expect(first.code, first.stderr.slice(-2000)).toBe(0);
    }, 120_000);
    afterAll(async () => {
      await emulator?.close();
      await db?.close();
      await dropSchema();
    });

    /**
     * Changes the orders of the board's customers, so a run has something to write there. COLOR is among the
     * changes: a deleted column takes its values with it, and the sync only rewrites values that changed.
     */
    async function touchOrders() {
      round++;
      const customers = settings.config.customers.filter((c) => c.board === BOARD).map((c) => c.name);
      await sql`UPDATE "ORDERS_UNIFIED" SET "PO NUMBER" = ${`PO-API-${round}`}, "COLOR" = ${`Colour ${round}`} WHERE "CUSTOMER" IN (${sql.join(customers)})`.execute(
        db.kysely,
      );
    }

    async function api(query: string, variables: Record<string, unknown>) {
      const res = await gql(emulator, query, variables);
      expect(res.errors).toBeUndefined();
      return res.data!;
    }

    const columnIdTitled = (title: string) =>
      emulator.store.boards.get(BOARD)!.columns.find((c) => c.title === title)?.id;

    async function expectStops(message: RegExp) {
      await touchOrders();
      const writes = emulator.log.writeRequests;
      const run = await runCli(["sync", "--config", config], { env });
      expect(run.code, run.stdout + run.stderr).toBe(2);
      expect(run.stdout + run.stderr).toMatch(message);
      expect(emulator.log.writeRequests).toBe(writes);
    }

    async function expectCompletes() {
      const run = await runCli(["sync", "--json", "--config", config], { env });
      expect(run.code, run.stdout.slice(-2000) + run.stderr.slice(-2000)).toBe(0);
      await expectBoardsMatchDatabase(boardView(db, emulator, settings), db);
    }

    it("delete_column of a mapped column: exit 2 naming it; created again, the next run completes", async () => {
      await api(`mutation ($b: ID!) { delete_column(board_id: $b, column_id: "color") { id } }`, {
        b: BOARD,
      });
      await expectStops(/no column with id "color" \(boards\[0\]\.columns\[3\]\)/);
      await api(
        `mutation ($b: ID!) { create_column(board_id: $b, id: "color", title: "Colour", column_type: text) { id } }`,
        { b: BOARD },
      );
      await expectCompletes();
    }, 120_000);

    it("change_column_title of a column mapped by title: exit 2 naming the title; renamed back, it completes", async () => {
      const id = columnIdTitled("PO Number")!;
      const rename = (title: string) =>
        api(
          `mutation ($b: ID!, $c: String!, $t: String!) { change_column_title(board_id: $b, column_id: $c, title: $t) { title } }`,
          {
            b: BOARD,
            c: id,
            t: title,
          },
        );
      await rename("Customer PO");
      await expectStops(/has no column with title "PO Number" \(boards\[0\]\.columns\[1\]\)/);
      await rename("PO Number");
      await expectCompletes();
    }, 120_000);

    it("change_column_title of a column mapped by id does not stop the run: the id is authoritative", async () => {
      await api(
        `mutation ($b: ID!) { change_column_title(board_id: $b, column_id: "color", title: "Shade") { title } }`,
        { b: BOARD },
      );
      await touchOrders();
      await expectCompletes();
    }, 120_000);
  });
}
