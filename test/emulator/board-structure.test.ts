// Board and column management on the live board, column settings in both shapes, Board.type and the
// subitems column, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { CREATE_ITEM, emulatorWithBoard, gql } from "./client.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await emulatorWithBoard();
});
afterAll(() => emulator.close());

interface ColumnRead {
  id: string;
  title: string;
  type: string;
  description: string | null;
  settings: Record<string, unknown>;
  settings_str: string;
  revision: string;
}
const COLUMN_FIELDS = "id title type description settings settings_str revision";

async function ok<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await gql<T>(emulator, query, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!;
}

async function columns(board: string, ids?: string[]): Promise<ColumnRead[]> {
  const data = await ok<{ boards: { columns: ColumnRead[] }[] }>(
    `query ($b: [ID!], $c: [String]) { boards(ids: $b) { columns(ids: $c) { ${COLUMN_FIELDS} } } }`,
    { b: [board], c: ids ?? null },
  );
  return data.boards[0]!.columns;
}

async function createItem(board: string, name: string, values: Record<string, unknown> = {}) {
  const data = await ok<{ create_item: { id: string; name: string } }>(CREATE_ITEM, {
    board,
    name,
    values: JSON.stringify(values),
  });
  return data.create_item;
}

describe("column settings", () => {
  it("serve the 2025-10 shape on settings and the legacy string on settings_str", async () => {
    const read = await columns("100", ["status", "tags", "key"]);
    const [status, tags, key] = ["status", "tags", "key"].map((id) => read.find((c) => c.id === id));
    expect(status!.settings).toEqual({
      labels: ["Open", "Done", "Stuck"].map((label, i) => ({
        id: i,
        color: i,
        label,
        index: i,
        is_done: false,
        is_deactivated: false,
      })),
    });
    expect(JSON.parse(status!.settings_str)).toEqual({
      labels: { "0": "Open", "1": "Done", "2": "Stuck" },
      labels_positions_v2: { "0": 0, "1": 1, "2": 2 },
      done_colors: [],
    });
    expect(tags!.settings).toEqual({
      labels: [
        { id: 1, name: "Red" },
        { id: 2, name: "Green" },
        { id: 3, name: "Blue" },
      ],
    });
    expect(JSON.parse(tags!.settings_str)).toEqual(tags!.settings);
    expect(key!.settings).toEqual({});
    expect(key!.settings_str).toBe("{}");
  });

  it("a new status column gets monday's defaults, where Done (id 1) is displayed last", async () => {
    const data = await ok<{ create_column: ColumnRead }>(
      `mutation { create_column(board_id: "100", title: "Stage", column_type: status) { ${COLUMN_FIELDS} } }`,
    );
    const labels = data.create_column.settings.labels as { id: number; label: string; index: number }[];
    expect(labels.map((l) => [l.label, l.id, l.index])).toEqual([
      ["Working on it", 0, 0],
      ["Done", 1, 2],
      ["Stuck", 2, 1],
    ]);
    expect(data.create_column.id).toMatch(/^color_mk[a-z0-9]+$/);
    expect(JSON.parse(data.create_column.settings_str)).toMatchObject({ done_colors: [1] });
  });

  it("update_status_column moves, adds and deactivates labels; ids stay, writes go by id", async () => {
    await ok(
      `mutation { create_column(board_id: "100", id: "phase", title: "Phase", column_type: status,
        defaults: "{\\"labels\\":{\\"0\\":\\"Draft\\",\\"1\\":\\"Live\\",\\"2\\":\\"Gone\\"}}") { id } }`,
    );
    const [before] = await columns("100", ["phase"]);
    const update = `mutation ($rev: String!, $s: UpdateStatusColumnSettingsInput) {
      update_status_column(board_id: "100", id: "phase", revision: $rev, settings: $s) { ${COLUMN_FIELDS} } }`;
    const data = await ok<{ update_status_column: ColumnRead }>(update, {
      rev: before!.revision,
      s: {
        labels: [
          { id: 0, label: "Draft", color: "working_orange", index: 2 },
          { id: 1, label: "Live", color: "done_green", index: 1, is_done: true },
          { id: 2, label: "Gone", color: "stuck_red", index: 3, is_deactivated: true },
          { label: "Review", color: "purple", index: 0 },
        ],
      },
    });
    const after = data.update_status_column;
    expect(after.settings.labels).toEqual([
      { id: 0, color: 0, label: "Draft", index: 2, is_done: false, is_deactivated: false },
      { id: 1, color: 1, label: "Live", index: 1, is_done: true, is_deactivated: false },
      { id: 2, color: 2, label: "Gone", index: 3, is_done: false, is_deactivated: true },
      { id: 3, color: 4, label: "Review", index: 0, is_done: false, is_deactivated: false },
    ]);
    expect(Number(after.revision)).toBeGreaterThan(Number(before!.revision));
    expect(JSON.parse(after.settings_str)).toEqual({
      labels: { "0": "Draft", "1": "Live", "3": "Review" },
      labels_positions_v2: { "0": 2, "1": 1, "3": 0 },
      done_colors: [1],
    });
    const stale = await gql(emulator, update, { rev: before!.revision, s: { labels: [] } });
    expect(stale.errors?.[0]?.extensions.code).toBe("InvalidArgumentException");

    // {"index":N} names the value id: 3 is "Review", displayed first.
    const byId = await gql<{ create_item: { column_values: { text: string; value: string }[] } }>(
      emulator,
      CREATE_ITEM,
      { board: "100", name: "by id", values: JSON.stringify({ phase: { index: 3 } }) },
    );
    expect(byId.data?.create_item.column_values.find((c) => c.text === "Review")).toBeDefined();
    const deactivated = await gql(emulator, CREATE_ITEM, {
      board: "100",
      name: "gone",
      values: JSON.stringify({ phase: { label: "Gone" } }),
    });
    expect(deactivated.errors?.[0]?.extensions).toMatchObject({
      code: "ColumnValueException",
      error_data: { column_type: "color", column_id: "phase" },
    });
  });
});

describe("column management", () => {
  it("create_column with defaults and after_column_id; change_column_title; change_column_metadata", async () => {
    const created = await ok<{ create_column: ColumnRead }>(
      `mutation ($d: JSON) { create_column(board_id: "100", id: "size", title: "Size", column_type: dropdown,
        after_column_id: "key", defaults: $d, description: "garment size") { ${COLUMN_FIELDS} } }`,
      {
        d: JSON.stringify({
          labels: [
            { id: 4, name: "S" },
            { id: 7, name: "M" },
          ],
        }),
      },
    );
    expect(created.create_column).toMatchObject({
      id: "size",
      type: "dropdown",
      description: "garment size",
    });
    expect(created.create_column.settings.labels).toEqual([
      { id: 4, name: "S" },
      { id: 7, name: "M" },
    ]);
    const order = (await columns("100")).map((c) => c.id);
    expect(order.indexOf("size")).toBe(order.indexOf("key") + 1);

    const renamed = await ok<{ change_column_title: ColumnRead }>(
      `mutation { change_column_title(board_id: "100", column_id: "size", title: "Garment size") { ${COLUMN_FIELDS} } }`,
    );
    expect(renamed.change_column_title.title).toBe("Garment size");
    const described = await ok<{ a: ColumnRead; b: ColumnRead }>(
      `mutation {
        a: change_column_metadata(board_id: "100", column_id: "size", column_property: description, value: "S to XL") { ${COLUMN_FIELDS} }
        b: change_column_metadata(board_id: "100", column_id: "size", column_property: title, value: "Sizes") { ${COLUMN_FIELDS} }
      }`,
    );
    expect(described.a.description).toBe("S to XL");
    expect(described.b.title).toBe("Sizes");
    const unknown = await gql(
      emulator,
      `mutation { change_column_title(board_id: "100", column_id: "nope", title: "x") { id } }`,
    );
    expect(unknown.errors?.[0]?.extensions.code).toBe("InvalidColumnIdException");
  });

  it("delete_column removes the column and its values; unknown columns: InvalidColumnIdException", async () => {
    await ok(
      `mutation { create_column(board_id: "100", id: "scrap", title: "Scrap", column_type: text) { id } }`,
    );
    const item = await createItem("100", "with scrap", { scrap: "gone soon" });
    const deleted = await ok<{ delete_column: { id: string } }>(
      `mutation { delete_column(board_id: "100", column_id: "scrap") { id } }`,
    );
    expect(deleted.delete_column.id).toBe("scrap");
    expect((await columns("100")).map((c) => c.id)).not.toContain("scrap");
    expect(emulator.store.getItem(item.id).values.has("scrap")).toBe(false);
    const again = await gql(
      emulator,
      `mutation { delete_column(board_id: "100", column_id: "scrap") { id } }`,
    );
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: "InvalidColumnIdException",
      error_data: { column_id: "scrap" },
    });
    const write = await gql(emulator, CREATE_ITEM, { board: "100", name: "x", values: '{"scrap":"x"}' });
    expect(write.errors?.[0]?.extensions.code).toBe("InvalidColumnIdException");
    const name = await gql(emulator, `mutation { delete_column(board_id: "100", column_id: "name") { id } }`);
    expect(name.errors?.[0]?.extensions.code).toBe("InvalidArgumentException");
  });

  it("create_board: a board with monday's default columns and group, Board.type board", async () => {
    const data = await ok<{
      create_board: {
        id: string;
        name: string;
        type: string;
        board_kind: string;
        columns: ColumnRead[];
        groups: { id: string }[];
      };
    }>(
      `mutation { create_board(board_name: "Fresh", board_kind: private, description: "d") {
        id name type board_kind columns { ${COLUMN_FIELDS} } groups { id } } }`,
    );
    const board = data.create_board;
    expect(board).toMatchObject({ name: "Fresh", type: "board", board_kind: "private" });
    expect(board.columns.map((c) => [c.id, c.type])).toEqual([
      ["name", "name"],
      ["person", "people"],
      ["status", "status"],
      ["date4", "date"],
    ]);
    expect(board.groups.map((g) => g.id)).toEqual(["topics"]);
  });
});

describe("subitems boards", () => {
  it("the first subitem creates a sub_items_board with default columns and a subitems column on the parent", async () => {
    const board = (
      await ok<{ create_board: { id: string } }>(
        `mutation { create_board(board_name: "Parents", board_kind: public) { id } }`,
      )
    ).create_board.id;
    const parent = await createItem(board, "Parent");
    const subs = [];
    for (const name of ["Small", "Large"])
      subs.push(
        (
          await ok<{
            create_subitem: { id: string; board: { id: string; type: string; columns: ColumnRead[] } };
          }>(
            `mutation ($p: ID!, $n: String!) { create_subitem(parent_item_id: $p, item_name: $n) {
              id board { id type columns { ${COLUMN_FIELDS} } } } }`,
            { p: parent.id, n: name },
          )
        ).create_subitem,
      );
    const subBoard = subs[0]!.board;
    expect(subBoard.type).toBe("sub_items_board");
    expect(subBoard.columns.map((c) => [c.id, c.title, c.type])).toEqual([
      ["name", "Name", "name"],
      ["person", "Owner", "people"],
      ["status", "Status", "status"],
      ["date0", "Date", "date"],
    ]);
    const read = await ok<{
      items: {
        column_values: {
          id: string;
          type: string;
          text: string;
          value: string;
          display_value?: string;
          subitems_ids?: string[];
          subitems?: { name: string }[];
        }[];
      }[];
    }>(
      `query ($i: [ID!]) { items(ids: $i) { column_values(types: [subtasks]) { id type text value
        ... on SubtasksValue { display_value subitems_ids subitems { name } } } } }`,
      { i: [parent.id] },
    );
    const cell = read.items[0]!.column_values[0]!;
    expect(cell).toMatchObject({
      id: "subitems",
      type: "subtasks",
      text: "Small, Large",
      display_value: "Small, Large",
      subitems_ids: subs.map((s) => s.id),
      subitems: [{ name: "Small" }, { name: "Large" }],
    });
    expect(JSON.parse(cell.value)).toEqual({
      linkedPulseIds: subs.map((s) => ({ linkedPulseId: Number(s.id) })),
    });
  });

  it("archive_item takes the item's subitems with it", async () => {
    const parent = await createItem("100", "Archived parent");
    const sub = await ok<{ create_subitem: { id: string } }>(
      `mutation ($p: ID!) { create_subitem(parent_item_id: $p, item_name: "child") { id } }`,
      { p: parent.id },
    );
    await ok(`mutation ($i: ID) { archive_item(item_id: $i) { id } }`, { i: parent.id });
    const read = await ok<{ items: { id: string; state: string }[] }>(
      `query ($i: [ID!]) { items(ids: $i) { id state } }`,
      { i: [parent.id, sub.create_subitem.id] },
    );
    expect(read.items.map((i) => i.state)).toEqual(["archived", "archived"]);
  });
});
