import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/index.js";
import { buildSnapshot } from "../../src/detect/index.js";
import { mondayWriteValue, resolveBoard } from "../../src/mapping/index.js";
import { orderKeyOf, validateOrders } from "../../src/quality/index.js";
import { BOARD_YAML, context, CUSTOMER, KEY, liveBoardOf, order } from "./fixture.js";

/** The quality board plus one column of every new type, and columns with transforms. */
const EXTRA_COLUMNS = `
  - { source: EMAIL, id: email, title: Email, type: email }
  - { source: PHONE, id: phone, title: Phone, type: phone, defaultCountry: US }
  - { source: PHONE, id: phone_nodefault, title: Phone 2, type: phone }
  - { source: LINK, id: link, title: Link, type: link }
  - { source: PEOPLE, id: people, title: People, type: people }
  - { source: TIMELINE, id: timeline, title: Timeline, type: timeline }
  - source: EX FACTORY DATE
    id: window
    title: Window
    type: timeline
    transform: { join: { columns: [DELIVERY DATE], separator: "/" } }
  - { source: HOUR, id: hour, title: Hour, type: hour }
  - { source: COUNTRY, id: country, title: Country, type: country }
  - { source: RATING, id: rating, title: Rating, type: rating }
  - source: CODE
    id: code_status
    title: Code Status
    type: status
    labels: [Open, Shipped]
    transform: { map: { O: Open, S: Shipped }, default: Open }
  - source: CODE
    id: code_numbers
    title: Code Number
    type: numbers
    transform: { map: { X: "10" }, default: 0 }
  - source: CODE
    id: code_date
    title: Code Date
    type: date
    transform: { map: { T: "2026-01-01 10:00:00" }, dateFormat: datetime }
`;

const boardYaml = BOARD_YAML.replace("subitems:", `${EXTRA_COLUMNS.replace(/^\n/, "")}subitems:`);
const config = configSchema.parse({
  boards: [parseYaml(boardYaml)],
  customers: [{ name: CUSTOMER, board: "7001", group: "{SEASON}" }],
});
const boardConfig = config.boards[0]!;
const live = liveBoardOf(boardConfig);
const board = resolveBoard(boardConfig, 0, live, {
  id: "7002",
  name: "Subitems",
  groups: [],
  columns: [{ id: "quantity", title: "Quantity", type: "numbers" }],
});
const customer = config.customers[0]!;

const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, "", " ", "0", "1", "5", "6", "S", "O", "X", "T", "US", "us", "ZZ", "USA"),
  fc.constantFrom(
    "a@b.com",
    "Jane <jane@x.org>",
    "bad@",
    "+1 555 123 4567",
    "+44 20 7946 0958 GB",
    "555",
    "https://x.io",
    "t|https://x.io",
    "x.io",
    "1,2",
    "1,a",
    "2026-01-01/2026-02-01",
    "2026-02-01/2026-01-01",
    "2026-01-01",
    "16:42",
    "24:00",
    "9:05:30",
  ),
  fc.string({ maxLength: 20 }),
  fc.integer({ min: -3, max: 8 }),
  fc.double(),
  fc.boolean(),
  fc.date({ noInvalidDate: false }),
  fc.constant(Buffer.from([1])),
);

const NEW_SOURCES = ["EMAIL", "PHONE", "LINK", "PEOPLE", "TIMELINE", "HOUR", "COUNTRY", "RATING", "CODE"];
const row = fc
  .tuple(
    fc.constantFrom("K-1", "K-2"),
    fc.dictionary(fc.constantFrom(...NEW_SOURCES, "EX FACTORY DATE", "DELIVERY DATE"), value, { maxKeys: 5 }),
  )
  .map(([key, over]) => order(key, over));

describe("validators and the new column types agree (fast-check)", () => {
  it("validator says SYNC ⇒ buildSnapshot does not throw, for every new type and transform", () => {
    const ctx = context({ board, liveBoard: live });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 4 }), (rows) => {
        const result = validateOrders(rows, ctx);
        for (const r of rows) {
          const key = orderKeyOf(r, KEY);
          if (result.action(key) === "QUARANTINE") continue;
          const snapshot = buildSnapshot(r, key, board, customer);
          for (const c of board.columns)
            expect(typeof JSON.stringify(mondayWriteValue(c.type, snapshot.columns[c.id] ?? null))).toBe(
              "string",
            );
        }
      }),
      { numRuns: 500 },
    );
  });

  it("quarantines a bad value of a new type with the mapper's message", () => {
    const bad = order("K-9", { PHONE: "+1 555 123 4567", RATING: "9", CODE: "S" });
    const result = validateOrders([bad], context({ board, liveBoard: live }));
    expect(result.action("K-9")).toBe("QUARANTINE");
    const messages = result.issues.map((i) => `${i.rule}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /value-type: \[PHONE\] cannot be written to a phone column: .*names no country/,
        ),
        expect.stringMatching(/value-type: \[RATING\].*rating from 1 to 5/),
        expect.stringMatching(/value-type: \[CODE\] cannot be written to a numbers column/),
      ]),
    );
  });
});
