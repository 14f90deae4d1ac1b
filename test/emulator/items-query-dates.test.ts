// query_params on date columns compare dates (monday's docs, "Date" → "Filter"), with relative values
// resolved on the emulator's clock; an operator or value the emulator does not know is an error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorStore, type Emulator } from "../../src/emulator/index.js";
import { emulatorWithBoard, gql } from "./client.js";

// A Wednesday: this week is Mon 2026-06-15 … Sun 2026-06-21.
const NOW = new Date("2026-06-17T12:00:00Z");
const DATES = {
  "last-month": "2026-05-20",
  "last-week": "2026-06-10",
  yesterday: "2026-06-16",
  "today-morning": "2026-06-17 08:00:00",
  "today-evening": "2026-06-17 18:30:00",
  tomorrow: "2026-06-18",
  "next-week": "2026-06-24",
  "far-future": "2027-03-01",
} as const;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await emulatorWithBoard({ store: new EmulatorStore({ now: () => NOW }) });
  for (const [name, when] of Object.entries(DATES)) {
    const [date, time] = when.split(" ");
    emulator.store.createItem({
      boardId: "100",
      name,
      columnValues: { due: { date, ...(time && { time }) } },
    });
  }
  emulator.store.createItem({ boardId: "100", name: "no-date" });
});
afterAll(() => emulator.close());

async function matching(operator: string, values: unknown[]) {
  const res = await gql<{ boards: { items_page: { items: { name: string }[] } }[] }>(
    emulator,
    `query ($rules: [ItemsQueryRule!]) { boards(ids: ["100"]) { items_page(limit: 100, query_params: { rules: $rules }) { items { name } } } }`,
    { rules: [{ column_id: "due", operator, compare_value: values }] },
  );
  return { names: res.data?.boards[0]?.items_page.items.map((i) => i.name), errors: res.errors };
}

const names = async (operator: string, values: unknown[]) => (await matching(operator, values)).names;

describe("date rules in query_params", () => {
  it("lower_than TODAY is the dates before today, not the text that sorts before it", async () => {
    expect(await names("lower_than", ["TODAY"])).toEqual(["last-month", "last-week", "yesterday"]);
    expect(await names("greater_than", ["TODAY"])).toEqual(["tomorrow", "next-week", "far-future"]);
    expect(await names("lower_than_or_equal", ["TODAY"])).toEqual([
      "last-month",
      "last-week",
      "yesterday",
      "today-morning",
      "today-evening",
    ]);
    expect(await names("greater_than_or_equals", ["TOMORROW"])).toEqual([
      "tomorrow",
      "next-week",
      "far-future",
    ]);
  });

  it("any_of takes exact dates (with or without EXACT) and relative days, weeks and months", async () => {
    expect(await names("any_of", ["EXACT", "2026-06-16"])).toEqual(["yesterday"]);
    expect(await names("any_of", ["2026-06-18", "2027-03-01"])).toEqual(["tomorrow", "far-future"]);
    expect(await names("any_of", ["TODAY"])).toEqual(["today-morning", "today-evening"]);
    expect(await names("any_of", ["YESTERDAY", "TOMORROW"])).toEqual(["yesterday", "tomorrow"]);
    expect(await names("any_of", ["THIS_WEEK"])).toEqual([
      "yesterday",
      "today-morning",
      "today-evening",
      "tomorrow",
    ]);
    expect(await names("any_of", ["ONE_WEEK_AGO"])).toEqual(["last-week"]);
    expect(await names("any_of", ["ONE_WEEK_FROM_NOW"])).toEqual(["next-week"]);
    expect(await names("any_of", ["ONE_MONTH_AGO"])).toEqual(["last-month"]);
    expect(await names("not_any_of", ["THIS_MONTH"])).toEqual(["last-month", "far-future", "no-date"]);
    expect(await names("any_of", ["$$$blank$$$"])).toEqual(["no-date"]);
  });

  it("PAST_DATETIME and FUTURE_DATETIME compare with the moment, time of day included", async () => {
    expect(await names("any_of", ["PAST_DATETIME"])).toEqual([
      "last-month",
      "last-week",
      "yesterday",
      "today-morning",
    ]);
    expect(await names("any_of", ["FUTURE_DATETIME"])).toEqual([
      "today-evening",
      "tomorrow",
      "next-week",
      "far-future",
    ]);
  });

  it("between, is_empty and is_not_empty", async () => {
    expect(await names("between", ["2026-06-10", "2026-06-16"])).toEqual(["last-week", "yesterday"]);
    expect(await names("is_empty", [])).toEqual(["no-date"]);
    expect((await names("is_not_empty", []))?.length).toBe(Object.keys(DATES).length);
  });

  it("an operator or compare value the emulator does not know is an InvalidArgumentException", async () => {
    for (const [operator, values] of [
      ["contains_text", ["2026"]],
      ["within_the_next", [3]],
      ["any_of", ["SOMEDAY"]],
      ["any_of", ["OVERDUE"]],
    ] as const) {
      const { names: found, errors } = await matching(operator, [...values]);
      expect(found, `${operator} ${values.join()}`).toBeUndefined();
      expect(errors?.[0]?.extensions).toMatchObject({ code: "InvalidArgumentException", status_code: 200 });
    }
  });

  it("an operator text columns do not take is an error too, not an empty page", async () => {
    const res = await gql(
      emulator,
      `{ boards(ids: ["100"]) { items_page(query_params: { rules: [{ column_id: "key", operator: within_the_last, compare_value: [1] }] }) { items { id } } } }`,
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: "InvalidArgumentException",
      error_data: { operator: "within_the_last", column_id: "key" },
    });
  });
});
