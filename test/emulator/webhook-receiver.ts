// A real HTTP endpoint for webhook tests: answers monday's challenge (or not), answers deliveries with the
// statuses a test sets, and records every request it got.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the endpoint received. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: { challenge?: string; event?: Record<string, unknown> };
  /** `Date.now()` when it arrived. */
  at: number;
}

/** How the endpoint answers. */
export interface ReceiverBehaviour {
  /** How it answers a challenge: echo it (default), answer 200 with another token, or answer 500. */
  challenge?: "echo" | "wrong" | "error";
  /** Statuses of the next deliveries, in order; 200 once the list is used up. */
  statuses?: number[];
  /** Never answer deliveries (the emulator's timeout must give up). */
  hang?: boolean;
  /** Real ms to wait before answering a delivery. */
  answerAfterMs?: number;
}

export interface WebhookReceiver {
  url: string;
  received: Received[];
  /** The `event` objects of the deliveries so far (challenges left out). */
  events(): Record<string, unknown>[];
  /** Resolves once `count` deliveries arrived; rejects after `timeoutMs`. */
  waitForEvents(count: number, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  behaviour: ReceiverBehaviour;
  close(): Promise<void>;
}

/** Starts an endpoint on 127.0.0.1 with a free port. */
export async function startReceiver(
  behaviour: ReceiverBehaviour = {},
  path = "/hooks/monday",
): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const state = { behaviour };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Received["body"];
      received.push({ headers: req.headers, body, at: Date.now() });
      const b = state.behaviour;
      if (body.challenge !== undefined) {
        const mode = b.challenge ?? "echo";
        if (mode === "error") return void res.writeHead(500).end("{}");
        const challenge = mode === "echo" ? body.challenge : "not-the-token";
        return void res
          .writeHead(200, { "Content-Type": "application/json" })
          .end(JSON.stringify({ challenge }));
      }
      if (b.hang) return;
      const status = b.statuses?.shift() ?? 200;
      setTimeout(() => res.writeHead(status).end(), b.answerAfterMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const events = () => received.flatMap((r) => (r.body.event ? [r.body.event] : []));
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    events,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(next: ReceiverBehaviour) {
      state.behaviour = next;
    },
    async waitForEvents(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (events().length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} webhook deliveries, got ${events().length} in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return events();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The `create_webhook` mutation (config as a JSON string, as monday's docs write it). */
export const CREATE_WEBHOOK = `mutation ($board: ID!, $url: String!, $event: WebhookEventType!, $config: JSON) {
  create_webhook(board_id: $board, url: $url, event: $event, config: $config) { id board_id event config }
}`;

/** A 32-hex-digit trigger id, as monday sends `triggerUuid`. */
export const TRIGGER_UUID = /^[0-9a-f]{32}$/;
