// Two-way sync end to end (issue 14): `serve` and the emulator delivering real webhooks over HTTP, on
// SQLite and PostgreSQL. Planners edit through the emulator's board-user routes; their edits reach the
// write-back table, database-owned columns are restored by the next sync and recorded as conflicts, `both`
// columns follow their policy, and order-sync's own writes come back as echoes that change nothing.
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings, type Settings } from "../../src/config/index.js";
import { openDatabase, type Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { runCli } from "../helpers/cli.js";
import { createServerDatabase, testDatabasesExcept, type TestDatabase } from "../helpers/databases.js";
import { editConfigFile, parseMetrics, startServe, sumOf, type ServeProcess } from "../helpers/serve.js";

const ORDERS = 12;
const API_TOKEN = "two-way-api-token-4c1d";
const MONDAY_TOKEN = "two-way-monday-token-77aa";
const PLANNER_TOKEN = "two-way-planner-token";
const SECRET = "webhook-path-secret-3f9a0c2e7b5d4a1f";
const BOARD = "5001000001";
/** 300× emulator time: monday's 1-minute retries every 0.2 s, the 30-minute window in 6 s. */
const TIME_SCALE = 300;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Setup {
  dir: string;
  config: string;
  settings: Settings;
  db: Db;
  emulator: Emulator;
  env: Record<string, string>;
  port: number;
  serve: ServeProcess;
  close(): Promise<void>;
}

/** The demo config with every kind of column ownership on the first board, and a write-back table. */
function configure(config: string, port: number): void {
  editConfigFile(config, (raw) => {
    raw.serve = {
      schedule: { intervalSeconds: 3600, runOnStart: false },
      publicUrl: `http://127.0.0.1:${port}`,
      webhooks: { catchUpIntervalSeconds: 0 },
    };
    const boards = raw.boards as Record<string, unknown>[];
    const board = boards[0]!;
    const columns = board.columns as Record<string, unknown>[];
    const set = (id: string, extra: Record<string, unknown>) =>
      Object.assign(
        columns.find((c) => c.id === id)!,
        extra,
      );
    set("color", { direction: "from-board" });
    set("delivery", { direction: "both", conflict: "db-wins" });
    set("order_status", { direction: "both", conflict: "board-wins" });
    set("style", { direction: "both", conflict: "newest" });
    board.tracked = [
      {
        id: "factory_status",
        title: "Factory Status",
        type: "status",
        labels: ["Cutting", "Sewing", "Packed"],
      },
      { id: "planner_notes", title: "Planner Notes", type: "text", target: "PLANNER_NOTES" },
    ];
    (board.subitems as Record<string, unknown>).columns = [
      {
        source: "SEASON",
        id: "size_season",
        title: "Size Season",
        type: "text",
        direction: "both",
        conflict: "board-wins",
      },
    ];
    board.writeBack = {
      table: "ORDER_UPDATES_FROM_MONDAY",
      keyColumn: "ORDER_KEY",
      columns: { factory_status: "FACTORY_STATUS", size_season: "SIZE_SEASON" },
    };
  });
}

async function setUp(engine: TestDatabase["name"]): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), `order-sync-two-way-${engine}-`));
  expect(
    (await runCli(["init", "--dir", dir, "--orders", String(engine === "sqlite" ? ORDERS : 1)])).code,
  ).toBe(0);
  const config = join(dir, "order-sync.yaml");
  const port = await freePort();
  configure(config, port);
  const env: Record<string, string> = {
    MONDAY_API_TOKEN: MONDAY_TOKEN,
    ORDER_SYNC_API_TOKEN: API_TOKEN,
    ORDER_SYNC_WEBHOOK_SECRET: SECRET,
  };
  let dropSchema = async (): Promise<void> => undefined;
  if (engine !== "sqlite") {
    const server = await createServerDatabase(engine, "os_hooks");
    dropSchema = server.drop;
    env.ORDER_SYNC_DB_URL = server.url;
  }
  const settings = loadSettings(config, env);
  const db = await openDatabase(settings.db);
  if (engine !== "sqlite") {
    await createOrdersTable(db);
    await writeDemoOrders(db, { count: ORDERS, seed: 42 });
  }
  await sql`CREATE TABLE "ORDER_UPDATES_FROM_MONDAY" ("ORDER_KEY" varchar(255) PRIMARY KEY, "FACTORY_STATUS" text, "PLANNER_NOTES" text, "COLOR" text, "ORDER STATUS" text, "STYLE" text, "DELIVERY DATE" text, "SIZE_SEASON" text)`.execute(
    db.kysely,
  );
  const emulator = await startEmulator({
    port: 0,
    boards: emulatorBoards(settings.config),
    timeScale: TIME_SCALE,
    users: { users: [{ token: PLANNER_TOKEN, name: "Pat Planner" }], defaultUserTokens: [MONDAY_TOKEN] },
  });
  env.MONDAY_API_URL = emulator.url;
  const serve = await startServe(config, env, ["--port", String(port)]);
  const setup: Setup = {
    dir,
    config,
    settings,
    db,
    emulator,
    env,
    port,
    serve,
    close: async () => {
      if (setup.serve.child.exitCode === null) setup.serve.child.kill("SIGKILL");
      await emulator.close().catch(() => undefined);
      await db.close();
      await dropSchema();
    },
  };
  return setup;
}

async function sync(s: Setup): Promise<Record<string, number>> {
  const res = await fetch(`${s.serve.url}/api/sync?wait=true`, {
    method: "POST",
    headers: { Authorization: `Bearer ${API_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ customers: ["NORTHWIND APPAREL", "BLUE HARBOR", "KESTREL OUTDOOR"] }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { counts: Record<string, number> }).counts;
}

/** A planner's edit in monday's UI (the emulator's board-user route). */
async function plannerEdit(s: Setup, itemId: string, columnValues: Record<string, unknown>): Promise<void> {
  const res = await fetch(new URL(`/__admin/items/${itemId}/column-values`, s.emulator.url), {
    method: "POST",
    headers: { Authorization: PLANNER_TOKEN, "Content-Type": "application/json" },
    body: JSON.stringify({ columnValues }),
  });
  expect(res.status).toBe(200);
}

const changes = (s: Setup, itemId: string) =>
  s.db.kysely
    .selectFrom("MON_BoardChanges")
    .selectAll()
    .where("item_id", "=", itemId)
    .orderBy("change_id")
    .execute();
const inboxPending = async (s: Setup) =>
  Number(
    (
      await s.db.kysely
        .selectFrom("MON_WebhookInbox")
        .select(s.db.kysely.fn.countAll().as("n"))
        .where("status", "=", "PENDING")
        .executeTakeFirst()
    )?.n ?? 0,
  );
const writeBackRow = async (s: Setup, key: string) =>
  (
    await sql<
      Record<string, string | null>
    >`SELECT * FROM "ORDER_UPDATES_FROM_MONDAY" WHERE "ORDER_KEY" = ${key}`.execute(s.db.kysely)
  ).rows[0];
const boardText = (s: Setup, itemId: string, columnId: string) => {
  const item = s.emulator.store.items.get(itemId)!;
  return s.emulator.store.valueOf(item, columnId)?.text ?? null;
};

/** Waits until deliveries and the inbox are quiet: nothing queued in flight, nothing PENDING. */
async function settle(s: Setup): Promise<void> {
  let last = -1;
  await until("webhooks to settle", async () => {
    const w = s.emulator.stats().webhooks;
    const done = w.sent + w.abandoned;
    const quiet = done === last && (await inboxPending(s)) === 0;
    last = done;
    return quiet ? true : undefined;
  });
}

for (const target of await testDatabasesExcept(["mssql"], "no SQL Server on this machine")) {
  describe.skipIf(!target.available)(`two-way sync through webhooks on ${target.name}`, () => {
    let s: Setup;
    let itemId: string;
    let orderKey: string;
    beforeAll(async () => {
      s = await setUp(target.name);
    }, 60_000);
    afterAll(async () => {
      await s?.close();
    });

    it("syncs, then registers the webhooks once (register twice creates nothing)", async () => {
      const first = await sync(s);
      expect(first.created).toBeGreaterThan(0);
      const env = { ...s.env };
      const once = await runCli(["webhooks", "register", "--config", s.config, "--json"], { env });
      expect(once.code, once.stderr).toBe(0);
      const created = (JSON.parse(once.stdout) as { created: unknown[]; kept: number }).created.length;
      // Board 1: 10 mapped + 2 tracked columns + subitem column changes + 4 item events; board 2: 10 + 1 + 4.
      // Six CLI processes and a first sync: slow on a loaded machine, hence the long timeout.
      expect(created).toBe(32);
      const twice = JSON.parse(
        (await runCli(["webhooks", "register", "--config", s.config, "--json"], { env })).stdout,
      ) as { created: unknown[]; kept: number };
      expect(twice).toEqual({ created: [], kept: 32 });
      const listed = JSON.parse(
        (await runCli(["webhooks", "list", "--config", s.config, "--json"], { env })).stdout,
      ) as {
        webhooks: { needed: boolean }[];
        missing: unknown[];
      };
      expect(listed.webhooks.filter((w) => w.needed)).toHaveLength(32);
      expect(listed.missing).toEqual([]);
      const removed = JSON.parse(
        (await runCli(["webhooks", "remove", "--config", s.config, "--json"], { env })).stdout,
      ) as { removed: unknown[] };
      expect(removed.removed).toHaveLength(32);
      expect(s.emulator.webhooks.list(BOARD)).toHaveLength(0);
      const again = await runCli(["webhooks", "register", "--config", s.config, "--json"], { env });
      expect((JSON.parse(again.stdout) as { created: unknown[] }).created).toHaveLength(32);
      const state = await s.db.kysely
        .selectFrom("MON_SyncState")
        .selectAll()
        .where("board_id", "=", BOARD)
        .orderBy("order_key")
        .executeTakeFirstOrThrow();
      itemId = state.monday_item_id!;
      orderKey = state.order_key;
    }, 240_000);

    it("brings a planner's edits of board-owned columns to the write-back table; the next sync writes nothing and no event comes back", async () => {
      await plannerEdit(s, itemId, {
        factory_status: { label: "Sewing" },
        planner_notes: "rush it",
        color: "Red",
      });
      const rows = await until("three board changes", async () => {
        const r = await changes(s, itemId);
        return r.length === 3 ? r : undefined;
      });
      expect(rows.map((r) => [r.column_id, r.kind, r.resolution, r.canonical_value])).toEqual(
        expect.arrayContaining([
          ["factory_status", "EDIT", "written-back", "Sewing"],
          ["planner_notes", "EDIT", "written-back", "rush it"],
          ["color", "EDIT", "written-back", "Red"],
        ]),
      );
      expect(
        rows.every((r) => r.order_key === orderKey && r.user_id !== null && r.event_id.length === 32),
      ).toBe(true);
      expect(await writeBackRow(s, orderKey)).toMatchObject({
        FACTORY_STATUS: "Sewing",
        PLANNER_NOTES: "rush it",
        COLOR: "Red",
      });
      await settle(s);
      s.emulator.resetStats();
      const counts = await sync(s);
      expect(counts.updated ?? 0).toBe(0);
      await settle(s);
      const stats = s.emulator.stats();
      expect(stats.writeRequests).toBe(0);
      expect(stats.webhooks.queued).toBe(0);
      expect(boardText(s, itemId, "color")).toBe("Red");
    }, 60_000);

    it("restores an edit of a database-owned column on the next sync and records the conflict; the echo changes nothing", async () => {
      const before = boardText(s, itemId, "ex_factory");
      await plannerEdit(s, itemId, { ex_factory: { date: "2031-01-15" } });
      const conflict = await until("the conflict", async () =>
        (await changes(s, itemId)).find((r) => r.column_id === "ex_factory"),
      );
      expect(conflict).toMatchObject({
        kind: "CONFLICT",
        resolution: "restore-on-sync",
        canonical_value: "2031-01-15",
      });
      await settle(s);
      const counts = await sync(s);
      expect(counts.updated).toBe(1);
      expect(boardText(s, itemId, "ex_factory")).toBe(before);
      await settle(s);
      // The restore came back as an echo: no new board change, and the next sync has nothing to do.
      expect((await changes(s, itemId)).filter((r) => r.column_id === "ex_factory")).toHaveLength(1);
      s.emulator.resetStats();
      expect((await sync(s)).updated ?? 0).toBe(0);
      await settle(s);
      expect(s.emulator.stats().writeRequests).toBe(0);
    }, 60_000);

    it("settles `both` columns by their policy: db-wins restored, board-wins and newest written back", async () => {
      const delivery = boardText(s, itemId, "delivery");
      await plannerEdit(s, itemId, {
        delivery: { date: "2032-02-02" },
        order_status: { label: "On Hold" },
        style: "Planner Style",
      });
      const rows = await until("three policy changes", async () => {
        const r = (await changes(s, itemId)).filter((c) =>
          ["delivery", "order_status", "style"].includes(c.column_id),
        );
        return r.length === 3 ? r : undefined;
      });
      expect(rows.map((r) => [r.column_id, r.kind, r.resolution])).toEqual(
        expect.arrayContaining([
          ["delivery", "CONFLICT", "restore-on-sync"],
          ["order_status", "CONFLICT", "written-back"],
          ["style", "CONFLICT", "written-back"],
        ]),
      );
      expect(await writeBackRow(s, orderKey)).toMatchObject({
        "ORDER STATUS": "On Hold",
        STYLE: "Planner Style",
      });
      await settle(s);
      expect((await sync(s)).updated).toBe(1);
      expect(boardText(s, itemId, "delivery")).toBe(delivery);
      expect(boardText(s, itemId, "order_status")).toBe("On Hold");
      expect(boardText(s, itemId, "style")).toBe("Planner Style");
      const history = await s.db.kysely
        .selectFrom("MON_StatusHistory")
        .selectAll()
        .where("item_id", "=", itemId)
        .execute();
      expect(history.some((h) => h.side === "board" && h.status === "On Hold")).toBe(true);
    }, 60_000);

    it("restores a planner's edit of a size's quantity on the next sync and records the conflict; a `both` subitem column follows its policy", async () => {
      const state = await s.db.kysely
        .selectFrom("MON_SyncState")
        .selectAll()
        .where("board_id", "=", BOARD)
        .where("subitem_ids", "!=", "{}")
        .orderBy("order_key")
        .executeTakeFirstOrThrow();
      const [, subitem] = Object.entries(JSON.parse(state.subitem_ids!) as Record<string, string>)[0]!;
      const quantity = boardText(s, subitem, "quantity");
      expect(quantity).not.toBeNull();
      await plannerEdit(s, subitem, { quantity: "999", size_season: "Planner Season" });
      const rows = await until("the two subitem changes", async () => {
        const r = await changes(s, subitem);
        return r.length === 2 ? r : undefined;
      });
      expect(rows.map((r) => [r.column_id, r.kind, r.resolution, r.canonical_value])).toEqual(
        expect.arrayContaining([
          ["quantity", "CONFLICT", "restore-on-sync", "999"],
          ["size_season", "CONFLICT", "written-back", "Planner Season"],
        ]),
      );
      expect(rows.every((r) => r.order_key === state.order_key)).toBe(true);
      expect(await writeBackRow(s, state.order_key)).toMatchObject({ SIZE_SEASON: "Planner Season" });
      await settle(s);
      // One subitem written (the restored quantity); the parent item has nothing to change.
      expect(await sync(s)).toMatchObject({ updated: 0, subitemsUpdated: 1 });
      expect(boardText(s, subitem, "quantity")).toBe(quantity);
      expect(boardText(s, subitem, "size_season")).toBe("Planner Season");
      await settle(s);
      // The restore came back as an echo; the next sync has nothing to do and nothing comes back.
      expect(await changes(s, subitem)).toHaveLength(2);
      s.emulator.resetStats();
      expect(await sync(s)).toMatchObject({ updated: 0, subitemsUpdated: 0 });
      await settle(s);
      expect(s.emulator.stats().writeRequests).toBe(0);
      expect(s.emulator.stats().webhooks.queued).toBe(0);
    }, 60_000);

    it("restores an item renamed by hand, records one deleted by hand, and shows the inbox in status", async () => {
      const name = s.emulator.store.items.get(itemId)!.name;
      const renamed = await fetch(new URL(`/__admin/items/${itemId}/name`, s.emulator.url), {
        method: "POST",
        headers: { Authorization: PLANNER_TOKEN, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "Renamed by a planner" }),
      });
      expect(renamed.status).toBe(200);
      const other = await s.db.kysely
        .selectFrom("MON_SyncState")
        .selectAll()
        .where("board_id", "=", BOARD)
        .where("order_key", "!=", orderKey)
        .orderBy("order_key")
        .executeTakeFirstOrThrow();
      const deleted = await fetch(new URL(`/__admin/items/${other.monday_item_id}/delete`, s.emulator.url), {
        method: "POST",
        headers: { Authorization: PLANNER_TOKEN, "Content-Type": "application/json" },
        body: "{}",
      });
      expect(deleted.status).toBe(200);
      const recorded = await until("the rename and the deletion", async () => {
        const rows = await s.db.kysely
          .selectFrom("MON_BoardChanges")
          .selectAll()
          .where("kind", "in", ["NAME", "ITEM_DELETED"])
          .execute();
        return rows.length === 2 ? rows : undefined;
      });
      expect(recorded.map((r) => [r.kind, r.order_key, r.resolution]).sort()).toEqual(
        [
          ["ITEM_DELETED", other.order_key, "report"],
          ["NAME", orderKey, "restore-on-sync"],
        ].sort(),
      );
      await settle(s);
      await sync(s);
      expect(s.emulator.store.items.get(itemId)!.name).toBe(name);
      await settle(s);
      const status = await runCli(["status", "--config", s.config, "--json"], { env: s.env });
      expect(status.code, status.stderr).toBe(0);
      const inbox = (JSON.parse(status.stdout) as { webhookInbox: { counts: Record<string, number> } })
        .webhookInbox;
      expect(inbox.counts.APPLIED).toBeGreaterThan(0);
      expect(inbox.counts.ECHO).toBeGreaterThan(0);
      expect(inbox.counts.PENDING ?? 0).toBe(0);
      // serve's /metrics and /health see the same: events by outcome, an empty inbox with no lag.
      const wrong = await fetch(`${s.serve.url}/webhooks/monday/not-the-secret-0123456789abcdef`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ event: {} }),
      });
      expect(wrong.status).toBe(404);
      const first = await s.db.kysely
        .selectFrom("MON_WebhookInbox")
        .select("body")
        .where("origin", "=", "webhook")
        .orderBy("inbox_id")
        .executeTakeFirstOrThrow();
      const again = await fetch(`${s.serve.url}/webhooks/monday/${SECRET}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ event: (JSON.parse(first.body) as { event: unknown }).event }),
      });
      expect(await again.json()).toEqual({ ok: true, duplicate: true });
      const metrics = parseMetrics(await (await fetch(`${s.serve.url}/metrics`)).text());
      const events = (outcome: string) => sumOf(metrics, "webhook_events_total", { outcome });
      expect(events("received")).toBeGreaterThan(0);
      expect(events("applied")).toBeGreaterThan(0);
      expect(events("echo")).toBeGreaterThan(0);
      expect(events("duplicate")).toBeGreaterThanOrEqual(1);
      expect(events("rejected")).toBeGreaterThanOrEqual(1);
      expect(events("received")).toBe(
        events("applied") + events("echo") + events("ignored") + events("failed"),
      );
      expect(sumOf(metrics, "webhook_inbox_depth")).toBe(0);
      expect(sumOf(metrics, "webhook_inbox_lag_seconds")).toBe(0);
      const health = (await (await fetch(`${s.serve.url}/health`)).json()) as {
        checks: { webhook_inbox?: { healthy: boolean } };
      };
      expect(health.checks.webhook_inbox?.healthy).toBe(true);
    }, 60_000);

    it("applies once what planners edit while serve is down: within monday's retries, and past them through the catch-up", async () => {
      const restart = async () => {
        s.serve = await startServe(s.config, s.env, ["--port", String(s.port)]);
      };
      const stop = async () => {
        s.serve.child.kill("SIGTERM");
        await s.serve.exited;
      };
      await stop();
      await plannerEdit(s, itemId, { planner_notes: "edited while down" });
      // 5 emulator minutes: deliveries are being retried.
      await new Promise((r) => setTimeout(r, 1000));
      await restart();
      await until("the retried delivery", async () =>
        (await writeBackRow(s, orderKey))?.PLANNER_NOTES === "edited while down" ? true : undefined,
      );
      await stop();
      await plannerEdit(s, itemId, { planner_notes: "edited during a long outage" });
      // Past the 30-minute retry window (6 s real): monday gives up; the catch-up on start finds it.
      await until(
        "monday to give up",
        async () => (s.emulator.stats().webhooks.abandoned > 0 ? true : undefined),
        15_000,
      );
      await restart();
      await until("the caught-up edit", async () =>
        (await writeBackRow(s, orderKey))?.PLANNER_NOTES === "edited during a long outage" ? true : undefined,
      );
      await settle(s);
      const notes = (await changes(s, itemId)).filter((r) => r.column_id === "planner_notes");
      expect(notes.map((r) => r.canonical_value)).toEqual([
        "rush it",
        "edited while down",
        "edited during a long outage",
      ]);
      const caughtUp = await s.db.kysely
        .selectFrom("MON_WebhookInbox")
        .select("event_id")
        .where("origin", "=", "catch-up")
        .where("status", "=", "APPLIED")
        .execute();
      expect(caughtUp.length).toBeGreaterThanOrEqual(1);
    }, 90_000);
  });
}
