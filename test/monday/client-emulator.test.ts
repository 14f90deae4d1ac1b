// The client end to end against the emulator over real HTTP: documents, variables, paging and batches
// as monday (and its stand-in) would see them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import type { Emulator } from "../../src/emulator/index.js";
import {
  ColumnValueError,
  HttpTransport,
  InvalidDataError,
  MondayClient,
  archiveItemOp,
  changeColumnValuesOp,
  createItemOp,
  createSubitemOp,
} from "../../src/monday/index.js";
import type { MondayItem, RequestEvent } from "../../src/monday/index.js";

let emulator: Emulator;
let transport: HttpTransport;
let client: MondayClient;
let boardId: string;
const events: RequestEvent[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  const board = emulator.store.createBoard({
    name: "Customer Master Schedule",
    columns: [
      { id: "order_key", title: "Order", type: "text" },
      { id: "status", title: "Status", type: "status", labels: ["Working on it", "Done"] },
      { id: "qty", title: "Qty", type: "numbers" },
      { id: "due", title: "Due", type: "date" },
    ],
    groups: [{ id: "topics", title: "Orders" }],
  });
  boardId = board.id;
  transport = new HttpTransport({
    url: emulator.url,
    token: "test-token",
    apiVersion: "2026-10",
    timeoutMs: 10_000,
  });
  transport.onRequest((e) => events.push(e));
  client = new MondayClient(transport);
});

afterAll(async () => {
  await emulator?.close();
});

function order(n: number, extra: Record<string, unknown> = {}) {
  return createItemOp({
    boardId,
    groupId: "topics",
    itemName: `PO-${n}`,
    columnValues: { order_key: `PO-${n}`, qty: String(n), status: { label: "Working on it" }, ...extra },
  });
}

describe("MondayClient against the emulator", () => {
  it("reads the board schema with settings as objects", async () => {
    const [board] = await client.getBoards([boardId]);
    expect(board?.name).toBe("Customer Master Schedule");
    expect(board?.groups).toContainEqual({ id: "topics", title: "Orders" });
    const status = board?.columns.find((c) => c.id === "status");
    expect(status?.type).toBe("status");
    expect(typeof status?.settings).toBe("object");
    expect(JSON.stringify(status?.settings)).toContain("Done");
  });

  it("creates items in a batch where one bad op fails alone", async () => {
    const outcomes = await client.runBatch(
      [
        order(1, { due: { date: "2026-06-15" } }),
        order(2),
        order(3, { status: { label: "No such label" } }),
        order(4),
      ],
      { idempotencyKey: "batch-1" },
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, true]);
    const failed = outcomes[2];
    expect(failed?.ok === false && failed.error).toBeInstanceOf(ColumnValueError);
    expect(failed?.ok === false && failed.error.path?.[0]).toBe("a2");
    for (const outcome of outcomes)
      if (outcome.ok) expect(outcome.data).toMatchObject({ id: expect.any(String) });
  });

  it("finds an item by its key column, with its column values decoded", async () => {
    const [item, ...rest] = await client.findItemsByColumnValue(boardId, "order_key", ["PO-1"]);
    expect(rest).toHaveLength(0);
    expect(item?.name).toBe("PO-1");
    expect(item?.group).toEqual({ id: "topics", title: "Orders" });
    expect(item?.columnValues.order_key?.text).toBe("PO-1");
    expect(item?.columnValues.qty?.text).toBe("1");
    expect(item?.columnValues.status?.text).toBe("Working on it");
    expect(item?.columnValues.due?.value).toMatchObject({ date: "2026-06-15" });
    expect(await client.findItemsByColumnValue(boardId, "order_key", ["PO-3"])).toEqual([]);
  });

  it("finds several values across pages", async () => {
    const found = await client.findItemsByColumnValue(boardId, "order_key", ["PO-1", "PO-2", "PO-4"], {
      pageSize: 1,
    });
    expect(found.map((i) => i.name).sort()).toEqual(["PO-1", "PO-2", "PO-4"]);
  });

  it("lists every item page by page, subitems included", async () => {
    await client.runBatch([order(5), order(6), order(7)]);
    const [parent] = await client.findItemsByColumnValue(boardId, "order_key", ["PO-2"]);
    const sub = await client.runBatch([createSubitemOp({ parentItemId: parent!.id, itemName: "Size M" })]);
    expect(sub[0]).toMatchObject({
      ok: true,
      data: { id: expect.any(String), board: { id: expect.any(String) } },
    });

    const before = transport.requests;
    const items: MondayItem[] = [];
    for await (const item of client.listItems(boardId, { pageSize: 2 })) items.push(item);
    expect(items.map((i) => i.name).sort()).toEqual(["PO-1", "PO-2", "PO-4", "PO-5", "PO-6", "PO-7"]);
    expect(transport.requests - before).toBeGreaterThanOrEqual(3);
    expect(items.find((i) => i.name === "PO-2")?.subitems.map((s) => s.name)).toEqual(["Size M"]);
  });

  it("changes column values and archives items", async () => {
    const [item] = await client.findItemsByColumnValue(boardId, "order_key", ["PO-4"]);
    const outcomes = await client.runBatch([
      changeColumnValuesOp({
        boardId,
        itemId: item!.id,
        columnValues: { status: { label: "Done" }, qty: "40" },
      }),
      archiveItemOp({ itemId: item!.id }),
    ]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const [after] = await client.findItemsByColumnValue(boardId, "order_key", ["PO-4"]);
    expect(after === undefined || after.state === "archived").toBe(true);
  });

  it("creates groups", async () => {
    const group = await client.createGroup(boardId, "Archive 2026");
    expect(group).toMatchObject({ id: expect.any(String), title: "Archive 2026" });
    const [board] = await client.getBoards([boardId]);
    expect(board?.groups.map((g) => g.title)).toContain("Archive 2026");
  });

  it("reports complexity in request events", async () => {
    const complexity = await client.getComplexity();
    expect(complexity.query).toBeGreaterThanOrEqual(0);
    expect(events.some((e) => e.operation === "GetBoardItems" && e.complexity !== undefined)).toBe(true);
  });

  it("rejects an item name that is too long, alone in its batch", async () => {
    const outcomes = await client.runBatch([
      createItemOp({ boardId, itemName: "x".repeat(256) }),
      createItemOp({ boardId, itemName: "PO-8", columnValues: { order_key: "PO-8" } }),
    ]);
    expect(outcomes[0]?.ok === false && outcomes[0].error).toBeInstanceOf(InvalidDataError);
    expect(outcomes[1]?.ok).toBe(true);
  });
});
