// The set-up contract: given a config, the emulator starts with every board, column and group it maps
// (the config is translated to plain board specs on the product side: the emulator never reads it).
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseConfig,
  starterConfig,
  STARTER_BOARD_ID,
  STARTER_SUBITEMS_BOARD_ID,
} from "../../src/config/index.js";
import { EmulatorStore, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { gql } from "./client.js";

const config = parseConfig(parse(starterConfig()));
config.customers.push({ name: "FIXED GROUP CO", board: STARTER_BOARD_ID, group: "Fixed Group" });
config.boards[0]!.columns.push({ source: "NOTES", title: "Notes only by title", type: "text" });

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, boards: emulatorBoards(config) });
});
afterAll(() => emulator.close());

interface Boards {
  boards: {
    id: string;
    name: string;
    columns: { id: string; title: string; type: string; settings: unknown }[];
    groups: { title: string }[];
  }[];
}

describe("emulatorBoards", () => {
  it("creates the config's boards with its ids, columns, labels and literal groups", async () => {
    const res = await gql<Boards>(
      emulator,
      `query ($ids: [ID!]) { boards(ids: $ids) { id name columns { id title type settings } groups { title } } }`,
      { ids: [STARTER_BOARD_ID] },
    );
    const board = res.data!.boards[0]!;
    expect(board.name).toBe("Customer Master Schedule");
    const columns = Object.fromEntries(board.columns.map((c) => [c.id, c]));
    expect(columns.order_number).toMatchObject({ title: "AAG Order Number", type: "text" });
    expect(columns.order_qty?.type).toBe("numbers");
    const labels = ["Open", "Confirmed", "In Production", "Shipped", "On Hold"];
    expect(columns.order_status?.settings).toEqual({
      labels: labels.map((label, i) => ({
        id: i,
        color: i,
        label,
        index: i,
        is_done: false,
        is_deactivated: false,
      })),
    });
    const byTitle = board.columns.find((c) => c.title === "Notes only by title");
    expect(byTitle?.id).toMatch(/^text_mk[a-z0-9]+$/);
    expect(board.groups.map((g) => g.title)).toEqual(["Fixed Group"]);
  });

  it("pre-creates the subitems board with its quantity column", () => {
    const parent = emulator.store.boards.get(STARTER_BOARD_ID)!;
    expect(parent.subitemsBoardId).toBe(STARTER_SUBITEMS_BOARD_ID);
    const sub = emulator.store.boards.get(STARTER_SUBITEMS_BOARD_ID)!;
    expect(sub.columns.map((c) => [c.id, c.type])).toContainEqual(["quantity", "numbers"]);
    expect(sub.parentBoardId).toBe(STARTER_BOARD_ID);
  });

  it("boards whose customers only use templates get monday's default group", () => {
    const second = [...emulator.store.boards.values()].find((b) => b.name.endsWith("(Europe)"))!;
    expect(second.groups.map((g) => g.id)).toEqual(["topics"]);
  });
});

describe("seedBoards", () => {
  it("leaves a board already in the store alone and creates the others", async () => {
    const store = new EmulatorStore();
    store.createBoard({ id: STARTER_BOARD_ID, name: "Prepared by the test", columns: [] });
    const prepared = await startEmulator({ port: 0, store, boards: emulatorBoards(config) });
    try {
      expect(prepared.store.boards.get(STARTER_BOARD_ID)?.name).toBe("Prepared by the test");
      expect([...prepared.store.boards.values()].map((b) => b.name)).toContain(config.boards[1]!.name);
    } finally {
      await prepared.close();
    }
  });
});
