// A minimal GraphQL client for the emulator tests: real HTTP via fetch, no project code in between.
import { afterEach } from "vitest";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";

/** A GraphQL response as the emulator sends it. */
export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions: { code: string; status_code: number; error_data?: Record<string, unknown> };
  }[];
}

/** Posts one GraphQL request (raw token in `Authorization`, as monday wants). */
export async function gql<T = Record<string, unknown>>(
  emulator: Emulator,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = { Authorization: "test-token" },
): Promise<GqlResponse<T>> {
  const res = await fetch(emulator.url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "API-Version": "2026-10", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GqlResponse<T>, "status" | "headers">;
  return { status: res.status, headers: res.headers, ...body };
}

/** A test board: one column of each type the emulator writes. */
export const TEST_COLUMNS = [
  { id: "key", title: "Key", type: "text" },
  { id: "notes", title: "Notes", type: "long_text" },
  { id: "qty", title: "Qty", type: "numbers" },
  { id: "due", title: "Due", type: "date" },
  { id: "status", title: "Status", type: "status", labels: ["Open", "Done", "Stuck"] },
  { id: "tags", title: "Tags", type: "dropdown", labels: ["Red", "Green", "Blue"] },
  { id: "flag", title: "Flag", type: "checkbox" },
  { id: "mail", title: "Mail", type: "email" },
  { id: "tel", title: "Phone", type: "phone" },
  { id: "site", title: "Site", type: "link" },
] as const;

/** Starts an emulator with one board (`id` "100") holding {@link TEST_COLUMNS}. */
export async function emulatorWithBoard(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = await startEmulator({ port: 0, ...options });
  emulator.store.createBoard({
    id: "100",
    name: "Test board",
    columns: TEST_COLUMNS.map((c) => ({ ...c, ...("labels" in c && { labels: [...c.labels] }) })),
    groups: [
      { id: "topics", title: "First" },
      { id: "second", title: "Second" },
    ],
  });
  return emulator;
}

export const CREATE_ITEM = `mutation ($board: ID!, $name: String!, $values: JSON, $labels: Boolean, $group: String) {
  create_item(board_id: $board, item_name: $name, column_values: $values, create_labels_if_missing: $labels, group_id: $group) {
    id name state group { id } column_values { id type text value }
  }
}`;

/** `column_values` of an item as `{ id: { text, value } }`. */
export function valuesById(item: {
  column_values: { id: string; text: string | null; value: string | null }[];
}) {
  return Object.fromEntries(item.column_values.map((c) => [c.id, { text: c.text, value: c.value }]));
}

/** Posts one GraphQL request and returns the raw reply (for non-JSON bodies and socket errors). */
export async function postRaw(
  url: string,
  query: string,
  headers: Record<string, string> = {},
  init: { signal?: AbortSignal; variables?: Record<string, unknown> } = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => GqlBody }> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "API-Version": "2026-10",
      Authorization: "test-token",
      ...headers,
    },
    body: JSON.stringify({ query, variables: init.variables ?? {} }),
    ...(init.signal && { signal: init.signal }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as GqlBody };
}

/** A response body: `data`, `errors` (with any extensions), `account_id`. */
export interface GqlBody {
  data?: Record<string, unknown>;
  errors?: { message: string; extensions: Record<string, unknown> }[];
}

/** A real-time clock the test moves by hand (`now` option of the emulator). */
export function manualClock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

/** The cheapest write: 10,000 (create_item) + 2 (`create_item { id }`) complexity points. */
export const CHEAP_CREATE = `mutation { create_item(board_id: 100, item_name: "x") { id } }`;

/**
 * A `start(options)` for test files that open one emulator (with board 100) per test; the emulator is
 * closed after each test. `prepare` runs on every new emulator before it is handed out.
 */
export function emulatorPerTest(
  prepare: (emulator: Emulator) => void = () => undefined,
): (options?: EmulatorOptions) => Promise<Emulator> {
  let current: Emulator | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options = {}) => {
    current = await emulatorWithBoard(options);
    prepare(current);
    return current;
  };
}
