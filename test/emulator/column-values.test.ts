// Writing and reading every column type over real HTTP: `value` and `text` as monday returns them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { CREATE_ITEM, emulatorWithBoard, gql, valuesById } from "./client.js";

interface Created {
  create_item: {
    id: string;
    name: string;
    column_values: { id: string; type: string; text: string | null; value: string | null }[];
  };
}

let emulator: Emulator;
beforeAll(async () => {
  emulator = await emulatorWithBoard();
});
afterAll(() => emulator.close());

async function create(values: Record<string, unknown>, labels?: boolean) {
  const res = await gql<Created>(emulator, CREATE_ITEM, {
    board: "100",
    name: "Item",
    values: JSON.stringify(values),
    labels,
  });
  expect(res.errors).toBeUndefined();
  return valuesById(res.data!.create_item);
}

const parsed = (v: string | null) => (v === null ? null : (JSON.parse(v) as Record<string, unknown>));

describe("column values", () => {
  it("stores each type the way monday returns it", async () => {
    const v = await create({
      key: "Sample",
      notes: { text: "Line 1\nLine 2" },
      qty: "3",
      due: { date: "2026-06-15" },
      status: { label: "Done" },
      tags: { labels: ["Red", "Blue"] },
      flag: { checked: "true" },
      mail: { email: "a@example.com", text: "Alice" },
      tel: { phone: "+15551234567", countryShortName: "US" },
      site: { url: "https://example.com", text: "Example" },
    });
    expect(v.key).toEqual({ text: "Sample", value: '"Sample"' });
    expect(v.notes?.text).toBe("Line 1\nLine 2");
    expect(parsed(v.notes!.value)).toMatchObject({ text: "Line 1\nLine 2" });
    expect(v.qty).toEqual({ text: "3", value: '"3"' });
    expect(v.due?.text).toBe("2026-06-15");
    expect(parsed(v.due!.value)).toMatchObject({ date: "2026-06-15", icon: null });
    expect(parsed(v.due!.value)).toHaveProperty("changed_at");
    expect(v.status?.text).toBe("Done");
    expect(parsed(v.status!.value)).toMatchObject({ index: 1, post_id: null });
    expect(v.tags?.text).toBe("Red, Blue");
    expect(parsed(v.tags!.value)).toEqual({ ids: [1, 3] });
    expect(v.flag?.text).toBe("v");
    expect(parsed(v.flag!.value)).toMatchObject({ checked: "true" });
    expect(parsed(v.mail!.value)).toMatchObject({ email: "a@example.com", text: "Alice" });
    expect(parsed(v.tel!.value)).toMatchObject({ phone: "+15551234567", countryShortName: "US" });
    expect(v.tel?.text).toBe("+15551234567");
    expect(parsed(v.site!.value)).toMatchObject({ url: "https://example.com", text: "Example" });
  });

  it("accepts the short forms: numbers as numbers, status by index or plain label, dates as strings", async () => {
    const v = await create({
      qty: 42.5,
      status: { index: 2 },
      due: "2026-01-31",
      tags: { ids: [2] },
      key: 7,
    });
    expect(v.qty).toEqual({ text: "42.5", value: '"42.5"' });
    expect(v.status?.text).toBe("Stuck");
    expect(v.due?.text).toBe("2026-01-31");
    expect(v.tags?.text).toBe("Green");
    expect(v.key?.text).toBe("7");
    const plain = await create({ status: "Open", notes: "plain long text" });
    expect(plain.status?.text).toBe("Open");
    expect(plain.notes?.text).toBe("plain long text");
  });

  it("stores a date with a time", async () => {
    const v = await create({ due: { date: "2026-06-15", time: "9:05" } });
    expect(parsed(v.due!.value)).toMatchObject({ date: "2026-06-15", time: "09:05:00" });
    expect(v.due?.text).toBe("2026-06-15 09:05");
  });

  it("returns empty columns as value null, text '' (null for status and dropdown)", async () => {
    const v = await create({ key: "only key" });
    expect(v.qty).toEqual({ text: "", value: null });
    expect(v.due).toEqual({ text: "", value: null });
    expect(v.status).toEqual({ text: null, value: null });
    expect(v.tags).toEqual({ text: null, value: null });
  });

  it("round-trips quotes, backslashes, newlines and emoji exactly", async () => {
    const tricky = 'He said "hi" \\ C:\\path\\ \n\ttab 🚀👩‍👩‍👧 ünïcödé \u2028 </script>';
    const v = await create({ key: tricky, notes: { text: tricky } });
    expect(v.key?.text).toBe(tricky);
    expect(JSON.parse(v.key!.value!)).toBe(tricky);
    expect(v.notes?.text).toBe(tricky);
    const names = await gql<Created>(emulator, CREATE_ITEM, { board: "100", name: tricky });
    // monday strips HTML from item names (and only there): the `</script>` goes, the rest is kept.
    expect(names.data?.create_item.name).toBe(tricky.replace("</script>", ""));
  });

  it('clears with null, "" and {}', async () => {
    const created = await gql<Created>(emulator, CREATE_ITEM, {
      board: "100",
      name: "to clear",
      values: JSON.stringify({ key: "x", qty: "1", status: { label: "Done" } }),
    });
    const id = created.data!.create_item.id;
    const res = await gql<{ change_multiple_column_values: Created["create_item"] }>(
      emulator,
      `mutation ($v: JSON!, $id: ID) { change_multiple_column_values(board_id: "100", item_id: $id, column_values: $v) {
        id column_values(ids: ["key", "qty", "status"]) { id text value } } }`,
      { id, v: JSON.stringify({ key: null, qty: "", status: {} }) },
    );
    expect(res.errors).toBeUndefined();
    expect(valuesById(res.data!.change_multiple_column_values)).toEqual({
      key: { text: "", value: null },
      qty: { text: "", value: null },
      status: { text: null, value: null },
    });
  });

  it("changes one column with change_simple_column_value and renames with the name key", async () => {
    const created = await gql<Created>(emulator, CREATE_ITEM, { board: "100", name: "simple" });
    const id = created.data!.create_item.id;
    const res = await gql<{ a: { column_values: { text: string }[] }; b: { name: string } }>(
      emulator,
      `mutation ($id: ID) {
        a: change_simple_column_value(board_id: "100", item_id: $id, column_id: "status", value: "Done") { column_values(ids: ["status"]) { text } }
        b: change_multiple_column_values(board_id: "100", item_id: $id, column_values: "{\\"name\\":\\"renamed\\"}") { name }
      }`,
      { id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.a.column_values[0]?.text).toBe("Done");
    expect(res.data?.b.name).toBe("renamed");
  });

  it("creates missing status and dropdown labels with create_labels_if_missing", async () => {
    const v = await create({ status: { label: "Shipped" }, tags: { labels: ["Purple"] } }, true);
    expect(v.status?.text).toBe("Shipped");
    expect(v.tags?.text).toBe("Purple");
    const board = emulator.store.boards.get("100")!;
    const status = board.columns.find((c) => c.id === "status")!;
    expect(status.settings.labels).toContainEqual(
      expect.objectContaining({ label: "Shipped", id: 3, index: 3, is_deactivated: false }),
    );
    const cols = await gql<{ boards: { columns: { id: string; settings: unknown }[] }[] }>(
      emulator,
      `{ boards(ids: ["100"]) { columns(ids: ["status", "tags"]) { id settings } } }`,
    );
    expect(JSON.stringify(cols.data?.boards[0]?.columns)).toContain("Purple");
  });

  it("returns ColumnValue implementations a client can select on", async () => {
    await create({ status: { label: "Done" } });
    const res = await gql<{
      boards: { items_page: { items: { column_values: { __typename: string; id: string }[] }[] } }[];
    }>(
      emulator,
      `{ boards(ids: ["100"]) { items_page(limit: 1) { items { column_values { __typename id ... on StatusValue { text } } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const types = Object.fromEntries(
      res.data!.boards[0]!.items_page.items[0]!.column_values.map((c) => [c.id, c.__typename]),
    );
    expect(types).toMatchObject({
      key: "TextValue",
      status: "StatusValue",
      qty: "NumbersValue",
      due: "DateValue",
    });
  });
});
