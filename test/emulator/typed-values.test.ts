// Typed column values (`... on StatusValue { label index is_done }` and the rest), with the SDL's field
// names and types, for every column type the project maps, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { CREATE_ITEM, gql } from "./client.js";
import { startEmulator } from "../../src/emulator/index.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.store.createBoard({
    id: "200",
    name: "Typed",
    columns: [
      { id: "t", title: "Text", type: "text" },
      { id: "lt", title: "Long", type: "long_text" },
      { id: "n", title: "Number", type: "numbers" },
      { id: "d", title: "Date", type: "date" },
      { id: "s", title: "Status", type: "status" },
      { id: "dd", title: "Dropdown", type: "dropdown", labels: ["Red", "Green", "Blue"] },
      { id: "c", title: "Check", type: "checkbox" },
      { id: "e", title: "Email", type: "email" },
      { id: "p", title: "Phone", type: "phone" },
      { id: "l", title: "Link", type: "link" },
      { id: "pe", title: "People", type: "people" },
      { id: "tl", title: "Timeline", type: "timeline" },
      { id: "h", title: "Hour", type: "hour" },
      { id: "co", title: "Country", type: "country" },
      { id: "r", title: "Rating", type: "rating" },
      { id: "tg", title: "Tags", type: "tags" },
    ],
  });
});
afterAll(() => emulator.close());

const TYPED = `
  __typename id type text value is_leaf
  ... on TextValue { text }
  ... on LongTextValue { updated_at }
  ... on NumbersValue { number }
  ... on DateValue { date time icon updated_at }
  ... on StatusValue { label index is_done updated_at }
  ... on DropdownValue { values { id label } }
  ... on CheckboxValue { checked }
  ... on EmailValue { email label }
  ... on PhoneValue { phone country_short_name }
  ... on LinkValue { url url_text }
  ... on PeopleValue { persons_and_teams { id kind } }
  ... on TimelineValue { from to }
  ... on HourValue { hour minute }
  ... on CountryValue { country { code name } }
  ... on RatingValue { rating }
  ... on TagsValue { tag_ids }`;

type Cell = Record<string, unknown> & { id: string };

async function cells(values: Record<string, unknown>): Promise<Record<string, Cell>> {
  const created = await gql<{ create_item: { id: string } }>(emulator, CREATE_ITEM, {
    board: "200",
    name: "typed",
    values: JSON.stringify(values),
  });
  expect(created.errors).toBeUndefined();
  const res = await gql<{ items: { column_values: Cell[] }[] }>(
    emulator,
    `query ($i: [ID!]) { items(ids: $i) { column_values { ${TYPED} } } }`,
    { i: [created.data!.create_item.id] },
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return Object.fromEntries(res.data!.items[0]!.column_values.map((c) => [c.id, c]));
}

describe("typed column values", () => {
  it("serve each type's own fields, derived from the stored value", async () => {
    const v = await cells({
      t: "Sample",
      lt: { text: "Long\ntext" },
      n: "42.5",
      d: { date: "2026-06-15", time: "09:30:00" },
      s: { label: "Done" },
      dd: { labels: ["Blue", "Red"] },
      c: { checked: "true" },
      e: { email: "a@example.com", text: "Alice" },
      p: { phone: "+15551234567", countryShortName: "US" },
      l: { url: "https://example.com", text: "Example" },
      pe: { personsAndTeams: [{ id: 1000001, kind: "person" }] },
      tl: { from: "2026-01-01", to: "2026-02-01" },
      h: { hour: 16, minute: 42 },
      co: { countryCode: "DE", countryName: "Germany" },
      r: { rating: 4 },
      tg: { tag_ids: [3, 9] },
    });
    expect(v.t).toMatchObject({ __typename: "TextValue", text: "Sample", is_leaf: true });
    expect(v.lt).toMatchObject({ __typename: "LongTextValue", text: "Long\ntext" });
    expect(v.lt?.updated_at).toEqual(expect.any(String));
    expect(v.n).toMatchObject({ __typename: "NumbersValue", number: 42.5 });
    expect(v.d).toMatchObject({ __typename: "DateValue", date: "2026-06-15", time: "09:30:00", icon: null });
    // Monday's default status labels: "Done" is value id 1 (displayed last), and a done label.
    expect(v.s).toMatchObject({
      __typename: "StatusValue",
      label: "Done",
      index: 1,
      is_done: true,
      text: "Done",
    });
    expect(v.dd).toMatchObject({
      __typename: "DropdownValue",
      values: [
        { id: "3", label: "Blue" },
        { id: "1", label: "Red" },
      ],
    });
    expect(v.c).toMatchObject({ __typename: "CheckboxValue", checked: true });
    expect(v.e).toMatchObject({ __typename: "EmailValue", email: "a@example.com", label: "Alice" });
    expect(v.p).toMatchObject({ __typename: "PhoneValue", phone: "+15551234567", country_short_name: "US" });
    expect(v.l).toMatchObject({ __typename: "LinkValue", url: "https://example.com", url_text: "Example" });
    expect(v.pe).toMatchObject({
      __typename: "PeopleValue",
      persons_and_teams: [{ id: "1000001", kind: "person" }],
    });
    expect(v.tl).toMatchObject({ __typename: "TimelineValue", from: "2026-01-01", to: "2026-02-01" });
    expect(v.h).toMatchObject({ __typename: "HourValue", hour: 16, minute: 42 });
    expect(v.co).toMatchObject({ __typename: "CountryValue", country: { code: "DE", name: "Germany" } });
    expect(v.r).toMatchObject({ __typename: "RatingValue", rating: 4 });
    expect(v.tg).toMatchObject({ __typename: "TagsValue", tag_ids: [3, 9], text: "3, 9" });
  });

  it("serve empty cells as monday does: null fields, unchecked, no dropdown values", async () => {
    const v = await cells({});
    expect(v.s).toMatchObject({ label: null, index: null, value: null, text: null });
    expect(v.n).toMatchObject({ number: null, text: "" });
    expect(v.d).toMatchObject({ date: null, time: null });
    expect(v.dd).toMatchObject({ values: [] });
    expect(v.c).toMatchObject({ checked: false });
    expect(v.pe).toMatchObject({ persons_and_teams: null });
    expect(v.co).toMatchObject({ country: null });
    expect(v.tg).toMatchObject({ tag_ids: [] });
  });
});
