// One webhook payload per column type the project maps, and one per event, checked field by field against
// API-FACTS "Webhooks" (the docs sample of a column change, legacy column types, value shapes per type).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { COLUMN_TYPES } from "../../src/config/index.js";
import { DEFAULT_USER, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { gql } from "./client.js";
import { CREATE_WEBHOOK, startReceiver, TRIGGER_UUID, type WebhookReceiver } from "./webhook-receiver.js";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const changedAt = expect.stringMatching(ISO);
const HEX = /^#[0-9a-fA-F]{6}$/;

/**
 * Per mapped column type: what the sync writes, the legacy `columnType` the webhook names, and the
 * `value` it carries. Status, text, date and people's type name are documented; numbers, dropdown and
 * checkbox are not (see `src/emulator/webhooks/payloads.ts`); the rest is the stored JSON.
 */
const CASES: Record<(typeof COLUMN_TYPES)[number], { write: unknown; columnType: string; value: unknown }> = {
  text: { write: "Sample", columnType: "text", value: { value: "Sample" } },
  long_text: {
    write: { text: "Two\nlines" },
    columnType: "long-text",
    value: { text: "Two\nlines", changed_at: changedAt },
  },
  numbers: { write: "3.5", columnType: "numeric", value: { value: 3.5 } },
  date: {
    write: { date: "2026-06-15", time: "09:00:00" },
    columnType: "date",
    value: { date: "2026-06-15", icon: null, time: "09:00:00", changed_at: changedAt },
  },
  status: {
    write: { label: "Done" },
    columnType: "color",
    value: {
      label: {
        index: 1,
        text: "Done",
        style: {
          color: expect.stringMatching(HEX),
          border: expect.stringMatching(HEX),
          var_name: expect.any(String),
        },
        is_done: expect.any(Boolean),
      },
      post_id: null,
    },
  },
  dropdown: {
    write: { labels: ["Red", "Blue"] },
    columnType: "dropdown",
    value: {
      chosenValues: [
        { id: 1, name: "Red" },
        { id: 3, name: "Blue" },
      ],
    },
  },
  checkbox: {
    write: { checked: "true" },
    columnType: "boolean",
    value: { checked: true, changed_at: changedAt },
  },
  email: {
    write: { email: "a@example.com", text: "Ann" },
    columnType: "email",
    value: { email: "a@example.com", text: "Ann", changed_at: changedAt },
  },
  phone: {
    write: { phone: "+15551234567", countryShortName: "US" },
    columnType: "phone",
    value: { phone: "+15551234567", countryShortName: "US", changed_at: changedAt },
  },
  link: {
    write: { url: "https://example.com/o/1", text: "Order" },
    columnType: "link",
    value: { url: "https://example.com/o/1", text: "Order", changed_at: changedAt },
  },
  people: {
    write: { personsAndTeams: [{ id: Number(DEFAULT_USER.id), kind: "person" }] },
    columnType: "multiple-person",
    value: { personsAndTeams: [{ id: Number(DEFAULT_USER.id), kind: "person" }], changed_at: changedAt },
  },
  timeline: {
    write: { from: "2026-06-01", to: "2026-06-30" },
    columnType: "timerange",
    value: { from: "2026-06-01", to: "2026-06-30", changed_at: changedAt },
  },
  hour: {
    write: { hour: 16, minute: 42 },
    columnType: "hour",
    value: { hour: 16, minute: 42, changed_at: changedAt },
  },
  country: {
    write: { countryCode: "DE", countryName: "Germany" },
    columnType: "country",
    value: { countryCode: "DE", countryName: "Germany", changed_at: changedAt },
  },
  rating: { write: { rating: 4 }, columnType: "rating", value: { rating: 4, changed_at: changedAt } },
};

/** The keys of the docs sample of a column change, in its order (API-FACTS "Webhooks"). */
const COLUMN_CHANGE_KEYS = [
  "app",
  "type",
  "triggerTime",
  "subscriptionId",
  "isRetry",
  "userId",
  "originalTriggerUuid",
  "boardId",
  "groupId",
  "pulseId",
  "pulseName",
  "columnId",
  "columnType",
  "columnTitle",
  "value",
  "previousValue",
  "changedAt",
  "isTopGroup",
  "triggerUuid",
];

const BOARD = "200";
let em: Emulator;
let receiver: WebhookReceiver;

beforeEach(async () => {
  em = await startEmulator({ port: 0 });
  receiver = await startReceiver();
  em.store.createBoard({
    id: BOARD,
    name: "Every mapped type",
    columns: COLUMN_TYPES.map((type) => ({
      id: `c_${type}`,
      title: `Title of ${type}`,
      type,
      ...(type === "status" && { labels: ["Open", "Done", "Stuck", "Shipped"] }),
      ...(type === "dropdown" && { labels: ["Red", "Green", "Blue"] }),
    })),
    groups: [
      { id: "topics", title: "Open orders" },
      { id: "shipped", title: "Shipped" },
    ],
  });
});
afterEach(async () => {
  await Promise.all([em.close(), receiver.close()]);
});

async function subscribe(event: string, config?: unknown, board = BOARD): Promise<number> {
  const res = await gql<{ create_webhook: { id: string } }>(em, CREATE_WEBHOOK, {
    board,
    url: receiver.url,
    event,
    ...(config !== undefined && { config: JSON.stringify(config) }),
  });
  expect(res.errors).toBeUndefined();
  return Number(res.data!.create_webhook.id);
}

async function mutate<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) {
  const res = await gql<T>(em, query, variables);
  expect(res.errors).toBeUndefined();
  return res.data!;
}

async function createItem(
  name: string,
  values: Record<string, unknown> = {},
  group?: string,
): Promise<string> {
  const data = await mutate<{ create_item: { id: string } }>(
    `mutation ($board: ID!, $name: String!, $values: JSON, $group: String) { create_item(board_id: $board, item_name: $name, column_values: $values, group_id: $group) { id } }`,
    { board: BOARD, name, values: JSON.stringify(values), group },
  );
  return data.create_item.id;
}

function setValues(item: string, values: Record<string, unknown>, board = BOARD) {
  return mutate(
    `mutation ($board: ID!, $item: ID!, $values: JSON!) { change_multiple_column_values(board_id: $board, item_id: $item, column_values: $values) { id } }`,
    { board, item, values: JSON.stringify(values) },
  );
}

function envelope(subscriptionId: number, type: string) {
  return {
    app: "monday",
    type,
    triggerTime: expect.stringMatching(ISO),
    subscriptionId,
    isRetry: false,
    userId: Number(DEFAULT_USER.id),
    originalTriggerUuid: null,
    triggerUuid: expect.stringMatching(TRIGGER_UUID),
  };
}

describe("update_column_value per mapped column type", () => {
  it("covers every type the project maps", () => {
    expect(Object.keys(CASES).sort()).toEqual([...COLUMN_TYPES].sort());
  });

  it.each(COLUMN_TYPES)(
    "%s: the docs sample's fields, legacy columnType, value shape, previousValue null",
    async (type) => {
      const subscriptionId = await subscribe("change_column_value");
      const item = await createItem("A-1");
      const before = Date.now() / 1000;
      await setValues(item, { [`c_${type}`]: CASES[type].write });
      const [event] = await receiver.waitForEvents(1);
      expect(Object.keys(event!)).toEqual(COLUMN_CHANGE_KEYS);
      expect(event).toEqual({
        ...envelope(subscriptionId, "update_column_value"),
        boardId: Number(BOARD),
        groupId: "topics",
        pulseId: Number(item),
        pulseName: "A-1",
        columnId: `c_${type}`,
        columnType: CASES[type].columnType,
        columnTitle: `Title of ${type}`,
        value: CASES[type].value,
        previousValue: null,
        changedAt: expect.any(Number),
        isTopGroup: true,
      });
      expect(event!.changedAt as number).toBeGreaterThanOrEqual(before - 0.001);
      expect(event!.changedAt as number).toBeLessThanOrEqual(Date.now() / 1000);
      expect(Date.parse(event!.triggerTime as string) / 1000).toBeCloseTo(event!.changedAt as number, 2);
    },
  );

  it("carries the previous value, and value null when the cell is cleared; an unchanged write fires nothing", async () => {
    await subscribe("change_column_value");
    const item = await createItem("A-1", { c_text: "first", c_status: { label: "Open" } });
    await setValues(item, { c_text: "second", c_status: { label: "Shipped" } });
    await setValues(item, { c_text: "second" });
    await setValues(item, { c_text: null });
    const events = await receiver.waitForEvents(3);
    await new Promise((r) => setTimeout(r, 100));
    const byColumn = (id: string) => receiver.events().filter((e) => e.columnId === id);
    expect(byColumn("c_text").map((e) => [e.previousValue, e.value])).toEqual([
      [{ value: "first" }, { value: "second" }],
      [{ value: "second" }, null],
    ]);
    const [status] = byColumn("c_status");
    expect((status!.previousValue as { label: unknown }).label).toMatchObject({ index: 0, text: "Open" });
    // Label id 3 has colour 3: the docs sample's style.
    expect(status!.value).toEqual({
      label: {
        index: 3,
        text: "Shipped",
        style: { color: "#0086c0", border: "#3DB0DF", var_name: "blue-links" },
        is_done: expect.any(Boolean),
      },
      post_id: null,
    });
    expect(events).toHaveLength(3);
  });

  it("date without a time: time null, as in the docs sample", async () => {
    await subscribe("change_column_value");
    const item = await createItem("D-1");
    await setValues(item, { c_date: { date: "2021-10-11" } });
    const [event] = await receiver.waitForEvents(1);
    expect(event!.value).toEqual({ date: "2021-10-11", icon: null, time: null, changed_at: changedAt });
  });
});

describe("the other events", () => {
  it("create_item → create_pulse with the group and every value in its webhook shape", async () => {
    const subscriptionId = await subscribe("create_item");
    const item = await createItem("B-7", { c_text: "Sample", c_numbers: "3.5" }, "shipped");
    const [event] = await receiver.waitForEvents(1);
    expect(event).toEqual({
      ...envelope(subscriptionId, "create_pulse"),
      boardId: Number(BOARD),
      pulseId: Number(item),
      pulseName: "B-7",
      groupId: "shipped",
      groupName: "Shipped",
      groupColor: expect.stringMatching(HEX),
      isTopGroup: false,
      columnValues: { c_text: { value: "Sample" }, c_numbers: { value: 3.5 } },
    });
  });

  it("change_name → update_name with value and previousValue {name}", async () => {
    const subscriptionId = await subscribe("change_name");
    const item = await createItem("old name");
    await setValues(item, { name: "new name" });
    const [event] = await receiver.waitForEvents(1);
    expect(event).toEqual({
      ...envelope(subscriptionId, "update_name"),
      boardId: Number(BOARD),
      groupId: "topics",
      pulseId: Number(item),
      pulseName: "new name",
      value: { name: "new name" },
      previousValue: { name: "old name" },
      changedAt: expect.any(Number),
      isTopGroup: true,
    });
  });

  it("item_archived / item_deleted / item_restored carry itemId and itemName, not pulseId", async () => {
    const ids = {
      archive_pulse: await subscribe("item_archived"),
      delete_pulse: await subscribe("item_deleted"),
      restore_pulse: await subscribe("item_restored"),
    };
    const a = await createItem("to archive");
    const d = await createItem("to delete");
    await mutate(`mutation ($id: ID!) { archive_item(item_id: $id) { id } }`, { id: a });
    const restored = await fetch(new URL(`/__admin/items/${a}/restore`, em.url), {
      method: "POST",
      headers: { Authorization: "t" },
      body: "{}",
    });
    expect(restored.status).toBe(200);
    await mutate(`mutation ($id: ID!) { delete_item(item_id: $id) { id } }`, { id: d });
    const events = await receiver.waitForEvents(3);
    for (const [type, item, name] of [
      ["archive_pulse", a, "to archive"],
      ["restore_pulse", a, "to archive"],
      ["delete_pulse", d, "to delete"],
    ] as const) {
      expect(events.find((e) => e.type === type)).toEqual({
        ...envelope(ids[type], type),
        boardId: Number(BOARD),
        groupId: "topics",
        itemId: Number(item),
        itemName: name,
      });
    }
  });

  it("item_moved_to_specific_group fires only for its group; change_specific / change_status only for theirs", async () => {
    const moved = await subscribe("item_moved_to_specific_group", { groupId: "shipped" });
    const specific = await subscribe("change_specific_column_value", { columnId: "c_numbers" });
    const status = await subscribe("change_status_column_value", {
      columnId: "c_status",
      columnValue: { index: 2 },
    });
    const anyStatus = await subscribe("change_status_column_value", {
      columnId: "c_status",
      columnValue: { $any$: true },
    });
    const item = await createItem("M-1", {}, "shipped");
    const move = (group: string) =>
      mutate(`mutation ($id: ID!, $g: String!) { move_item_to_group(item_id: $id, group_id: $g) { id } }`, {
        id: item,
        g: group,
      });
    await move("topics");
    await move("shipped");
    await setValues(item, { c_text: "ignored", c_numbers: "7" });
    await setValues(item, { c_status: { label: "Done" } });
    await setValues(item, { c_status: { label: "Stuck" } });
    await receiver.waitForEvents(5);
    await new Promise((r) => setTimeout(r, 100));
    const events = receiver.events();
    const of = (id: number) => events.filter((e) => e.subscriptionId === id);
    expect(of(moved)).toEqual([
      {
        ...envelope(moved, "move_pulse_into_group"),
        boardId: Number(BOARD),
        pulseId: Number(item),
        pulseName: "M-1",
        sourceGroupId: "topics",
        destGroupId: "shipped",
        isTopGroup: false,
      },
    ]);
    expect(of(specific).map((e) => e.value)).toEqual([{ value: 7 }]);
    expect(of(status).map((e) => (e.value as { label: { text: string } }).label.text)).toEqual(["Stuck"]);
    expect(
      of(anyStatus)
        .map((e) => (e.value as { label: { text: string } }).label.text)
        .sort(),
    ).toEqual(["Done", "Stuck"]);
    expect(events).toHaveLength(5);
  });

  it("subitem events are registered on the parent board and name the parent", async () => {
    const created = await subscribe("create_subitem");
    const changed = await subscribe("change_subitem_column_value");
    const renamed = await subscribe("change_subitem_name");
    const archived = await subscribe("subitem_archived");
    const itemChanges = await subscribe("change_column_value");
    const parent = await createItem("P-1");
    const data = await mutate<{ create_subitem: { id: string; board: { id: string } } }>(
      `mutation ($p: ID!) { create_subitem(parent_item_id: $p, item_name: "size S") { id board { id } } }`,
      { p: parent },
    );
    const sub = data.create_subitem.id;
    const subBoard = data.create_subitem.board.id;
    em.store.addColumn(subBoard, { id: "qty", title: "Qty", type: "numbers" });
    await setValues(sub, { qty: "12" }, subBoard);
    await setValues(sub, { name: "size M" }, subBoard);
    await mutate(`mutation ($id: ID!) { archive_item(item_id: $id) { id } }`, { id: sub });
    await receiver.waitForEvents(4);
    await new Promise((r) => setTimeout(r, 100));
    const events = receiver.events();
    const one = (id: number) => events.filter((e) => e.subscriptionId === id);
    const parentFields = { parentItemId: parent, parentItemBoardId: BOARD };
    expect(one(created)).toEqual([
      expect.objectContaining({
        type: "create_pulse",
        boardId: Number(subBoard),
        pulseId: Number(sub),
        ...parentFields,
      }),
    ]);
    expect(one(changed)).toEqual([
      expect.objectContaining({
        type: "update_column_value",
        boardId: Number(subBoard),
        pulseId: Number(sub),
        columnId: "qty",
        columnType: "numeric",
        value: { value: 12 },
        previousValue: null,
        ...parentFields,
      }),
    ]);
    expect(one(renamed)).toEqual([
      expect.objectContaining({
        type: "update_name",
        value: { name: "size M" },
        previousValue: { name: "size S" },
        ...parentFields,
      }),
    ]);
    expect(one(archived)).toEqual([
      {
        ...envelope(archived, "archive_pulse"),
        boardId: Number(subBoard),
        pulseId: Number(sub),
        itemId: Number(sub),
        itemName: "size M",
        parentBoardId: Number(BOARD),
        parentItemId: Number(parent),
      },
    ]);
    expect(one(itemChanges)).toEqual([]);
    const onSubBoard = await gql(em, CREATE_WEBHOOK, {
      board: subBoard,
      url: receiver.url,
      event: "create_subitem",
    });
    expect(onSubBoard.errors?.[0]?.message).toBe("subitem events are registered on the parent board");
  });

  it("create_column carries the column's id, legacy type and title", async () => {
    const subscriptionId = await subscribe("create_column");
    await mutate(
      `mutation { create_column(board_id: 200, id: "owner", title: "Owner", column_type: people) { id } }`,
    );
    const [event] = await receiver.waitForEvents(1);
    expect(event).toEqual({
      ...envelope(subscriptionId, "create_column"),
      boardId: Number(BOARD),
      columnId: "owner",
      columnType: "multiple-person",
      columnTitle: "Owner",
    });
  });
});
