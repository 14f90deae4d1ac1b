import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLUMN_TYPES, type ColumnType } from "../../src/config/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { mondayWriteValue, type Canonical } from "../../src/mapping/index.js";
import { createItemOp, HttpTransport, MondayClient } from "../../src/monday/index.js";
import { boardCanonical } from "../../src/rollback/index.js";

const BOARD = "7001000001";

/** Canonical values (as the sync records them) of every column type order-sync writes. */
const SAMPLES: Record<ColumnType, Canonical[]> = {
  text: ["Hello, world", "ÄÖ 漢字"],
  long_text: ["Line 1\nLine 2"],
  numbers: ["42.5", "-3", "0"],
  date: ["2026-06-15", "2026-06-15T09:30:00"],
  status: ["Done", "Working on it"],
  dropdown: ["Cotton", "Cotton,Linen"],
  checkbox: ["true"],
  email: ["a@b.com", "Ann Lee <ann@example.com>"],
  phone: ["+15551234567 US"],
  link: ["https://example.com", "Docs|https://example.com/docs"],
  people: ["1000001"],
  timeline: ["2026-01-01/2026-02-01"],
  hour: ["16:42", "09:05"],
  country: ["US", "DE"],
  rating: ["5", "1"],
};

describe("board cells read back in the sync's canonical form (written and read over HTTP)", () => {
  let emulator: Emulator;
  let client: MondayClient;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      boards: [
        {
          id: BOARD,
          name: "Every type",
          columns: COLUMN_TYPES.map((type) => ({
            id: `c_${type}`,
            title: type,
            type,
            ...(type === "status" ? { labels: ["Done", "Working on it"] } : {}),
            ...(type === "dropdown" ? { labels: ["Cotton", "Linen"] } : {}),
          })),
        },
      ],
    });
    client = new MondayClient(new HttpTransport({ url: emulator.url, token: "t", apiVersion: "2026-10" }));
  });
  afterAll(async () => {
    await emulator?.close();
  });

  for (const type of COLUMN_TYPES)
    it(`${type}: what the sync wrote reads back as the same canonical value; an empty cell as null`, async () => {
      const id = `c_${type}`;
      for (const value of [...SAMPLES[type], null]) {
        const [outcome] = await client.runBatch([
          createItemOp({
            boardId: BOARD,
            itemName: `${type} ${String(value)}`,
            columnValues: value === null ? {} : { [id]: mondayWriteValue(type, value) },
          }),
        ]);
        expect(outcome?.ok, JSON.stringify(outcome)).toBe(true);
        const itemId = String((outcome as { data: { id: string } }).data.id);
        const item = (await collect(client.listItems(BOARD))).find((i) => i.id === itemId)!;
        const cell = item.columnValues[id];
        expect(boardCanonical(type, cell && { text: cell.text, value: cell.value }), String(value)).toBe(
          value,
        );
      }
    });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
