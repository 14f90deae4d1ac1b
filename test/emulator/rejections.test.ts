// What monday refuses, the emulator refuses, with monday's error shapes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CREATE_ITEM, emulatorWithBoard, gql } from "./client.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await emulatorWithBoard();
});
afterAll(() => emulator.close());

async function createWith(values: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return gql(emulator, CREATE_ITEM, { board: "100", name: "x", values: JSON.stringify(values), ...extra });
}

describe("rejections", () => {
  it("unknown board: InvalidBoardIdException", async () => {
    const res = await gql(emulator, CREATE_ITEM, { board: "999", name: "x" });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ create_item: null });
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: "InvalidBoardIdException",
      error_data: { board_id: "999" },
    });
    expect(res.errors?.[0]?.path).toEqual(["create_item"]);
  });

  it("unknown column: InvalidColumnIdException", async () => {
    const res = await createWith({ nope: "x" });
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: "InvalidColumnIdException",
      error_data: { column_id: "nope" },
    });
  });

  it("non-numeric numbers: ColumnValueException with the column's legacy type name", async () => {
    const res = await createWith({ qty: "three" });
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: "ColumnValueException",
      status_code: 200,
      error_data: { column_type: "numeric" },
    });
  });

  it("invalid dates are refused", async () => {
    for (const due of ["2026-02-30", { date: "15/06/2026" }, "2026-06-15 25:00"]) {
      const res = await createWith({ due });
      expect(res.errors?.[0]?.extensions.code).toBe("ColumnValueException");
    }
  });

  it("unknown status label: refused, unless create_labels_if_missing", async () => {
    const refused = await createWith({ status: { label: "Cancelled" } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: "ColumnValueException",
      // monday's legacy name for a status column (API-FACTS "Errors").
      error_data: { column_type: "color" },
    });
    expect(refused.errors?.[0]?.message).toContain("label does not exist");
    const accepted = await createWith({ status: { label: "Cancelled" } }, { labels: true });
    expect(accepted.errors).toBeUndefined();
  });

  it("a status column holds at most 40 labels", async () => {
    const labels = Array.from({ length: 40 }, (_, i) => `L${i}`);
    const board = emulator.store.createBoard({
      name: "many",
      columns: [{ id: "s", title: "S", type: "status", labels }],
    });
    const res = await gql(emulator, CREATE_ITEM, {
      board: board.id,
      name: "x",
      values: JSON.stringify({ s: { label: "one too many" } }),
      labels: true,
    });
    expect(res.errors?.[0]?.extensions.code).toBe("ColumnValueException");
  });

  it("a failed write stores nothing, not even the valid columns", async () => {
    const before = emulator.store.items.size;
    await createWith({ key: "k", qty: "bad" });
    expect(emulator.store.items.size).toBe(before);
  });

  it("long text over 2,000 characters is refused", async () => {
    const res = await createWith({ notes: { text: "x".repeat(2001) } });
    expect(res.errors?.[0]?.extensions.code).toBe("ColumnValueException");
    expect((await createWith({ notes: { text: "x".repeat(2000) } })).errors).toBeUndefined();
  });

  it("item names: 255 characters accepted, 256 and empty refused", async () => {
    const ok = await gql(emulator, CREATE_ITEM, { board: "100", name: "n".repeat(255) });
    expect(ok.errors).toBeUndefined();
    for (const name of ["n".repeat(256), ""]) {
      const res = await gql(emulator, CREATE_ITEM, { board: "100", name });
      expect(res.errors?.[0]?.extensions.code).toBe("ItemNameTooLongException");
    }
  });

  it("mixed dropdown ids and labels are refused", async () => {
    const res = await createWith({ tags: { ids: [1], labels: ["Red"] } });
    expect(res.errors?.[0]?.extensions.code).toBe("ColumnValueException");
  });

  it("changing an item that does not exist: ResourceNotFoundException", async () => {
    const res = await gql(
      emulator,
      `mutation { change_multiple_column_values(board_id: "100", item_id: "123", column_values: "{}") { id } }`,
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: "ResourceNotFoundException",
      status_code: 404,
    });
    const archive = await gql(emulator, `mutation { archive_item(item_id: "123") { id } }`);
    expect(archive.errors?.[0]?.extensions.code).toBe("ResourceNotFoundException");
  });

  it("malformed column_values JSON is an internal error", async () => {
    const res = await gql(emulator, CREATE_ITEM, { board: "100", name: "x", values: "{not json" });
    expect(res.status).toBe(500);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "INTERNAL_SERVER_ERROR", status_code: 500 });
  });

  it("missing Authorization: HTTP 401", async () => {
    const res = await gql(emulator, "{ boards { id } }", {}, {});
    expect(res.status).toBe(401);
    expect(res.errors).toEqual([
      {
        message: "Not Authenticated",
        extensions: { code: "UNAUTHORIZED", status_code: 401, request_id: res.headers.get("request-id") },
      },
    ]);
  });

  it("a token other than the one the emulator was started with: HTTP 401", async () => {
    const guarded = await startEmulator({ port: 0, token: "secret" });
    try {
      expect((await gql(guarded, "{ boards { id } }", {}, { Authorization: "other" })).status).toBe(401);
      expect((await gql(guarded, "{ boards { id } }", {}, { Authorization: "secret" })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it("malformed API-Version: InvalidVersionException; unknown but well-formed versions are served", async () => {
    const bad = await gql(
      emulator,
      "{ boards { id } }",
      {},
      { Authorization: "t", "API-Version": "latest!" },
    );
    expect(bad.errors?.[0]?.extensions.code).toBe("InvalidVersionException");
    const future = await gql(
      emulator,
      "{ boards { id } }",
      {},
      { Authorization: "t", "API-Version": "2030-01" },
    );
    expect(future.errors).toBeUndefined();
  });

  it("fields that are not in monday's schema fail validation like monday", async () => {
    const res = await gql(emulator, `{ boards { id settings_str } }`);
    expect(res.status).toBe(200);
    expect(res.errors?.[0]?.extensions.code).toBe("undefinedField");
    const parseError = await gql(emulator, `{ boards { id `);
    expect(parseError.errors?.[0]?.message).toMatch(/^Parse error on/);
  });

  it("pages over 500 items are refused", async () => {
    const res = await gql(emulator, `{ boards(ids: ["100"]) { items_page(limit: 501) { cursor } } }`);
    expect(res.errors?.[0]?.extensions.code).toBe("InvalidArgumentException");
  });
});
