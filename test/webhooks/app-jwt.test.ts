// Webhooks created with an app's token are signed: the emulator sends an HS256 JWT (aud = the endpoint URL)
// and the endpoint verifies it with MONDAY_SIGNING_SECRET; signed with another secret, nothing is stored
// and monday keeps retrying.
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wireApp } from "../../src/app.js";
import { resolveSettings } from "../../src/config/index.js";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../../src/demo/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { emulatorBoards } from "../../src/cli/emulator-boards.js";
import { listen, webhookRoutes, type RunningServer } from "../../src/http/index.js";
import { WebhooksApi } from "../../src/webhooks/index.js";
import { testDatabases } from "../helpers/databases.js";
import { testConfig } from "../helpers/sync-env.js";

const SECRET = "app-jwt-path-secret-0123456789abcdef";
const SIGNING = "the-apps-signing-secret";
const APP_TOKEN = "app-oauth-token";
const PLANNER = "planner-token";
const sqlite = (await testDatabases()).find((d) => d.name === "sqlite")!;
const config = testConfig((raw) => {
  const board = (raw.boards as Record<string, unknown>[])[0]!;
  board.tracked = [{ id: "planner_notes", title: "Planner Notes", type: "text" }];
  raw.customers = [{ name: "BLUE HARBOR", board: board.id, group: "{SEASON}" }];
});
const BOARD = config.boards[0]!.id;

describe("signed deliveries of app-created webhooks", () => {
  let db: Db;
  let emulator: Emulator;
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    db = await sqlite.open();
    await migrateToLatest(db);
    await createOrdersTable(db);
    await writeDemoOrders(db, { count: 10, seed: 3 });
    emulator = await startEmulator({
      port: 0,
      boards: emulatorBoards(config),
      signingSecret: SIGNING,
      users: { users: [{ token: PLANNER, name: "Pat Planner" }], appTokens: [APP_TOKEN] },
    });
    const settings = resolveSettings(config, tmpdir(), {
      MONDAY_API_URL: emulator.url,
      MONDAY_API_TOKEN: APP_TOKEN,
    });
    expect((await wireApp(settings, db).sync()).exitCode).toBe(0);
  }, 60_000);
  afterAll(async () => {
    for (const s of servers) await s.close();
    await emulator?.close();
    await db?.close();
  });

  it("stores a delivery whose JWT verifies, refuses one signed with another secret", async () => {
    const api = WebhooksApi.over({
      apiUrl: emulator.url,
      apiVersion: "2026-10",
      token: APP_TOKEN,
      timeoutMs: 10_000,
    });
    const state = await db.kysely.selectFrom("MON_SyncState").selectAll().executeTakeFirstOrThrow();
    const good = await listenWith(SIGNING);
    const bad = await listenWith("another-secret");
    for (const url of [good.url, bad.url])
      await api.create({
        boardId: BOARD,
        url,
        event: "change_specific_column_value",
        config: { columnId: "planner_notes" },
      });
    emulator.resetStats();
    const res = await fetch(new URL(`/__admin/items/${state.monday_item_id}/column-values`, emulator.url), {
      method: "POST",
      headers: { Authorization: PLANNER, "Content-Type": "application/json" },
      body: JSON.stringify({ columnValues: { planner_notes: "signed" } }),
    });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (emulator.stats().webhooks.sent < 1 || emulator.stats().webhooks.failed < 1) {
      if (Date.now() > deadline) throw new Error(JSON.stringify(emulator.stats().webhooks));
      await new Promise((r) => setTimeout(r, 50));
    }
    const rows = await db.kysely.selectFrom("MON_WebhookInbox").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.body).event.value).toEqual({ value: "signed" });
    expect(good.refused).toEqual([]);
    expect(bad.refused).toEqual([401]);
  }, 60_000);

  /** An endpoint on a port of its own whose `aud` is its own URL; it records the statuses it refused with. */
  async function listenWith(signingSecret: string): Promise<{ url: string; refused: number[] }> {
    const refused: number[] = [];
    let audiences: string[] = [];
    const routes = webhookRoutes({
      db,
      secret: SECRET,
      signingSecret,
      get audiences() {
        return audiences;
      },
      maxBodyBytes: 65_536,
      onStored: () => undefined,
      onRequest: (outcome) => {
        if (outcome === "rejected") refused.push(401);
      },
    });
    const server = await listen(routes, { port: 0, host: "127.0.0.1" });
    servers.push(server);
    const url = `${server.url}/webhooks/monday/${SECRET}`;
    audiences = [url];
    return { url, refused };
  }
});
