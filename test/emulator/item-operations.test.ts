// duplicate_item, create_update / updates, bulk_archive_items / job_status and HTML stripped from item
// names, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { CREATE_ITEM, emulatorWithBoard, gql, valuesById } from "./client.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await emulatorWithBoard();
});
afterAll(() => emulator.close());

async function ok<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await gql<T>(emulator, query, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!;
}

async function createItem(name: string, values: Record<string, unknown> = {}) {
  const data = await ok<{ create_item: { id: string; name: string } }>(CREATE_ITEM, {
    board: "100",
    name,
    values: JSON.stringify(values),
  });
  return data.create_item;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("item operations", () => {
  it("duplicate_item copies name, group and values into a new item", async () => {
    const original = await createItem("Original", { key: "K-1", status: { label: "Done" } });
    await ok(`mutation ($i: ID) { move_item_to_group(item_id: $i, group_id: "second") { id } }`, {
      i: original.id,
    });
    const data = await ok<{
      duplicate_item: {
        id: string;
        name: string;
        group: { id: string };
        column_values: { id: string; text: string | null; value: string | null }[];
      };
    }>(
      `mutation ($i: ID) { duplicate_item(board_id: "100", item_id: $i) { id name group { id } column_values { id text value } } }`,
      { i: original.id },
    );
    const copy = data.duplicate_item;
    expect(copy.id).not.toBe(original.id);
    expect(copy).toMatchObject({ name: "Original", group: { id: "second" } });
    expect(valuesById(copy)).toMatchObject({ key: { text: "K-1" }, status: { text: "Done" } });
    const missing = await gql(emulator, `mutation { duplicate_item(board_id: "100", item_id: 1) { id } }`);
    expect(missing.errors?.[0]?.extensions.code).toBe("ResourceNotFoundException");
  });

  it("create_update posts on an item; Item.updates, Board.updates and updates list them newest first", async () => {
    const item = await createItem("Discussed");
    const post = (body: string) =>
      ok<{
        create_update: { id: string; body: string; text_body: string; item_id: string; creator_id: string };
      }>(
        `mutation ($i: ID, $b: String!) { create_update(item_id: $i, body: $b) { id body text_body item_id creator_id } }`,
        { i: item.id, b: body },
      );
    const first = (await post("<p>Shipped <b>early</b></p>")).create_update;
    const second = (await post("Second")).create_update;
    expect(first).toMatchObject({
      body: "<p>Shipped <b>early</b></p>",
      text_body: "Shipped early",
      item_id: item.id,
    });
    expect(first.creator_id).toMatch(/^\d+$/);
    const read = await ok<{
      items: { updates: { id: string }[] }[];
      boards: { updates: { id: string }[] }[];
      updates: { id: string; item: { id: string } }[];
    }>(
      `query ($i: [ID!], $u: [ID!]) {
        items(ids: $i) { updates { id } }
        boards(ids: ["100"]) { updates(limit: 1) { id } }
        updates(ids: $u) { id item { id } }
      }`,
      { i: [item.id], u: [first.id] },
    );
    expect(read.items[0]!.updates.map((u) => u.id)).toEqual([second.id, first.id]);
    expect(read.boards[0]!.updates.map((u) => u.id)).toEqual([second.id]);
    expect(read.updates).toEqual([{ id: first.id, item: { id: item.id } }]);
    const reply = await ok<{ create_update: { item_id: string } }>(
      `mutation ($p: ID) { create_update(parent_id: $p, body: "a reply") { item_id } }`,
      { p: first.id },
    );
    expect(reply.create_update.item_id).toBe(item.id);
  });

  it("bulk_archive_items is a job: items are archived when it runs, job_status reports the result", async () => {
    const items = await Promise.all(["B1", "B2", "B3"].map((n) => createItem(n)));
    const ids = [...items.map((i) => i.id), "1"];
    const started = await ok<{ bulk_archive_items: { job_id: string } }>(
      `mutation ($ids: [ID!]!) { bulk_archive_items(board_id: "100", item_ids: $ids) { job_id } }`,
      { ids },
    );
    const jobId = started.bulk_archive_items.job_id;
    expect(jobId).toEqual(expect.any(String));
    const status = () =>
      ok<{ job_status: { id: string; status: string; result: Record<string, unknown> | null } }>(
        `query ($j: ID!) { job_status(job_id: $j) { id status created_at updated_at error result { total succeeded failed details } } }`,
        { j: jobId },
      );
    let polled = await status();
    for (let i = 0; i < 50 && polled.job_status.status !== "COMPLETED"; i++) {
      await sleep(20);
      polled = await status();
    }
    expect(polled.job_status).toMatchObject({
      id: jobId,
      status: "COMPLETED",
      result: { total: 4, succeeded: 3, failed: 1, details: { failed_item_ids: ["1"] } },
    });
    for (const item of items) expect(emulator.store.getItem(item.id).state).toBe("archived");
    const unknown = await gql(emulator, `{ job_status(job_id: "nope") { status } }`);
    expect(unknown.errors?.[0]?.extensions.code).toBe("ResourceNotFoundException");
  });

  it("bulk_archive_items does not archive inside the mutation", async () => {
    const item = await createItem("Later");
    // The next field of the same request runs right after the mutation: the item is still active.
    const res = await gql<{ a: { job_id: string }; b: { state: string } }>(
      emulator,
      `mutation ($ids: [ID!]!, $i: ID) {
        a: bulk_archive_items(board_id: "100", item_ids: $ids) { job_id }
        b: change_multiple_column_values(board_id: "100", item_id: $i, column_values: "{}") { state }
      }`,
      { ids: [item.id], i: item.id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.b.state).toBe("active");
    await emulator.store.jobs.settle();
    expect(emulator.store.getItem(item.id).state).toBe("archived");
  });

  it("strips HTML from item names on create_item, create_subitem and name changes", async () => {
    const item = await createItem("<b>AAG-1</b> <i>Tee</i>");
    expect(item.name).toBe("AAG-1 Tee");
    const sub = await ok<{ create_subitem: { name: string } }>(
      `mutation ($p: ID!) { create_subitem(parent_item_id: $p, item_name: "<span>Size M</span>") { name } }`,
      { p: item.id },
    );
    expect(sub.create_subitem.name).toBe("Size M");
    const renamed = await ok<{ change_multiple_column_values: { name: string } }>(
      `mutation ($i: ID, $v: JSON!) { change_multiple_column_values(board_id: "100", item_id: $i, column_values: $v) { name } }`,
      { i: item.id, v: JSON.stringify({ name: "<a href='x'>Renamed</a>" }) },
    );
    expect(renamed.change_multiple_column_values.name).toBe("Renamed");
    const empty = await gql(emulator, CREATE_ITEM, { board: "100", name: "<br/>" });
    expect(empty.errors?.[0]?.extensions.code).toBe("ItemNameTooLongException");
  });
});
