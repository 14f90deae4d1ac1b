// Webhooks against a real HTTP endpoint: the challenge, JWTs of app-token webhooks, retries, delivery
// faults, board-user edits through the admin endpoint, and activity_logs built from the same change feed.
import { errors as joseErrors, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_USER,
  type ActivityLogView,
  type Emulator,
  type EmulatorOptions,
} from "../../src/emulator/index.js";
import { CREATE_ITEM, emulatorWithBoard, gql } from "./client.js";
import {
  CREATE_WEBHOOK,
  startReceiver,
  TRIGGER_UUID,
  type ReceiverBehaviour,
  type WebhookReceiver,
} from "./webhook-receiver.js";

const SECRET = "app-signing-secret";
const APP_TOKEN = "app-oauth-token";
const PLANNER_TOKEN = "planner-token";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = await emulatorWithBoard({
    signingSecret: SECRET,
    users: {
      users: [{ token: PLANNER_TOKEN, name: "Pat Planner" }],
      appTokens: [APP_TOKEN],
      defaultUserTokens: ["test-token"],
    },
    ...options,
  });
  open.push(emulator);
  return emulator;
}

async function receiver(behaviour: ReceiverBehaviour = {}): Promise<WebhookReceiver> {
  const r = await startReceiver(behaviour);
  open.push(r);
  return r;
}

async function createWebhook(
  em: Emulator,
  url: string,
  event: string,
  config?: unknown,
  token = "test-token",
) {
  return gql<{ create_webhook: { id: string; board_id: string; event: string; config: string | null } }>(
    em,
    CREATE_WEBHOOK,
    { board: "100", url, event, ...(config !== undefined && { config: JSON.stringify(config) }) },
    { Authorization: token },
  );
}

async function createItem(
  em: Emulator,
  name: string,
  values: Record<string, unknown> = {},
  token = "test-token",
) {
  const res = await gql<{ create_item: { id: string } }>(
    em,
    CREATE_ITEM,
    { board: "100", name, values: JSON.stringify(values) },
    { Authorization: token },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.create_item.id;
}

async function setValues(em: Emulator, item: string, values: Record<string, unknown>, token = "test-token") {
  const res = await gql(
    em,
    `mutation ($item: ID!, $values: JSON!) { change_multiple_column_values(board_id: 100, item_id: $item, column_values: $values) { id } }`,
    { item, values: JSON.stringify(values) },
    { Authorization: token },
  );
  expect(res.errors).toBeUndefined();
}

function admin(em: Emulator, path: string, body: unknown, token = "test-token") {
  return fetch(new URL(path, em.url), {
    method: "POST",
    headers: { Authorization: token, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("create_webhook's challenge", () => {
  it("creates the webhook when the endpoint echoes the challenge; webhooks and delete_webhook see it", async () => {
    const em = await start();
    const r = await receiver();
    const res = await createWebhook(em, r.url, "change_specific_column_value", { columnId: "status" });
    expect(res.errors).toBeUndefined();
    const hook = res.data!.create_webhook;
    expect(hook).toEqual({
      id: expect.stringMatching(/^\d+$/),
      board_id: "100",
      event: "change_specific_column_value",
      config: JSON.stringify({ columnId: "status" }),
    });
    expect(r.received).toHaveLength(1);
    expect(Object.keys(r.received[0]!.body)).toEqual(["challenge"]);
    expect(r.received[0]!.body.challenge).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const listed = await gql<{ webhooks: { id: string }[] }>(
      em,
      `{ webhooks(board_id: 100) { id board_id event config } }`,
    );
    expect(listed.data!.webhooks).toEqual([hook]);
    const deleted = await gql<{ delete_webhook: { id: string } }>(
      em,
      `mutation ($id: ID!) { delete_webhook(id: $id) { id board_id } }`,
      { id: hook.id },
    );
    expect(deleted.data!.delete_webhook).toEqual({ id: hook.id, board_id: "100" });
    const after = await gql<{ webhooks: unknown[] }>(em, `{ webhooks(board_id: 100) { id } }`);
    expect(after.data!.webhooks).toEqual([]);
    const again = await gql(em, `mutation ($id: ID!) { delete_webhook(id: $id) { id } }`, { id: hook.id });
    expect(again.errors?.[0]?.extensions.code).toBe("ResourceNotFoundException");
  });

  it.each([
    ["answers 200 with another token", "wrong" as const],
    ["answers 500", "error" as const],
  ])("refuses an endpoint that %s", async (_what, challenge) => {
    const em = await start();
    const r = await receiver({ challenge });
    const res = await createWebhook(em, r.url, "change_column_value");
    expect(res.data?.create_webhook).toBeNull();
    expect(res.errors?.[0]).toMatchObject({
      message: "Failed to communicate with URL provided.",
      path: ["create_webhook"],
      extensions: { code: "InvalidArgumentException", error_data: { url: r.url } },
    });
    expect(r.received).toHaveLength(1);
    const listed = await gql<{ webhooks: unknown[] }>(em, `{ webhooks(board_id: 100) { id } }`);
    expect(listed.data!.webhooks).toEqual([]);
  });

  it("refuses an endpoint that is not there, a url over 255 characters, and a config the event cannot use", async () => {
    const em = await start();
    const gone = await receiver();
    await gone.close();
    expect((await createWebhook(em, gone.url, "create_item")).errors?.[0]?.extensions.code).toBe(
      "InvalidArgumentException",
    );
    const r = await receiver();
    const long = `${r.url}?pad=${"x".repeat(255 - r.url.length - 4)}`;
    expect(long).toHaveLength(256);
    const tooLong = await createWebhook(em, long, "create_item");
    expect(tooLong.errors?.[0]?.message).toBe("url must be at most 255 characters");
    const missingColumn = await createWebhook(em, r.url, "change_specific_column_value");
    expect(missingColumn.errors?.[0]?.extensions.code).toBe("InvalidArgumentException");
    const unknownColumn = await createWebhook(em, r.url, "change_specific_column_value", {
      columnId: "nope",
    });
    expect(unknownColumn.errors?.[0]?.extensions.code).toBe("InvalidColumnIdException");
    const notStatus = await createWebhook(em, r.url, "change_status_column_value", { columnId: "key" });
    expect(notStatus.errors?.[0]?.message).toBe("column key is not a status column");
    expect(r.received).toHaveLength(0);
  });
});

describe("webhooks created with an app token", () => {
  async function appDelivery() {
    const em = await start();
    const r = await receiver();
    expect((await createWebhook(em, r.url, "create_item", undefined, APP_TOKEN)).errors).toBeUndefined();
    await createItem(em, "signed");
    const [event] = await r.waitForEvents(1);
    const delivery = r.received.find((d) => d.body.event === event)!;
    return { em, r, event: event!, authorization: delivery.headers.authorization };
  }

  it("carry a JWT (no Bearer) signed HS256 with the signing secret, for the endpoint, valid 5 minutes", async () => {
    const { r, authorization } = await appDelivery();
    expect(authorization).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const { payload, protectedHeader } = await jwtVerify(authorization!, new TextEncoder().encode(SECRET), {
      audience: r.url,
      algorithms: ["HS256"],
    });
    expect(protectedHeader.alg).toBe("HS256");
    expect(payload).toEqual({
      accountId: 1,
      userId: Number(DEFAULT_USER.id),
      shortLivedToken: APP_TOKEN,
      aud: r.url,
      iat: expect.any(Number),
      exp: payload.iat! + 300,
    });
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
  });

  it("a JWT checked with another secret, tampered with, for another audience or after exp is refused", async () => {
    const { r, authorization } = await appDelivery();
    const key = new TextEncoder().encode(SECRET);
    await expect(
      jwtVerify(authorization!, new TextEncoder().encode("another-secret"), { audience: r.url }),
    ).rejects.toBeInstanceOf(joseErrors.JWSSignatureVerificationFailed);
    const [header, body, signature] = authorization!.split(".");
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body!, "base64url").toString()), userId: 1 }),
    ).toString("base64url");
    await expect(
      jwtVerify(`${header}.${forged}.${signature}`, key, { audience: r.url }),
    ).rejects.toBeInstanceOf(joseErrors.JWSSignatureVerificationFailed);
    await expect(
      jwtVerify(authorization!, key, { audience: "https://elsewhere.example/hook" }),
    ).rejects.toBeInstanceOf(joseErrors.JWTClaimValidationFailed);
    const { payload } = await jwtVerify(authorization!, key, { audience: r.url });
    await expect(
      jwtVerify(authorization!, key, { audience: r.url, currentDate: new Date((payload.exp! + 1) * 1000) }),
    ).rejects.toBeInstanceOf(joseErrors.JWTExpired);
  });

  it("on a time scale, the JWT lives 5 emulator minutes of the receiver's real clock", async () => {
    // 60×: 5 emulator minutes are 5 real seconds.
    const em = await start({ timeScale: 60 });
    const r = await receiver();
    expect((await createWebhook(em, r.url, "create_item", undefined, APP_TOKEN)).errors).toBeUndefined();
    await createItem(em, "scaled");
    await r.waitForEvents(1);
    const jwt = r.received.at(-1)!.headers.authorization!;
    const key = new TextEncoder().encode(SECRET);
    const { payload } = await jwtVerify(jwt, key, { audience: r.url });
    expect(payload.exp! - payload.iat!).toBe(5);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
    await expect(
      jwtVerify(jwt, key, { audience: r.url, currentDate: new Date(Date.now() + 6_000) }),
    ).rejects.toBeInstanceOf(joseErrors.JWTExpired);
  });

  it("personal-token webhooks carry no Authorization; an app token without a signing secret cannot create one", async () => {
    const em = await start();
    const r = await receiver();
    expect((await createWebhook(em, r.url, "create_item")).errors).toBeUndefined();
    await createItem(em, "unsigned");
    await r.waitForEvents(1);
    expect(r.received.at(-1)!.headers.authorization).toBeUndefined();

    const unsigned = await start({ signingSecret: undefined });
    const refused = await createWebhook(unsigned, r.url, "create_item", undefined, APP_TOKEN);
    expect(refused.errors?.[0]?.message).toMatch(/without a signing secret/);
  });
});

describe("delivery", () => {
  it("retries a delivery that got a 500 once an emulator minute until a 200, isRetry true, same triggerUuid", async () => {
    // 600×: an emulator minute is 100 real ms.
    const em = await start({ timeScale: 600 });
    const r = await receiver({ statuses: [500, 503, 500] });
    expect((await createWebhook(em, r.url, "create_item")).errors).toBeUndefined();
    await createItem(em, "retried");
    const events = await r.waitForEvents(4);
    await sleep(250);
    expect(r.events()).toHaveLength(4);
    expect(events.map((e) => e.isRetry)).toEqual([false, true, true, true]);
    expect(new Set(events.map((e) => e.triggerUuid)).size).toBe(1);
    expect(events[0]!.triggerUuid).toMatch(TRIGGER_UUID);
    const times = r.received.filter((d) => d.body.event).map((d) => d.at);
    // Retries keep a one-minute (100 ms) grid from the first attempt.
    times.forEach((at, i) => expect(at - times[0]!).toBeGreaterThanOrEqual(i * 100 - 40));
    await expect
      .poll(() => em.stats().webhooks)
      .toMatchObject({ queued: 1, sent: 1, retried: 3, failed: 3, abandoned: 0 });
  });

  it("gives up after 30 minutes of retries (31 attempts) and counts the delivery abandoned", async () => {
    const em = await start({ timeScale: 2000 });
    const r = await receiver({ statuses: Array(40).fill(500) });
    expect((await createWebhook(em, r.url, "create_item")).errors).toBeUndefined();
    await createItem(em, "abandoned");
    await r.waitForEvents(31);
    await sleep(150);
    expect(r.events()).toHaveLength(31);
    await expect
      .poll(() => em.stats().webhooks)
      .toMatchObject({ sent: 0, retried: 30, failed: 31, abandoned: 1 });
  });

  it("abandons an attempt after 3 emulator minutes without an answer and retries it", async () => {
    const em = await start({ timeScale: 600 });
    const r = await receiver({ hang: true });
    expect((await createWebhook(em, r.url, "create_item")).errors).toBeUndefined();
    await createItem(em, "slow endpoint");
    await r.waitForEvents(1);
    r.behaviour = {};
    const events = await r.waitForEvents(2, 3_000);
    // The attempt is abandoned after 3 emulator minutes (300 real ms); its retry's minute has passed by
    // then, so the retry follows at once.
    const [first, retry] = r.received.filter((d) => d.body.event).map((d) => d.at);
    expect(retry! - first!).toBeGreaterThanOrEqual(280);
    expect(events[1]).toMatchObject({ isRetry: true, triggerUuid: events[0]!.triggerUuid });
  });

  it("never makes the API request wait for the endpoint", async () => {
    const em = await start();
    const r = await receiver({ answerAfterMs: 1_500 });
    expect((await createWebhook(em, r.url, "create_item")).errors).toBeUndefined();
    const started = Date.now();
    await createItem(em, "fast");
    expect(Date.now() - started).toBeLessThan(1_000);
    await r.waitForEvents(1);
  });

  it("stops every retry on close()", async () => {
    const em = await start({ timeScale: 6000 });
    const r = await receiver({ statuses: Array(40).fill(500) });
    expect((await createWebhook(em, r.url, "create_item")).errors).toBeUndefined();
    await createItem(em, "closed");
    await r.waitForEvents(1);
    open.splice(open.indexOf(em), 1);
    await em.close();
    await sleep(30);
    const count = r.events().length;
    await sleep(200);
    expect(r.events()).toHaveLength(count);
    expect(count).toBeLessThan(31);
  });
});

describe("delivery faults", () => {
  it("duplicate sends the same delivery twice, with the same triggerUuid", async () => {
    const em = await start({ webhookFaults: { faults: { duplicate: 1 } } });
    const r = await receiver();
    expect((await createWebhook(em, r.url, "create_item")).errors).toBeUndefined();
    await createItem(em, "twice");
    const events = await r.waitForEvents(2);
    await sleep(100);
    expect(r.events()).toHaveLength(2);
    expect(events[0]).toEqual(events[1]);
    await expect.poll(() => em.stats().webhooks).toMatchObject({ queued: 1, sent: 2, duplicated: 1 });
  });

  it("reorder and delay, set through POST /__admin/webhooks/faults, swap and hold deliveries", async () => {
    const em = await start({ timeScale: 600 });
    const r = await receiver();
    expect((await createWebhook(em, r.url, "create_item")).errors).toBeUndefined();
    const set = await admin(em, "/__admin/webhooks/faults", { faults: { reorder: 1 }, delayMs: 600_000 });
    expect(await set.json()).toEqual({ faults: { reorder: 1 }, delayMs: 600_000 });
    await createItem(em, "first");
    await admin(em, "/__admin/webhooks/faults", { faults: {} });
    await createItem(em, "second");
    const swapped = await r.waitForEvents(2, 2_000);
    expect(swapped.map((e) => e.pulseName)).toEqual(["second", "first"]);

    await admin(em, "/__admin/webhooks/faults", { faults: { delay: 1 }, delayMs: 60_000 });
    const before = Date.now();
    await createItem(em, "late");
    await r.waitForEvents(3);
    expect(r.received.at(-1)!.at - before).toBeGreaterThanOrEqual(90);
    await expect.poll(() => em.stats().webhooks).toMatchObject({ reordered: 1, delayed: 1, sent: 3 });
    const bad = await admin(em, "/__admin/webhooks/faults", { faults: { lose: 0.5 } });
    expect(bad.status).toBe(400);
  });
});

describe("board-user edits through the admin endpoint", () => {
  it("fire webhooks with the user they name, or the admin token's user", async () => {
    const em = await start();
    const r = await receiver();
    for (const event of ["change_column_value", "change_name", "item_archived", "create_item"])
      expect((await createWebhook(em, r.url, event)).errors).toBeUndefined();
    const item = await createItem(em, "A-1");
    const plannerId = "1000002";
    const edit = await admin(em, `/__admin/items/${item}/column-values`, {
      userId: plannerId,
      columnValues: { status: { label: "Done" } },
    });
    expect(edit.status).toBe(200);
    expect(await edit.json()).toMatchObject({ item: { id: item, boardId: "100", state: "active" } });
    await admin(em, `/__admin/items/${item}/name`, { name: "A-1 (renamed)" }, PLANNER_TOKEN);
    await admin(em, `/__admin/items/${item}/archive`, {});
    await admin(em, "/__admin/boards/100/items", { userId: plannerId, name: "B-1", groupId: "second" });
    const events = await r.waitForEvents(5);
    // Deliveries run concurrently and may arrive in any order, as on monday.
    const byName = (e: Record<string, unknown>) => String(e.pulseName ?? e.itemName);
    expect(events.map((e) => [e.type, e.userId]).sort()).toEqual(
      [
        ["create_pulse", Number(DEFAULT_USER.id)],
        ["update_column_value", Number(plannerId)],
        ["update_name", Number(plannerId)],
        ["archive_pulse", Number(DEFAULT_USER.id)],
        ["create_pulse", Number(plannerId)],
      ].sort(),
    );
    expect(events.find((e) => byName(e) === "B-1")).toMatchObject({
      groupId: "second",
      isTopGroup: false,
      pulseName: "B-1",
    });
  });

  it("answers 400 for an unknown user or a bad body, 404 for an unknown item", async () => {
    const em = await start();
    const item = await createItem(em, "A-1");
    const unknownUser = await admin(em, `/__admin/items/${item}/name`, { userId: "42", name: "x" });
    expect(unknownUser.status).toBe(400);
    expect(await unknownUser.json()).toEqual({ error: "no user with id 42" });
    expect((await admin(em, `/__admin/items/${item}/column-values`, { columnValues: 3 })).status).toBe(400);
    const badValue = await admin(em, `/__admin/items/${item}/column-values`, {
      columnValues: { qty: "many" },
    });
    expect(badValue.status).toBe(400);
    expect(await badValue.json()).toMatchObject({ code: "ColumnValueException" });
    expect((await admin(em, "/__admin/items/123/archive", {})).status).toBe(404);
    expect((await admin(em, `/__admin/items/${item}/explode`, {})).status).toBe(404);
  });
});

async function activityLogs(em: Emulator, args = "") {
  const res = await gql<{ boards: { activity_logs: ActivityLogView[] }[] }>(
    em,
    `{ boards(ids: [100]) { activity_logs${args} { id event entity data created_at user_id account_id } } }`,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.boards[0]!.activity_logs;
}

describe("activity_logs", () => {
  it("lists the board's changes newest first, with 17-digit timestamps, the user and the change as JSON", async () => {
    const em = await start();
    const started = Date.now();
    const item = await createItem(em, "A-1", { key: "A-1" });
    await setValues(em, item, { status: { label: "Done" } }, PLANNER_TOKEN);
    await setValues(em, item, { status: { label: "Done" } }, PLANNER_TOKEN);
    await gql(em, `mutation ($item: ID!) { move_item_to_group(item_id: $item, group_id: "second") { id } }`, {
      item,
    });
    await admin(em, `/__admin/items/${item}/archive`, { userId: "1000002" });
    const logs = await activityLogs(em);
    expect(logs.map((l) => [l.event, l.user_id])).toEqual([
      ["archive_pulse", "1000002"],
      ["move_pulse_into_group", DEFAULT_USER.id],
      ["update_column_value", "1000002"],
      ["create_pulse", DEFAULT_USER.id],
    ]);
    for (const log of logs) {
      expect(log.created_at).toMatch(/^\d{17}$/);
      const ms = Number(log.created_at) / 10_000;
      expect(ms).toBeGreaterThanOrEqual(started - 1);
      expect(ms).toBeLessThanOrEqual(Date.now());
      expect(log).toMatchObject({ entity: "pulse", account_id: "1", id: expect.any(String) });
    }
    expect(new Set(logs.map((l) => l.id)).size).toBe(4);
    expect(JSON.parse(logs[2]!.data)).toMatchObject({
      board_id: 100,
      pulse_id: Number(item),
      column_id: "status",
      column_type: "color",
      column_title: "Status",
      value: { label: { text: "Done" }, post_id: null },
      previous_value: null,
    });
    expect(JSON.parse(logs[1]!.data)).toMatchObject({ source_group_id: "topics", dest_group_id: "second" });
  });

  it("filters by user, item, column and time, and pages", async () => {
    const em = await start();
    const a = await createItem(em, "A");
    const b = await createItem(em, "B");
    await setValues(em, a, { key: "a", qty: "1" }, PLANNER_TOKEN);
    // `from` is inclusive to the millisecond: leave a gap on both sides so A's changes are strictly before it.
    await sleep(5);
    const middle = new Date().toISOString();
    await sleep(5);
    await setValues(em, b, { qty: "2" });
    const byPlanner = await activityLogs(em, `(user_ids: [1000002])`);
    expect(byPlanner.map((l) => JSON.parse(l.data).column_id)).toEqual(["qty", "key"]);
    const ofB = await activityLogs(em, `(item_ids: [${b}])`);
    expect(ofB.map((l) => l.event)).toEqual(["update_column_value", "create_pulse"]);
    const qty = await activityLogs(em, `(column_ids: ["qty"])`);
    expect(qty.map((l) => JSON.parse(l.data).pulse_id)).toEqual([Number(b), Number(a)]);
    const late = await activityLogs(em, `(from: "${middle}")`);
    expect(late.map((l) => JSON.parse(l.data).pulse_id)).toEqual([Number(b)]);
    const all = await activityLogs(em);
    expect(all).toHaveLength(5);
    expect(await activityLogs(em, `(limit: 2, page: 2)`)).toEqual(all.slice(2, 4));
  });
});
