// Issue 13, item 8: `boards list` shows the boards the token can see (ids, kinds, subitems boards, columns),
// and `init --from-board ID` writes a starter config from one of them. CLI as a process, emulator over HTTP.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { loadSettings, parseConfig, starterConfig } from "../../src/config/index.js";
import { parseConfigYaml } from "../../src/config/load.js";
import { startEmulator, type BoardSpec, type Emulator } from "../../src/emulator/index.js";
import { runCli } from "../helpers/cli.js";

let dir = "";
let emulator: Emulator;
let env: Record<string, string>;

/** 60 small boards more than the starter's: listing them takes two pages of 50. */
const EXTRA: BoardSpec[] = Array.from({ length: 60 }, (_, i) => ({
  id: String(7000000 + i),
  name: `Extra ${i}`,
  columns: [{ id: "notes", title: "Notes", type: "long_text" }],
}));

/** A board whose columns only partly match ORDERS_UNIFIED, without a key column or subitems. */
const PLANNING: BoardSpec = {
  id: "6001000001",
  name: "Planning",
  columns: [
    { id: "text_po", title: "PO Number", type: "text" },
    { id: "colour", title: "Colour", type: "text" },
    { id: "status_1", title: "Order Status", type: "status", labels: ["Open", "Shipped"] },
    { id: "owner", title: "Planner", type: "people" },
  ],
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "order-sync-boards-list-"));
  const starter = parseConfig(parseConfigYaml(starterConfig(), "starter"));
  emulator = await startEmulator({ port: 0, boards: [...emulatorBoards(starter), PLANNING, ...EXTRA] });
  env = { MONDAY_API_TOKEN: "test-token", MONDAY_API_URL: emulator.url };
}, 60_000);
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Listed {
  id: string;
  name: string;
  type: string;
  subitemsBoardId: string | null;
  columns: Array<{ id: string; title: string; type: string }>;
}

describe("boards list", () => {
  it("--json: every board, paged (2 requests for 65 boards), with kind, subitems board and columns", async () => {
    const before = emulator.log.requests;
    const r = await runCli(["boards", "list", "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(emulator.log.requests - before).toBe(2);
    const boards = JSON.parse(r.stdout) as Listed[];
    expect(boards).toHaveLength(4 + 1 + 60);
    const main = boards.find((b) => b.id === "5001000001");
    expect(main).toMatchObject({ type: "board", subitemsBoardId: "5001000002" });
    expect(main?.columns).toContainEqual({ id: "order_number", title: "AAG Order Number", type: "text" });
    expect(boards.find((b) => b.id === "5001000002")).toMatchObject({
      type: "sub_items_board",
      subitemsBoardId: null,
    });
    expect(boards.find((b) => b.id === "6001000001")?.subitemsBoardId).toBeNull();
  }, 60_000);

  it("prints one block a board; without a token it is one line, exit 2", async () => {
    const r = await runCli(["boards", "list"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("65 boards the token can see");
    expect(r.stdout).toContain(
      'board 5001000001 "Customer Master Schedule" (board, subitems board 5001000002), 13 columns',
    );
    expect(r.stdout).toMatch(/^order_number\s+AAG Order Number\s+text$/m);
    const none = await runCli(["boards", "list"], { env: { MONDAY_API_URL: emulator.url } });
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^order-sync: MONDAY_API_TOKEN is not set/),
    ]);
  }, 60_000);
});

describe("init --from-board", () => {
  it("maps the board's columns to source columns by name, with its subitems board", async () => {
    const out = join(dir, "main");
    const r = await runCli(["init", "--from-board", "5001000001", "--dir", out], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^wrote .*order-sync\.yaml for board 5001000001 \(subitems board 5001000002\)$/m,
    );
    expect(existsSync(join(out, "order-sync.db"))).toBe(false);
    const board = loadSettings(join(out, "order-sync.yaml")).config.boards[0]!;
    expect(board.keyColumn).toEqual({ id: "order_number", title: "AAG Order Number", type: "text" });
    expect(board.columns.map((c) => [c.id, c.source])).toEqual([
      ["customer", "CUSTOMER"],
      ["po_number", "PO NUMBER"],
      ["style", "STYLE"],
      ["color", "COLOR"],
      ["season", "SEASON"],
      ["order_qty", "ORDER QTY"],
      ["total_qty", "TOTAL QTY"],
      ["ex_factory", "EX FACTORY DATE"],
      ["delivery", "DELIVERY DATE"],
      ["order_status", "ORDER STATUS"],
    ]);
    expect(board.columns.at(-1)?.labels).toEqual([
      "Open",
      "Confirmed",
      "In Production",
      "Shipped",
      "On Hold",
    ]);
    expect(board.subitems).toMatchObject({
      boardId: "5001000002",
      quantityColumn: { id: "quantity", type: "numbers" },
    });
    expect(board.subitems?.sizes).toHaveLength(6);
  }, 60_000);

  it("lists unmatched columns and a missing key column; refuses to overwrite; a wrong id is one line", async () => {
    const out = join(dir, "planning");
    const r = await runCli(["init", "--from-board", "6001000001", "--dir", out], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("mapped: text_po ← PO NUMBER, colour ← COLOR, status_1 ← ORDER STATUS");
    expect(r.stdout).toContain("not mapped (listed in the file): owner");
    const file = join(out, "order-sync.yaml");
    const text = readFileSync(file, "utf8");
    expect(text).toContain('#   owner: "Planner" (people)');
    expect(text).toContain("# The board has no text column named like the order number");
    expect(loadSettings(file).config.boards[0]?.subitems).toBeUndefined();

    writeFileSync(file, "# mine\n");
    const again = await runCli(["init", "--from-board", "6001000001", "--dir", out], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /^order-sync: .*order-sync\.yaml already exists; pass --force to overwrite\n$/,
    );
    expect(readFileSync(file, "utf8")).toBe("# mine\n");

    const wrong = await runCli(["init", "--from-board", "999", "--dir", join(dir, "x")], { env });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(
      "order-sync: board 999 does not exist or the token cannot see it (order-sync boards list shows the boards it can see)\n",
    );
    expect(existsSync(join(dir, "x", "order-sync.yaml"))).toBe(false);
  }, 60_000);
});
