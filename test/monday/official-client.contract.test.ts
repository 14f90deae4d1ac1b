// Contract test with monday's own client: `ApiClient` of @mondaydotcomorg/api (what monday's docs show)
// against the emulator over HTTP. Every typed operation in `client.operations` (enumerated, so a new one in a
// client upgrade fails this test until it has a scenario), the project's own documents through `rawRequest`,
// monday's error shapes through `ClientError`, and monday's 401 for a token nobody owns.
import { ApiClient, ClientError } from "@mondaydotcomorg/api";
import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator, ItemRecord } from "../../src/emulator/index.js";
import { documentNames, loadDocument, type DocumentName } from "../../src/monday/documents.js";
import { emulatorWithBoard } from "../emulator/client.js";
import { startReceiver, type WebhookReceiver } from "../emulator/webhook-receiver.js";

const TOKEN = "tok-contract";
const USER_NAME = "Contract Tester";
const BOARD = "100";

let emulator: Emulator;
let client: ApiClient;
/** An endpoint that answers the challenge of CreateWebhook. */
let receiver: WebhookReceiver;

beforeAll(async () => {
  emulator = await emulatorWithBoard({ users: { users: [{ token: TOKEN, name: USER_NAME }] } });
  client = new ApiClient({ token: TOKEN, endpoint: emulator.url });
  receiver = await startReceiver();
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

/** A fresh item on the test board, made through the store (each scenario stands on its own). */
function seedItem(name: string, columnValues: Record<string, unknown> = {}): ItemRecord {
  return emulator.store.createItem({ boardId: BOARD, name, groupId: "topics", columnValues });
}

const textOf = (item: ItemRecord, columnId: string) => emulator.store.valueOf(item, columnId)?.text;

type Operations = ApiClient["operations"];
type OperationName = keyof Operations;

/** What each typed operation must do, as it does on monday.com: the answer's shape and the board's state. */
const SCENARIOS: Readonly<Record<OperationName, () => Promise<void>>> = {
  getMeOp: async () => {
    const { me } = await client.operations.getMeOp({});
    const user = emulator.users.list().find((u) => u.name === USER_NAME);
    expect(me).toEqual({ id: user?.id, name: USER_NAME, email: user?.email });
  },
  createItemOp: async () => {
    const { create_item } = await client.operations.createItemOp({
      boardId: BOARD,
      groupId: "second",
      itemName: "From the official client",
    });
    expect(create_item).toEqual({
      id: expect.stringMatching(/^\d+$/) as string,
      name: "From the official client",
    });
    const item = emulator.store.items.get(create_item?.id ?? "");
    expect(item).toMatchObject({ boardId: BOARD, groupId: "second", state: "active" });
  },
  changeSimpleColumnValueOp: async () => {
    const item = seedItem("simple");
    const { change_simple_column_value } = await client.operations.changeSimpleColumnValueOp({
      boardId: BOARD,
      itemId: item.id,
      columnId: "status",
      value: "Done",
    });
    expect(change_simple_column_value).toEqual({ id: item.id });
    expect(textOf(item, "status")).toBe("Done");
  },
  changeColumnValueOp: async () => {
    const item = seedItem("json value");
    const { change_column_value } = await client.operations.changeColumnValueOp({
      boardId: BOARD,
      itemId: item.id,
      columnId: "status",
      value: JSON.stringify({ label: "Stuck" }),
    });
    expect(change_column_value).toEqual({ id: item.id });
    expect(textOf(item, "status")).toBe("Stuck");
  },
  changeMultipleColumnValuesOp: async () => {
    const item = seedItem("multiple");
    const { change_multiple_column_values } = await client.operations.changeMultipleColumnValuesOp({
      boardId: BOARD,
      itemId: item.id,
      columnValues: JSON.stringify({ key: "K-9", qty: "3", status: { label: "Open" } }),
    });
    expect(change_multiple_column_values?.id).toBe(item.id);
    expect(change_multiple_column_values?.name).toBe("multiple");
    const values = Object.fromEntries(
      (change_multiple_column_values?.column_values ?? []).map((c) => [c.id, c.value as unknown]),
    );
    // `value` is the raw JSON as a string, as monday returns it.
    expect(JSON.parse(String(values.key))).toBe("K-9");
    expect(JSON.parse(String(values.qty))).toBe("3");
    expect(JSON.parse(String(values.status))).toMatchObject({ index: expect.any(Number) as number });
    expect(values.notes).toBeNull();
  },
  getBoardItemsOp: async () => {
    const item = seedItem("listed", { key: "K-LIST" });
    const { boards } = await client.operations.getBoardItemsOp({ ids: [BOARD] });
    const listed = boards?.[0]?.items_page.items.find((i) => i.id === item.id);
    expect(listed?.name).toBe("listed");
    expect(listed?.column_values.find((c) => c.id === "key")).toEqual({
      id: "key",
      type: "text",
      value: JSON.stringify("K-LIST"),
    });
    // items_page without a limit: monday's default page of 25.
    expect(boards?.[0]?.items_page.items.length).toBeLessThanOrEqual(25);
  },
  getBoardGroupsOp: async () => {
    const { boards } = await client.operations.getBoardGroupsOp({ ids: [BOARD] });
    expect(boards).toEqual([
      {
        groups: [
          { id: "topics", title: "First" },
          { id: "second", title: "Second" },
        ],
      },
    ]);
  },
};

describe("@mondaydotcomorg/api against the emulator", () => {
  it("every typed operation of the client has a scenario here", () => {
    expect(Object.keys(client.operations).sort()).toEqual(Object.keys(SCENARIOS).sort());
  });

  it.each(Object.keys(SCENARIOS) as OperationName[])("%s behaves as on monday.com", async (name) => {
    await SCENARIOS[name]();
  });

  it("an unknown token gets monday's 401 once users are configured", async () => {
    const stranger = new ApiClient({ token: "tok-stranger", endpoint: emulator.url });
    const error: unknown = await stranger.operations.getMeOp({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    const { response } = error as ClientError;
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHORIZED", status_code: 401 });
  });

  it("monday's errors reach the client in monday's shape (ColumnValueException, with request_id)", async () => {
    const item = seedItem("bad label");
    const error: unknown = await client.operations
      .changeSimpleColumnValueOp({ boardId: BOARD, itemId: item.id, columnId: "status", value: "Nope" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    const { response } = error as ClientError;
    expect(response.status).toBe(200);
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: "ColumnValueException",
      error_data: { column_id: "status" },
      request_id: expect.any(String) as string,
    });
  });
});

/** Variables for each of the project's documents, against a board the test prepares. */
async function documentVariables(
  cursor: string | null | undefined,
): Promise<Record<DocumentName, Record<string, unknown>>> {
  const item = seedItem("document target", { key: "K-DOC" });
  const hook = await emulator.webhooks.create(
    { boardId: BOARD, url: receiver.url, event: "create_item" },
    emulator.users.authenticate(TOKEN)!,
  );
  const archived = seedItem("to archive");
  const deleted = seedItem("to delete");
  return {
    GetBoards: { ids: [BOARD], limit: 10 },
    ListBoards: { limit: 10, page: 1 },
    GetBoardItems: { boardId: BOARD, limit: 1 },
    NextItemsPage: { cursor, limit: 1 },
    FindItemsByColumnValue: { boardId: BOARD, columnId: "key", values: ["K-DOC"], limit: 10 },
    GetComplexity: {},
    GetBoardItemCounts: { ids: [BOARD], limit: 1 },
    GetBoardKeys: { boardId: BOARD, columnId: "key", limit: 1 },
    NextKeysPage: { cursor, limit: 1, columnId: "key" },
    CreateItem: {
      boardId: BOARD,
      groupId: "topics",
      itemName: "document create",
      columnValues: JSON.stringify({ key: "K-NEW" }),
      createLabels: false,
    },
    ChangeColumnValues: {
      boardId: BOARD,
      itemId: item.id,
      columnValues: JSON.stringify({ qty: "5" }),
      createLabels: false,
    },
    CreateSubitem: { parentItemId: item.id, itemName: "size M", columnValues: null, createLabels: false },
    ArchiveItem: { itemId: archived.id },
    MoveItemToGroup: { itemId: item.id, groupId: "second" },
    DeleteItem: { itemId: deleted.id },
    CreateGroup: { boardId: BOARD, groupName: "From a document" },
    GetWebhooks: { boardId: BOARD },
    GetMe: {},
    GetActivityLogs: { boardId: BOARD, from: new Date(Date.now() - 60_000).toISOString(), limit: 5, page: 1 },
    CreateWebhook: {
      boardId: BOARD,
      url: receiver.url,
      event: "change_specific_column_value",
      config: JSON.stringify({ columnId: "key" }),
    },
    DeleteWebhook: { id: hook.id },
    IngestItems: { boardId: BOARD, groupId: "topics" },
    BackfillItems: { boardId: BOARD, groupId: "topics" },
    FetchJobStatus: { jobId: emulator.bulk.start("ingest", BOARD, "topics", "1000001").id },
  };
}

describe("the project's documents through the official client", () => {
  it("every document runs without errors, with monday's headers", async () => {
    seedItem("page one");
    seedItem("page two");
    // NextItemsPage needs a cursor from a first page.
    const first = await client.rawRequest<{ boards: { items_page: { cursor: string | null } }[] }>(
      print(loadDocument("GetBoardItems")),
      { boardId: BOARD, limit: 1 },
    );
    const variables = await documentVariables(first.data.boards[0]?.items_page.cursor);
    for (const name of documentNames()) {
      const response = await client.rawRequest<Record<string, unknown>>(
        print(loadDocument(name)),
        variables[name],
      );
      expect(response.status, name).toBe(200);
      expect(response.errors, name).toBeUndefined();
      expect(
        Object.values(response.data).every((v) => v !== null),
        name,
      ).toBe(true);
      expect(response.headers.get("request-id"), name).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get("ratelimit"), name).toContain("complexityMinute");
    }
  });
});
