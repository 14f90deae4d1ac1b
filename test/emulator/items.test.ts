// Aliased batches, paging with cursors, search by column values, subitems, archive and delete.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { emulatorWithBoard, gql } from "./client.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await emulatorWithBoard();
});
afterAll(() => emulator.close());
beforeEach(() => emulator.log.reset());

interface Page {
  cursor: string | null;
  items: { id: string; name: string }[];
}

describe("aliased batches", () => {
  it("runs every alias in order; one failing alias fails alone, its path naming the alias", async () => {
    const res = await gql<Record<string, { id: string } | null>>(
      emulator,
      `mutation {
        a1: create_item(board_id: "100", item_name: "A1", column_values: "{\\"key\\":\\"A1\\",\\"qty\\":\\"1\\"}") { id }
        a2: create_item(board_id: "100", item_name: "A2", column_values: "{\\"qty\\":\\"two\\"}") { id }
        a3: create_item(board_id: "100", item_name: "A3", column_values: "{\\"key\\":\\"A3\\"}") { id }
      }`,
    );
    expect(res.status).toBe(200);
    expect(res.data?.a1?.id).toMatch(/^\d+$/);
    expect(res.data?.a2).toBeNull();
    expect(Number(res.data?.a3?.id)).toBeGreaterThan(Number(res.data?.a1?.id));
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.path).toEqual(["a2"]);
    expect(res.errors?.[0]?.extensions.code).toBe("ColumnValueException");

    expect(emulator.log.requests).toBe(1);
    expect(emulator.log.writeRequests).toBe(1);
    expect(emulator.log.entries.map((e) => [e.alias, e.operation, e.ok, e.columnIds])).toEqual([
      ["a1", "create_item", true, ["key", "qty"]],
      ["a2", "create_item", false, ["qty"]],
      ["a3", "create_item", true, ["key"]],
    ]);
    expect(emulator.log.entries[1]?.error).toBe("ColumnValueException");
    expect(emulator.log.entries[0]).toMatchObject({ boardId: "100", itemId: res.data?.a1?.id });
  });

  it("counts reads as requests, not write requests, and reports complexity", async () => {
    const res = await gql<{
      complexity: { before: number; after: number; query: number; reset_in_x_seconds: number };
    }>(emulator, `{ boards(ids: ["100"]) { id } complexity { before after query reset_in_x_seconds } }`);
    const c = res.data!.complexity;
    expect(c.query).toBeGreaterThan(0);
    expect(c.after).toBeLessThanOrEqual(c.before);
    expect(c.reset_in_x_seconds).toBeGreaterThan(0);
    expect(res.headers.get("ratelimit-policy")).toContain("q=10000000");
    expect(emulator.log.writeRequests).toBe(0);
    expect(emulator.log.requests).toBe(1);
    const write = await gql<{ complexity: { query: number } }>(
      emulator,
      `mutation { create_item(board_id: "100", item_name: "c") { id } complexity { query } }`,
    );
    expect(write.data?.complexity.query).toBeGreaterThanOrEqual(10_000);
  });
});

describe("paging", () => {
  const board = "200";
  beforeAll(() => {
    emulator.store.createBoard({
      id: board,
      name: "Big",
      columns: [{ id: "key", title: "Key", type: "text" }],
    });
    for (let i = 1; i <= 1200; i++) {
      emulator.store.createItem({ boardId: board, name: `Order ${i}`, columnValues: { key: `K-${i % 7}` } });
    }
  });

  it("walks 1,200 items in pages of at most 500 with opaque cursors", async () => {
    const first = await gql<{ boards: { items_page: Page }[] }>(
      emulator,
      `query ($b: [ID!]) { boards(ids: $b) { items_page(limit: 500) { cursor items { id name } } } }`,
      { b: [board] },
    );
    const pages: Page[] = [first.data!.boards[0]!.items_page];
    while (pages.at(-1)!.cursor) {
      const next = await gql<{ next_items_page: Page }>(
        emulator,
        `query ($c: String!) { next_items_page(cursor: $c, limit: 500) { cursor items { id name } } }`,
        { c: pages.at(-1)!.cursor },
      );
      expect(next.errors).toBeUndefined();
      pages.push(next.data!.next_items_page);
    }
    expect(pages.map((p) => p.items.length)).toEqual([500, 500, 200]);
    const ids = pages.flatMap((p) => p.items.map((i) => i.id));
    expect(new Set(ids).size).toBe(1200);
    expect(ids).toEqual([...ids].sort((a, b) => Number(a) - Number(b)));
  });

  it("refuses unknown cursors", async () => {
    const res = await gql(emulator, `{ next_items_page(cursor: "nope", limit: 5) { cursor } }`);
    expect(res.errors?.[0]?.extensions.code).toBe("CursorException");
  });

  it("items_page_by_column_values matches the exact text, any of the values, and pages", async () => {
    const res = await gql<{ items_page_by_column_values: Page }>(
      emulator,
      `{ items_page_by_column_values(board_id: "${board}", limit: 100, columns: [{ column_id: "key", column_values: ["K-1", "K-2"] }]) {
        cursor items { id name } } }`,
    );
    expect(res.errors).toBeUndefined();
    const page = res.data!.items_page_by_column_values;
    expect(page.items).toHaveLength(100);
    expect(page.cursor).toBeTruthy();
    const rest = await gql<{ items_page_by_column_values: Page }>(
      emulator,
      `query ($c: String) { items_page_by_column_values(board_id: "${board}", cursor: $c, limit: 500) { cursor items { id } } }`,
      { c: page.cursor },
    );
    const expected = emulator.store
      .itemsOfBoard(board)
      .filter((i) => ["K-1", "K-2"].includes(i.values.get("key")!.text));
    expect(100 + rest.data!.items_page_by_column_values.items.length).toBe(expected.length);
    const none = await gql<{ items_page_by_column_values: Page }>(
      emulator,
      `{ items_page_by_column_values(board_id: "${board}", columns: [{ column_id: "key", column_values: ["K-1 "] }]) { cursor items { id } } }`,
    );
    expect(none.data?.items_page_by_column_values).toEqual({ cursor: null, items: [] });
  });

  it("items_page filters with query_params rules", async () => {
    const res = await gql<{ boards: { items_page: Page }[] }>(
      emulator,
      `{ boards(ids: ["${board}"]) { items_page(limit: 500, query_params: { rules: [{ column_id: "key", compare_value: ["K-3"] }] }) { items { id } } } }`,
    );
    expect(res.data?.boards[0]?.items_page.items.length).toBe(
      emulator.store.itemsOfBoard(board).filter((i) => i.values.get("key")?.text === "K-3").length,
    );
  });
});

describe("archive, delete and subitems", () => {
  it("archived items leave items_page and items_page_by_column_values; deleted items too", async () => {
    const created = await gql<{ a: { id: string }; b: { id: string } }>(
      emulator,
      `mutation {
        a: create_item(board_id: "100", item_name: "to archive", column_values: "{\\"key\\":\\"ARCH-1\\"}") { id }
        b: create_item(board_id: "100", item_name: "to delete", column_values: "{\\"key\\":\\"ARCH-1\\"}") { id }
      }`,
    );
    const { a, b } = created.data!;
    const archived = await gql<{
      archive_item: { id: string; state: string };
      delete_item: { state: string };
    }>(
      emulator,
      `mutation { archive_item(item_id: "${a.id}") { id state } delete_item(item_id: "${b.id}") { state } }`,
    );
    expect(archived.data).toEqual({
      archive_item: { id: a.id, state: "archived" },
      delete_item: { state: "deleted" },
    });
    const search = await gql<{ items_page_by_column_values: Page }>(
      emulator,
      `{ items_page_by_column_values(board_id: "100", columns: [{ column_id: "key", column_values: ["ARCH-1"] }]) { items { id } } }`,
    );
    expect(search.data?.items_page_by_column_values.items).toEqual([]);
    const byId = await gql<{ items: { id: string; state: string }[] }>(
      emulator,
      `{ items(ids: ["${a.id}"]) { id state } }`,
    );
    expect(byId.data?.items).toEqual([{ id: a.id, state: "archived" }]);
    expect(emulator.log.entries.map((e) => [e.operation, e.itemId])).toContainEqual(["archive_item", a.id]);
  });

  it("create_subitem puts subitems on the board's subitems board and lists them under the parent", async () => {
    const parent = await gql<{ create_item: { id: string } }>(
      emulator,
      `mutation { create_item(board_id: "100", item_name: "parent") { id } }`,
    );
    const parentId = parent.data!.create_item.id;
    const board = emulator.store.boards.get("100")!;
    expect(board.subitemsBoardId).toBeNull();
    const sub = await gql<{ s1: { id: string; board: { id: string }; parent_item: { id: string } } }>(
      emulator,
      `mutation { s1: create_subitem(parent_item_id: "${parentId}", item_name: "M") { id board { id } parent_item { id } } }`,
    );
    expect(sub.errors).toBeUndefined();
    const subBoardId = board.subitemsBoardId;
    expect(subBoardId).toBeTruthy();
    expect(sub.data?.s1.board.id).toBe(subBoardId);
    expect(sub.data?.s1.parent_item.id).toBe(parentId);
    const listed = await gql<{ items: { subitems: { name: string }[] }[] }>(
      emulator,
      `{ items(ids: ["${parentId}"]) { subitems { name } } }`,
    );
    expect(listed.data?.items[0]?.subitems).toEqual([{ name: "M" }]);
  });

  it("subitems take column values of a pre-created subitems board", async () => {
    const parentBoard = emulator.store.createBoard({
      id: "300",
      name: "With subitems",
      columns: [],
      subitemsBoard: { id: "301", columns: [{ id: "quantity", title: "Quantity", type: "numbers" }] },
    });
    const parent = emulator.store.createItem({ boardId: parentBoard.id, name: "P" });
    const res = await gql<{ create_subitem: { board: { id: string }; column_values: { text: string }[] } }>(
      emulator,
      `mutation ($p: ID!) { create_subitem(parent_item_id: $p, item_name: "L", column_values: "{\\"quantity\\":\\"12\\"}") {
        board { id } column_values(ids: ["quantity"]) { text } } }`,
      { p: parent.id },
    );
    expect(res.data?.create_subitem).toEqual({ board: { id: "301" }, column_values: [{ text: "12" }] });
  });

  it("create_group returns a monday-like group id; items go to it", async () => {
    const res = await gql<{ create_group: { id: string; title: string } }>(
      emulator,
      `mutation { create_group(board_id: "100", group_name: "SS27") { id title } }`,
    );
    expect(res.data?.create_group.id).toMatch(/^group_mk[a-z0-9]+$/);
    const item = await gql<{ create_item: { group: { id: string; title: string } } }>(
      emulator,
      `mutation ($g: String) { create_item(board_id: "100", item_name: "in group", group_id: $g) { group { id title } } }`,
      { g: res.data?.create_group.id },
    );
    expect(item.data?.create_item.group).toEqual({ id: res.data?.create_group.id, title: "SS27" });
  });
});
