import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLUMN_TYPES, type ColumnType } from "../../src/config/index.js";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createOrdersTable } from "../../src/demo/index.js";
import type { MondayItem } from "../../src/monday/index.js";
import { testDatabases } from "../helpers/databases.js";
import { boardItems, syncEnv, testConfig, type SyncEnv, plainOrder } from "../helpers/sync-env.js";

const BOARD = "5001000001";
const CUSTOMER = "NORTHWIND APPAREL";
const KEY = "AAG-TYPES-01";

/** One mapped column: the source value written, and what monday stores (`value`, `changed_at` left out) and shows (`text`). */
interface Case {
  name: string;
  id: string;
  type: ColumnType;
  /** Source column; a new TEXT column `X <id>` when not given. */
  source?: string;
  raw: string | number | null;
  extra?: Record<string, unknown>;
  value: unknown;
  text: string;
}

const CASES: Case[] = [
  {
    name: "text",
    id: "c_text",
    type: "text",
    raw: "Hello, world",
    value: "Hello, world",
    text: "Hello, world",
  },
  {
    name: "long_text",
    id: "c_long",
    type: "long_text",
    raw: "Line 1\nLine 2",
    value: { text: "Line 1\nLine 2" },
    text: "Line 1\nLine 2",
  },
  { name: "numbers", id: "c_num", type: "numbers", raw: "42.50", value: "42.5", text: "42.5" },
  {
    name: "date",
    id: "c_date",
    type: "date",
    raw: "2026-06-15",
    value: { date: "2026-06-15", icon: null },
    text: "2026-06-15",
  },
  {
    name: "date with time (UTC)",
    id: "c_datetime",
    type: "date",
    raw: "2026-06-15 09:30:00",
    value: { date: "2026-06-15", time: "09:30:00", icon: null },
    text: "2026-06-15 09:30",
  },
  {
    name: "status (by label)",
    id: "c_status",
    type: "status",
    raw: "Done",
    extra: { labels: ["Working on it", "Done", "Stuck"] },
    value: { index: 1, post_id: null },
    text: "Done",
  },
  {
    name: "dropdown (labels)",
    id: "c_dropdown",
    type: "dropdown",
    raw: "Blue, Red",
    extra: { labels: ["Red", "Blue", "Green"] },
    value: { ids: [2, 1] },
    text: "Blue, Red",
  },
  {
    name: "checkbox",
    id: "c_check",
    type: "checkbox",
    raw: "yes",
    value: { checked: "true" },
    text: "v",
  },
  {
    name: "email with a display name",
    id: "c_email",
    type: "email",
    raw: "Jane Doe <jane@example.com>",
    value: { email: "jane@example.com", text: "Jane Doe" },
    text: "Jane Doe",
  },
  {
    name: "email, address only",
    id: "c_email_plain",
    type: "email",
    raw: "ops@example.com",
    value: { email: "ops@example.com", text: "ops@example.com" },
    text: "ops@example.com",
  },
  {
    name: "phone with the column's default country",
    id: "c_phone",
    type: "phone",
    raw: "+1 (555) 123-4567",
    extra: { defaultCountry: "US" },
    value: { phone: "+15551234567", countryShortName: "US" },
    text: "+15551234567",
  },
  {
    name: "phone naming its country",
    id: "c_phone_gb",
    type: "phone",
    raw: "+44 20 7946 0958 gb",
    value: { phone: "+442079460958", countryShortName: "GB" },
    text: "+442079460958",
  },
  {
    name: "link with text",
    id: "c_link",
    type: "link",
    raw: "Tracking|https://track.example.com/1Z999",
    value: { url: "https://track.example.com/1Z999", text: "Tracking" },
    text: "https://track.example.com/1Z999 - Tracking",
  },
  {
    name: "link, url only",
    id: "c_link_plain",
    type: "link",
    raw: "https://example.com/po/1",
    value: { url: "https://example.com/po/1", text: "https://example.com/po/1" },
    text: "https://example.com/po/1",
  },
  {
    name: "people (by id)",
    id: "c_people",
    type: "people",
    raw: "101, 202",
    value: {
      personsAndTeams: [
        { id: 101, kind: "person" },
        { id: 202, kind: "person" },
      ],
    },
    text: "101, 202",
  },
  {
    name: "timeline",
    id: "c_timeline",
    type: "timeline",
    raw: "2026-01-01/2026-02-01",
    value: { from: "2026-01-01", to: "2026-02-01" },
    text: "2026-01-01 - 2026-02-01",
  },
  {
    name: "timeline joined from two source columns",
    id: "c_timeline_join",
    type: "timeline",
    source: "EX FACTORY DATE",
    raw: null,
    extra: { transform: { join: { columns: ["DELIVERY DATE"], separator: "/" } } },
    value: { from: "2026-05-01", to: "2026-06-01" },
    text: "2026-05-01 - 2026-06-01",
  },
  {
    name: "hour",
    id: "c_hour",
    type: "hour",
    raw: "9:05",
    value: { hour: 9, minute: 5 },
    text: "09:05",
  },
  {
    name: "country",
    id: "c_country",
    type: "country",
    raw: "de",
    value: { countryCode: "DE", countryName: "Germany" },
    text: "Germany",
  },
  { name: "rating", id: "c_rating", type: "rating", raw: 4, value: { rating: 4 }, text: "4" },
  {
    name: "status through a code map",
    id: "c_status_map",
    type: "status",
    raw: "S",
    extra: { labels: ["Open", "Shipped"], transform: { map: { O: "Open", S: "Shipped" } } },
    value: { index: 1, post_id: null },
    text: "Shipped",
  },
  {
    name: "text default for NULL",
    id: "c_default",
    type: "text",
    raw: null,
    extra: { transform: { default: "n/a" } },
    value: "n/a",
    text: "n/a",
  },
  {
    name: "date formatted as a date",
    id: "c_dateonly",
    type: "date",
    raw: "2026-06-15T18:45:00",
    extra: { transform: { dateFormat: "date" } },
    value: { date: "2026-06-15", icon: null },
    text: "2026-06-15",
  },
];

const sourceOf = (c: Case) => c.source ?? `X ${c.id}`;

/** The read-back `value` (the client parses monday's JSON) without its `changed_at` timestamp. */
function withoutChangedAt(parsed: unknown): unknown {
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return parsed;
  const rest: Record<string, unknown> = { ...(parsed as Record<string, unknown>) };
  delete rest.changed_at;
  return rest;
}

const [sqlite] = (await testDatabases()).filter((e) => e.name === "sqlite");

describe("every supported column type, written over HTTP and read back from the emulator", () => {
  let db: Db;
  let env: SyncEnv;
  let item: MondayItem | undefined;

  beforeAll(async () => {
    db = await sqlite!.open();
    await createOrdersTable(db);
    const added = CASES.filter((c) => c.source === undefined);
    for (const c of added)
      await sql`ALTER TABLE "ORDERS_UNIFIED" ADD COLUMN ${sql.id(sourceOf(c))} TEXT`.execute(db.kysely);
    await db.kysely
      .insertInto("ORDERS_UNIFIED" as never)
      .values(
        plainOrder(
          KEY,
          CUSTOMER,
          Object.fromEntries(added.map((c) => [sourceOf(c), c.raw === null ? null : String(c.raw)])),
        ) as never,
      )
      .execute();
    await migrateToLatest(db);
    env = await syncEnv(
      db,
      testConfig((raw) => {
        const board = (raw.boards as { id: string; columns: unknown[] }[]).find((b) => b.id === BOARD)!;
        for (const c of CASES)
          board.columns.push({ source: sourceOf(c), id: c.id, title: c.name, type: c.type, ...c.extra });
      }),
    );
    const summary = await env.sync([CUSTOMER]);
    expect(summary.counts.created).toBe(1);
    item = (await boardItems(env, BOARD)).find((i) => i.columnValues.order_number?.text === KEY);
  });
  afterAll(async () => {
    await env?.close();
    await db?.close();
  });

  it("covers every type order-sync supports", () => {
    expect(new Set(CASES.map((c) => c.type))).toEqual(new Set(COLUMN_TYPES));
  });

  it.each(CASES)("$name: stores monday's value and text", (c) => {
    expect(item, "the order's item").toBeDefined();
    const cv = item!.columnValues[c.id];
    expect(cv?.type).toBe(c.type);
    expect(withoutChangedAt(cv?.value)).toEqual(c.value);
    expect(cv?.text).toBe(c.text);
  });

  it("sees no change on the next run: zero write requests", async () => {
    const writes = env.emulator.log.writeRequests;
    const summary = await env.sync([CUSTOMER]);
    expect(summary.counts.unchanged).toBe(1);
    expect(env.emulator.log.writeRequests).toBe(writes);
  });
});
