// Transport and header behaviour against a tiny canned HTTP server (the client's logic is tested end to end
// against the emulator in client-emulator.test.ts).
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MondayClient, createItemOp } from "../../src/monday/client.js";
import { loadDocument } from "../../src/monday/documents.js";
import {
  AuthError,
  ColumnValueError,
  NetworkError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from "../../src/monday/errors.js";
import { HttpTransport } from "../../src/monday/transport.js";
import type { RequestEvent } from "../../src/monday/transport.js";

const TOKEN = "secret-token-abc123";

interface Received {
  headers: IncomingHttpHeaders;
  body: { query: string; variables: Record<string, unknown> };
}

type Reply = (res: ServerResponse) => void;

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

let server: Server;
let url: string;
const received: Received[] = [];
let replies: Reply[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      const reply = replies.shift() ?? json(200, { data: { complexity: null } });
      reply(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received.length = 0;
  replies = [];
});

function transport(options: { timeoutMs?: number; token?: string | undefined } = {}): HttpTransport {
  return new HttpTransport({
    url,
    token: "token" in options ? options.token : TOKEN,
    apiVersion: "2026-10",
    timeoutMs: options.timeoutMs ?? 5_000,
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("HttpTransport", () => {
  it("sends the raw token, API-Version, JSON and the Idempotency-Key, values only as variables", async () => {
    replies.push(
      json(
        200,
        { data: { a0: { id: "1" } } },
        { "x-request-id": "req-7", RateLimit: '"default";r=99;t=42', "Idempotency-Replayed": "true" },
      ),
    );
    const http = transport();
    const events: RequestEvent[] = [];
    http.onRequest((e) => events.push(e));
    const client = new MondayClient(http);
    const outcomes = await client.runBatch(
      [createItemOp({ boardId: "5", itemName: 'PO "1"', columnValues: { text: "x" } })],
      {
        idempotencyKey: "key-1",
      },
    );
    expect(outcomes).toEqual([{ ok: true, data: { id: "1" } }]);

    const [request] = received;
    expect(request?.headers.authorization).toBe(TOKEN);
    expect(request?.headers["api-version"]).toBe("2026-10");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["idempotency-key"]).toBe("key-1");
    expect(request?.body.variables).toEqual({
      a0_boardId: "5",
      a0_itemName: 'PO "1"',
      a0_columnValues: '{"text":"x"}',
    });
    expect(request?.body.query).toContain("a0: create_item(");
    expect(request?.body.query).not.toContain("PO");
    expect(http.requests).toBe(1);
    expect(events).toMatchObject([
      { operation: "Batch", status: 200, requestId: "req-7", rateLimit: { remaining: 99, resetSeconds: 42 } },
    ]);
  });

  it("omits Idempotency-Key when none is given and reports complexity in events", async () => {
    replies.push(
      json(200, { data: { complexity: { before: 100, after: 90, query: 10, reset_in_x_seconds: 30 } } }),
    );
    const http = transport();
    const events: RequestEvent[] = [];
    http.onRequest((e) => events.push(e));
    const response = await http.request(loadDocument("GetComplexity"), {});
    expect(received[0]?.headers["idempotency-key"]).toBeUndefined();
    expect(response.status).toBe(200);
    expect(events[0]).toMatchObject({ operation: "GetComplexity", complexity: { query: 10, after: 90 } });
  });

  it("returns per-field errors with partial data instead of throwing", async () => {
    replies.push(
      json(200, {
        data: { a0: { id: "1" }, a1: null },
        errors: [{ message: "bad label", path: ["a1"], extensions: { code: "ColumnValueException" } }],
      }),
    );
    const client = new MondayClient(transport());
    const op = createItemOp({ boardId: "5", itemName: "x" });
    const outcomes = await client.runBatch([op, op]);
    expect(outcomes[0]).toEqual({ ok: true, data: { id: "1" } });
    expect(outcomes[1]?.ok).toBe(false);
    expect(outcomes[1]?.ok === false && outcomes[1].error).toBeInstanceOf(ColumnValueError);
  });

  it("returns partial data even with an error that names no alias, so successful creates are not lost", async () => {
    replies.push(
      json(200, {
        data: { a0: { id: "1" }, a1: null },
        errors: [{ message: "Internal error", extensions: { code: "INTERNAL_SERVER_ERROR" } }],
      }),
    );
    const op = createItemOp({ boardId: "5", itemName: "x" });
    const outcomes = await new MondayClient(transport()).runBatch([op, op]);
    expect(outcomes[0]).toEqual({ ok: true, data: { id: "1" } });
    expect(outcomes[1]?.ok === false && outcomes[1].error).toBeInstanceOf(ServerError);
  });

  it("throws an answer with neither data nor errors", async () => {
    replies.push(json(200, { data: null }));
    expect(await rejection(transport().request(loadDocument("GetComplexity"), {}))).toBeInstanceOf(
      ServerError,
    );
  });

  it("throws a 200 with errors and no data as the whole request's error", async () => {
    replies.push(
      json(200, {
        data: null,
        errors: [
          {
            message: "Complexity budget exhausted",
            extensions: { code: "COMPLEXITY_BUDGET_EXHAUSTED", retry_in_seconds: 12 },
          },
        ],
      }),
    );
    const error = await rejection(transport().request(loadDocument("GetComplexity"), {}));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryInSeconds).toBe(12);
  });

  it("throws the old top-level error shape", async () => {
    replies.push(
      json(200, {
        error_code: "ColumnValueException",
        status_code: 200,
        error_message: "invalid value",
        error_data: { column_type: "date" },
      }),
    );
    const error = await rejection(transport().request(loadDocument("GetComplexity"), {}));
    expect(error).toBeInstanceOf(ColumnValueError);
    expect((error as ColumnValueError).columnType).toBe("date");
  });

  it("turns a 429 body into a RateLimitError with retryInSeconds", async () => {
    replies.push(
      json(
        429,
        {
          errors: [
            {
              message: "Complexity budget exhausted",
              extensions: { code: "COMPLEXITY_BUDGET_EXHAUSTED", retry_in_seconds: 42 },
            },
          ],
        },
        { "Retry-After": "42" },
      ),
    );
    const error = await rejection(transport().request(loadDocument("GetComplexity"), {}));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      retryInSeconds: 42,
      statusCode: 429,
      code: "COMPLEXITY_BUDGET_EXHAUSTED",
      retryable: true,
    });
  });

  it("turns a 401 into an AuthError that never shows the token, even when the server echoes it", async () => {
    replies.push(json(401, { errors: [{ message: `Not Authenticated: ${TOKEN}` }] }));
    const error = await rejection(transport().request(loadDocument("GetComplexity"), {}));
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).not.toContain(TOKEN);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(String(error.stack)).not.toContain(TOKEN);
  });

  it("never shows the token echoed inside a per-item error of a batch", async () => {
    replies.push(
      json(200, {
        data: { a0: { id: "1" }, a1: null },
        errors: [
          {
            message: `bad value for ${TOKEN}`,
            path: ["a1"],
            extensions: { code: "ColumnValueException", error_data: { column_value: TOKEN } },
          },
        ],
      }),
    );
    const client = new MondayClient(transport());
    const op = createItemOp({ boardId: "5", itemName: "x" });
    const outcomes = await client.runBatch([op, op]);
    const failed = outcomes[1];
    expect(failed?.ok === false && failed.error).toBeInstanceOf(ColumnValueError);
    const error = failed?.ok === false ? failed.error : undefined;
    expect(error?.message).toContain("bad value for [redacted]");
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(JSON.stringify(error?.errorData)).not.toContain(TOKEN);
  });

  it("refuses to send without a token and says to set MONDAY_API_TOKEN", async () => {
    for (const token of [undefined, "", "  "]) {
      const http = transport({ token });
      const error = await rejection(http.request(loadDocument("GetComplexity"), {}));
      expect(error).toBeInstanceOf(AuthError);
      expect(error.message).toContain("MONDAY_API_TOKEN");
      expect(http.requests).toBe(0);
    }
    expect(received).toHaveLength(0);
  });

  it("turns a slow answer into a TimeoutError", async () => {
    replies.push((res) => setTimeout(() => json(200, { data: {} })(res), 1_000));
    const http = transport({ timeoutMs: 100 });
    const events: RequestEvent[] = [];
    http.onRequest((e) => events.push(e));
    const error = await rejection(http.request(loadDocument("GetComplexity"), {}));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as TimeoutError).retryable).toBe(true);
    expect(events[0]?.error).toBe(error);
  });

  it("lets the caller's own abort through untouched", async () => {
    replies.push((res) => setTimeout(() => json(200, { data: {} })(res), 1_000));
    const controller = new AbortController();
    const pending = transport().request(loadDocument("GetComplexity"), {}, { signal: controller.signal });
    const reason = new Error("shutting down");
    setTimeout(() => controller.abort(reason), 20);
    expect(await rejection(pending)).toBe(reason);
  });

  it("turns 5xx and non-JSON answers into ServerError", async () => {
    replies.push((res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>Bad gateway</html>");
    });
    expect(await rejection(transport().request(loadDocument("GetComplexity"), {}))).toBeInstanceOf(
      ServerError,
    );
    replies.push((res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>oops</html>");
    });
    expect(await rejection(transport().request(loadDocument("GetComplexity"), {}))).toBeInstanceOf(
      ServerError,
    );
  });

  it("turns a refused connection into a NetworkError", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const http = new HttpTransport({
      url: `http://127.0.0.1:${port}/v2`,
      token: TOKEN,
      apiVersion: "2026-10",
    });
    const error = await rejection(http.request(loadDocument("GetComplexity"), {}));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect((error as NetworkError).code).toBe("ECONNREFUSED");
    expect(error.message).not.toContain(TOKEN);
  });
});
