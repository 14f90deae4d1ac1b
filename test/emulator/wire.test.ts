// The emulator on the wire as API-FACTS describes monday: HTTP status per error, `request_id` on every
// response, and `RateLimit-Policy` / `RateLimit` for every policy on every response.
import { describe, expect, it } from "vitest";
import { ServerError, classifyGraphQLError, interpretResponse } from "../../src/monday/index.js";
import { CREATE_ITEM, emulatorPerTest, gql, postRaw, type GqlResponse } from "./client.js";

const start = emulatorPerTest();

/** Every error of the response carries the request's id, and it is the `Request-Id` header. */
function expectRequestIds(res: GqlResponse) {
  const id = res.headers.get("request-id");
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.errors?.length).toBeGreaterThan(0);
  for (const error of res.errors ?? [])
    expect((error.extensions as { request_id?: string }).request_id).toBe(id);
}

describe("HTTP status as monday answers it", () => {
  it("malformed column JSON and a missing item id are HTTP 500; the aliases that ran stay in data", async () => {
    const em = await start();
    const malformed = await gql(em, CREATE_ITEM, { board: "100", name: "x", values: "{not json" });
    expect(malformed.status).toBe(500);
    expect(malformed.errors?.[0]?.extensions).toMatchObject({
      code: "INTERNAL_SERVER_ERROR",
      status_code: 500,
    });
    const missingId = await gql(
      em,
      `mutation { ok: create_item(board_id: 100, item_name: "kept") { id name }
                  bad: change_multiple_column_values(board_id: 100, column_values: "{}") { id } }`,
    );
    expect(missingId.status).toBe(500);
    expect(missingId.data).toEqual({ ok: { id: expect.any(String) as string, name: "kept" }, bad: null });
    expect(missingId.errors?.map((e) => [e.path, e.extensions.code])).toEqual([
      [["bad"], "INTERNAL_SERVER_ERROR"],
    ]);
    expect([...em.store.items.values()].map((i) => i.name)).toEqual(["kept"]);
  });

  it("the project's client keeps the aliases that ran in a 500, and fails only the alias that broke", async () => {
    const em = await start();
    const res = await fetch(em.url, {
      method: "POST",
      headers: { Authorization: "t", "Content-Type": "application/json" },
      body: JSON.stringify({
        query: `mutation { a1: create_item(board_id: 100, item_name: "kept") { id }
                           a2: change_multiple_column_values(board_id: 100, column_values: "{}") { id } }`,
      }),
    });
    expect(res.status).toBe(500);
    const read = interpretResponse<{ a1: { id: string } | null; a2: null }>(
      500,
      await res.text(),
      res.headers,
    );
    expect(read.data?.a1?.id).toMatch(/^\d+$/);
    expect(read.errors.map((e) => e.path)).toEqual([["a2"]]);
    expect(classifyGraphQLError(read.errors[0], 500)).toBeInstanceOf(ServerError);
    // A 500 without data stays a whole-request failure (retried with backoff).
    expect(() =>
      interpretResponse(
        500,
        JSON.stringify({ errors: [{ message: "Internal server error" }] }),
        new Headers(),
      ),
    ).toThrow(ServerError);
  });

  it("errors monday answers with HTTP 200 stay 200", async () => {
    const em = await start();
    const res = await gql(em, CREATE_ITEM, { board: "100", name: "x", values: JSON.stringify({ nope: 1 }) });
    expect(res.status).toBe(200);
    expect(res.errors?.[0]?.extensions.code).toBe("InvalidColumnIdException");
  });
});

describe("request_id", () => {
  it("is on every error and in the Request-Id header: 200, 400, 401, 429 and 500", async () => {
    const em = await start({ token: "secret", enforceLimits: true, requestsPerMinute: 3 });
    const auth = { Authorization: "secret" };
    const graphqlError = await gql(em, "{ boards { nope } }", {}, auth);
    expect(graphqlError.status).toBe(200);
    expectRequestIds(graphqlError);
    const internal = await gql(em, CREATE_ITEM, { board: "100", name: "x", values: "{" }, auth);
    expect(internal.status).toBe(500);
    expectRequestIds(internal);
    const badVersion = await gql(em, "{ boards { id } }", {}, { ...auth, "API-Version": "latest!" });
    expect(badVersion.status).toBe(400);
    expectRequestIds(badVersion);
    const unauthorized = await gql(em, "{ boards { id } }", {}, { Authorization: "intruder" });
    expect(unauthorized.status).toBe(401);
    expectRequestIds(unauthorized);
    await gql(em, "{ boards { id } }", {}, auth);
    const limited = await gql(em, "{ boards { id } }", {}, auth);
    expect(limited.status).toBe(429);
    expectRequestIds(limited);
    const ok = await gql(em, "{ boards { id } }", {}, auth);
    expect(ok.headers.get("request-id")).not.toBe(limited.headers.get("request-id"));
  });

  it("a malformed body is a 400 JsonParseException with its request_id", async () => {
    const em = await start();
    const res = await fetch(em.url, {
      method: "POST",
      headers: { Authorization: "t", "Content-Type": "application/json" },
      body: "{nope",
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]?.extensions).toEqual({
      code: "JsonParseException",
      status_code: 400,
      request_id: res.headers.get("request-id"),
    });
  });
});

/** `"name";k=v;k2=v2, ...` → `{ name: { k: v } }` (numbers only), to read the headers in the tests. */
function quotas(header: string | null): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const member of (header ?? "").split(",")) {
    const [rawName = "", ...params] = member.trim().split(";");
    out[rawName.replace(/"/g, "")] = Object.fromEntries(
      params
        .map((p) => p.split("="))
        .filter(([, v]) => v !== undefined && Number.isFinite(Number(v)))
        .map(([k, v]) => [k, Number(v)]),
    );
  }
  return out;
}

describe("RateLimit headers", () => {
  it("name every policy monday documents, on successes and refusals alike", async () => {
    const em = await start({ enforceLimits: true, budgetPerMinute: 25_000, requestsPerMinute: 4 });
    const first = await postRaw(em.url, `mutation { create_item(board_id: 100, item_name: "x") { id } }`);
    expect(quotas(first.headers.get("ratelimit-policy"))).toEqual({
      minuteRate: { q: 4, w: 60 },
      concurrency: { q: 250 },
      complexityMinute: { q: 25_000, w: 60 },
    });
    const used = quotas(first.headers.get("ratelimit"));
    expect(used.minuteRate).toEqual({ r: 3, t: 60 });
    expect(used.concurrency?.r).toBe(249);
    expect(used.complexityMinute).toEqual({ r: 25_000 - 10_002, t: 60 });
    await postRaw(em.url, "{ boards { id } }");
    await postRaw(em.url, "{ boards { id } }");
    await postRaw(em.url, "{ boards { id } }");
    const refused = await postRaw(em.url, "{ boards { id } }");
    expect(refused.status).toBe(429);
    expect(quotas(refused.headers.get("ratelimit")).minuteRate?.r).toBe(0);
    expect(quotas(refused.headers.get("ratelimit-policy")).complexityMinute?.q).toBe(25_000);
  });

  it("with limits off every quota reports itself full", async () => {
    const em = await start({ enforceLimits: false });
    await postRaw(em.url, `mutation { create_item(board_id: 100, item_name: "x") { id } }`);
    const used = quotas((await postRaw(em.url, "{ boards { id } }")).headers.get("ratelimit"));
    expect(used.minuteRate?.r).toBe(5_000);
    expect(used.concurrency?.r).toBe(250);
    expect(used.complexityMinute?.r).toBe(10_000_000);
  });
});
