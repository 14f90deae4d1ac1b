// POST /webhooks/monday/<secret> on a real database (SQLite and PostgreSQL): the challenge, the JWT of
// app-created webhooks, the path secret, the body limit, and one stored row per triggerUuid.
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { webhookRoutes } from "../../src/http/index.js";
import { signWebhookJwt } from "../../src/emulator/index.js";
import { testDatabasesExcept } from "../helpers/databases.js";
import { columnChangeEvent } from "../helpers/webhook-events.js";

const SECRET = "path-secret-0123456789abcdef0123";
const SIGNING = "app-signing-secret-for-tests";
const URL_ = `https://sync.example.com/webhooks/monday/${SECRET}`;

let seq = 0;
const columnEvent = (overrides: Record<string, unknown> = {}) =>
  columnChangeEvent({ pulseId: 9000000000 + ++seq, ...overrides });

for (const target of await testDatabasesExcept(["mssql"], "no SQL Server on this machine")) {
  describe.skipIf(!target.available)(`webhook endpoint on ${target.name}`, () => {
    let db: Db;
    let stored = 0;
    beforeAll(async () => {
      db = await target.open();
      await migrateToLatest(db);
    });
    afterAll(async () => {
      await db?.close();
    });

    const app = () =>
      webhookRoutes({
        db,
        secret: SECRET,
        signingSecret: SIGNING,
        audiences: [URL_],
        maxBodyBytes: 4096,
        onStored: () => stored++,
      });
    const post = (body: unknown, headers: Record<string, string> = {}, secret = SECRET) =>
      app().request(`/webhooks/monday/${secret}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    const rows = async () => db.kysely.selectFrom("MON_WebhookInbox").selectAll().execute();

    it("answers the challenge with the same JSON", async () => {
      const res = await post({ challenge: "abc123" });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ challenge: "abc123" });
      expect(await rows()).toHaveLength(0);
    });

    it("stores an event once per triggerUuid, however often it is delivered", async () => {
      const event = columnEvent();
      const before = (await rows()).length;
      const answers = await Promise.all([
        post({ event }),
        post({ event }),
        post({ event: { ...event, isRetry: true } }),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      const bodies = (await Promise.all(answers.map((a) => a.json()))) as { duplicate: boolean }[];
      expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);
      const all = await rows();
      expect(all.length - before).toBe(1);
      const row = all.find((r) => r.event_id === event.triggerUuid)!;
      expect(row).toMatchObject({
        status: "PENDING",
        board_id: "5001000001",
        event_type: "update_column_value",
      });
      expect(JSON.parse(row.body).event.value).toEqual({ value: "Red" });
    });

    it("accepts a valid JWT of an app webhook (signature, aud, exp)", async () => {
      const jwt = await signWebhookJwt(SIGNING, {
        url: URL_,
        userId: "1000002",
        shortLivedToken: "t",
        nowMs: Date.now(),
      });
      const event = columnEvent();
      const res = await post({ event }, { Authorization: jwt });
      expect(res.status).toBe(200);
      expect((await rows()).some((r) => r.event_id === event.triggerUuid)).toBe(true);
    });

    it("refuses a forged signature, an expired JWT, a wrong aud, a wrong path secret and an oversized body, storing nothing", async () => {
      const before = (await rows()).length;
      const forged = await signWebhookJwt("not-the-secret", {
        url: URL_,
        userId: "1",
        shortLivedToken: "t",
        nowMs: Date.now(),
      });
      const expired = await signWebhookJwt(SIGNING, {
        url: URL_,
        userId: "1",
        shortLivedToken: "t",
        nowMs: Date.now() - 3_600_000,
      });
      const otherAud = await signWebhookJwt(SIGNING, {
        url: "https://evil.example.com/hook",
        userId: "1",
        shortLivedToken: "t",
        nowMs: Date.now(),
      });
      const noExp = await new SignJWT({ userId: 1 })
        .setProtectedHeader({ alg: "HS256" })
        .setAudience(URL_)
        .sign(new TextEncoder().encode(SIGNING));
      const cases: [Response, number, RegExp][] = [
        [await post({ event: columnEvent() }, { Authorization: forged }), 401, /signature/],
        [await post({ event: columnEvent() }, { Authorization: expired }), 401, /expired/],
        [await post({ event: columnEvent() }, { Authorization: otherAud }), 401, /aud/],
        [await post({ event: columnEvent() }, { Authorization: noExp }), 401, /exp/],
        [await post({ event: columnEvent() }, {}, `${SECRET.slice(0, -1)}x`), 404, /no such/],
        [await post({ event: columnEvent() }, {}, "short"), 404, /no such/],
        [await post({ event: columnEvent({ pulseName: "x".repeat(5000) }) }), 413, /larger than 4096/],
        [await post("{not json"), 400, /JSON/],
        [await post({ event: { type: "update_column_value" } }), 400, /triggerUuid/],
      ];
      for (const [res, status, message] of cases) {
        expect(res.status).toBe(status);
        expect(((await res.json()) as { error: string }).error).toMatch(message);
      }
      expect((await rows()).length).toBe(before);
    });

    it("woke the worker once per stored event", () => {
      expect(stored).toBe(2);
    });
  });
}
