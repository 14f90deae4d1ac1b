// Column ownership in the config (issue 14): the keys validate with messages naming the key, the sync never
// sees `from-board` columns, and the webhooks a board needs follow from it.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/index.js";
import { resolveBoard, type LiveBoard } from "../../src/mapping/index.js";
import { plannedWebhooks, watchedColumns, webhookSecret } from "../../src/webhooks/index.js";
import { testConfig } from "../helpers/sync-env.js";

type Raw = Record<string, unknown>;
const firstBoard = (raw: Raw) => (raw.boards as Raw[])[0]!;
const columnOf = (raw: Raw, id: string) => (firstBoard(raw).columns as Raw[]).find((c) => c.id === id)!;

function issues(edit: (raw: Raw) => void): string[] {
  try {
    testConfig(edit);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  return [];
}

describe("column ownership in the config", () => {
  it("accepts directions, policies, tracked columns, a write-back target and serve.publicUrl", () => {
    const config = testConfig((raw) => {
      Object.assign(columnOf(raw, "color"), { direction: "from-board" });
      Object.assign(columnOf(raw, "delivery"), { direction: "both", conflict: "newest" });
      firstBoard(raw).tracked = [{ title: "Factory Status", type: "status", target: "FACTORY_STATUS" }];
      firstBoard(raw).writeBack = { table: "ORDER_UPDATES_FROM_MONDAY", keyColumn: "ORDER_KEY" };
      raw.serve = { publicUrl: "https://sync.example.com" };
    });
    const watched = watchedColumns(config.boards[0]!);
    expect(watched.find((c) => c.id === "color")).toMatchObject({ direction: "from-board", target: "COLOR" });
    expect(watched.find((c) => c.id === "delivery")).toMatchObject({ direction: "both", conflict: "newest" });
    expect(watched.find((c) => c.id === "ex_factory")).toMatchObject({ direction: "to-board" });
    expect(watched.find((c) => c.id === "ex_factory")?.target).toBeUndefined();
    expect(watched.find((c) => c.title === "Factory Status")).toMatchObject({
      tracked: true,
      direction: "from-board",
      target: "FACTORY_STATUS",
    });
    expect(config.serve.publicUrl).toBe("https://sync.example.com");
  });

  it("names the bad key", () => {
    expect(issues((raw) => Object.assign(columnOf(raw, "color"), { conflict: "db-wins" }))).toEqual([
      expect.stringMatching(/^boards\[0\]\.columns\[3\]\.conflict: conflict applies to direction: both only/),
    ]);
    expect(issues((raw) => Object.assign(columnOf(raw, "color"), { direction: "sideways" }))[0]).toMatch(
      /^boards\[0\]\.columns\[3\]\.direction: /,
    );
    expect(issues((raw) => (firstBoard(raw).tracked = [{ type: "text" }]))[0]).toMatch(
      /^boards\[0\]\.tracked\[0\]: give the board column's id, its title, or both/,
    );
    expect(issues((raw) => (firstBoard(raw).writeBack = { table: "T" }))[0]).toMatch(
      /^boards\[0\]\.writeBack\.keyColumn/,
    );
    expect(issues((raw) => (raw.serve = { publicUrl: "not a url" }))[0]).toMatch(
      /^serve\.publicUrl: must be an http\(s\) URL/,
    );
  });

  it("leaves from-board columns out of what the sync hashes and writes", () => {
    const config = testConfig((raw) => {
      Object.assign(columnOf(raw, "color"), { direction: "from-board" });
      firstBoard(raw).createLabelsIfMissing = true;
    });
    const board = config.boards[0]!;
    const live: LiveBoard = {
      id: board.id,
      name: board.name,
      columns: [board.keyColumn, ...board.columns].map((c) => ({ id: c.id!, title: c.title!, type: c.type })),
      groups: [],
    };
    const subitems: LiveBoard = {
      id: board.subitems!.boardId,
      name: "subitems",
      columns: [{ id: "quantity", title: "Quantity", type: "numbers" }],
      groups: [],
    };
    const resolved = resolveBoard(board, 0, live, subitems);
    expect(resolved.columns.map((c) => c.id)).not.toContain("color");
    expect(resolved.columns).toHaveLength(board.columns.length - 1);
    // Mapping errors still name the entry's place in the file.
    const noStatus = { ...live, columns: live.columns.filter((c) => c.id !== "order_status") };
    expect(() => resolveBoard(board, 0, noStatus, subitems)).toThrow(/\(boards\[0\]\.columns\[9\]\)/);
  });

  it("plans a column webhook per watched column and the item events", () => {
    const config = testConfig((raw) => {
      firstBoard(raw).tracked = [{ title: "Planner Notes", type: "text" }];
    });
    const planned = plannedWebhooks(config.boards[0]!, (title) =>
      title === "Planner Notes" ? "text9" : undefined,
    );
    expect(
      planned.filter((p) => p.event === "change_specific_column_value").map((p) => p.config?.columnId),
    ).toEqual([...config.boards[0]!.columns.map((c) => c.id), "text9"]);
    // The board has subitems: their quantity column is watched (a planner's edit is undone by the next sync).
    expect(planned.filter((p) => !p.config).map((p) => p.event)).toEqual([
      "change_subitem_column_value",
      "item_deleted",
      "item_archived",
      "create_item",
      "change_name",
    ]);
  });

  it("wants a long random path secret from the environment", () => {
    expect(() => webhookSecret({})).toThrow(/ORDER_SYNC_WEBHOOK_SECRET is not set/);
    expect(() => webhookSecret({ ORDER_SYNC_WEBHOOK_SECRET: "short" })).toThrow(/at least 24 characters/);
    expect(() => webhookSecret({ ORDER_SYNC_WEBHOOK_SECRET: `${"a".repeat(30)}/..` })).toThrow(/A-Z/);
    expect(webhookSecret({ ORDER_SYNC_WEBHOOK_SECRET: "a".repeat(32) })).toBe("a".repeat(32));
  });
});
