/**
 * `npm run bench:webhooks [-- --events N] [--concurrency C] [--store-only] [--json]`
 *
 * A burst of N webhook deliveries (default 1,000) against `POST /webhooks/monday/<secret>` over HTTP, on
 * SQLite, with the inbox worker applying them as they land: every event is stored and applied, none lost.
 * Prints the endpoint's answer times (p50 / p99 / max, as the sender sees them), how long storing and
 * applying the burst took, and the inbox counts. The orders and their items come from a real sync against
 * the emulator; each event is a planner's edit of a tracked column written back to a table.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sql } from "kysely";
import { parse as parseYaml } from "yaml";
import { parseConfig, resolveSettings, starterConfig } from "../src/config/index.js";
import { migrateToLatest, openDatabase } from "../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../src/demo/index.js";
import { DEFAULT_USER, startEmulator } from "../src/emulator/index.js";
import { emulatorBoards } from "../src/cli/emulator-boards.js";
import { wireApp } from "../src/app.js";
import { listen, webhookRoutes } from "../src/http/index.js";
import { inboxState, InboxWorker } from "../src/webhooks/index.js";
import { columnChangeEvent } from "../test/helpers/webhook-events.js";

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "50" },
    json: { type: "boolean", default: false },
    /** Start the worker only after the burst is stored (answer times without the worker's commits). */
    "store-only": { type: "boolean", default: false },
  },
});
const EVENTS = Number(args.events);
const CONCURRENCY = Number(args.concurrency);
const SECRET = randomBytes(24).toString("hex");

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "order-sync-webhooks-bench-"));
  const raw = parseYaml(starterConfig()) as Record<string, unknown>;
  const board = (raw.boards as Record<string, unknown>[])[0]!;
  board.tracked = [{ id: "planner_notes", title: "Planner Notes", type: "text", target: "NOTES" }];
  board.writeBack = { table: "ORDER_NOTES", keyColumn: "ORDER_KEY" };
  const config = parseConfig(raw);
  const db = await openDatabase({ dialect: "sqlite", url: join(dir, "bench.db") });
  const emulator = await startEmulator({ port: 0, boards: emulatorBoards(config) });
  try {
    await createOrdersTable(db);
    await writeDemoOrders(db, { count: 300, seed: 42 });
    await migrateToLatest(db);
    await sql`CREATE TABLE "ORDER_NOTES" ("ORDER_KEY" varchar(255) PRIMARY KEY, "NOTES" text)`.execute(
      db.kysely,
    );
    const settings = resolveSettings(config, dir, {
      MONDAY_API_URL: emulator.url,
      MONDAY_API_TOKEN: "bench",
    });
    await wireApp(settings, db).sync();
    const items = (
      await db.kysely
        .selectFrom("MON_SyncState")
        .select("monday_item_id")
        .where("board_id", "=", board.id as string)
        .execute()
    ).map((r) => Number(r.monday_item_id));

    const worker = new InboxWorker(db, { config, ownUserId: DEFAULT_USER.id }, { pollMs: 100 });
    if (!args["store-only"]) worker.start();
    const server = await listen(
      webhookRoutes({
        db,
        secret: SECRET,
        signingSecret: undefined,
        audiences: [],
        maxBodyBytes: 262_144,
        onStored: () => worker.notify(),
      }),
      { port: 0, host: "127.0.0.1" },
    );
    const url = `${server.url}/webhooks/monday/${SECRET}`;
    const base = Date.now() / 1000;
    const event = (i: number) =>
      columnChangeEvent({
        boardId: Number(board.id),
        pulseId: items[i % items.length],
        columnId: "planner_notes",
        columnTitle: "Planner Notes",
        value: { value: `note ${i}` },
        previousValue: null,
        changedAt: base + i / 1000,
      });
    const latencies: number[] = [];
    let next = 0;
    let refused = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < EVENTS) {
          const i = next++;
          const t = performance.now();
          const res = await fetch(url, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ event: event(i) }),
          });
          await res.arrayBuffer();
          latencies.push(performance.now() - t);
          if (res.status !== 200) refused++;
        }
      }),
    );
    const storedMs = performance.now() - started;
    worker.start();
    await worker.drain();
    const appliedMs = performance.now() - started;
    const inbox = await inboxState(db);
    const notApplied = await db.kysely
      .selectFrom("MON_WebhookInbox")
      .select(["last_error", db.kysely.fn.countAll().as("n")])
      .where("status", "!=", "APPLIED")
      .groupBy("last_error")
      .execute();
    await worker.stop();
    await server.close();
    latencies.sort((a, b) => a - b);
    const result = {
      events: EVENTS,
      concurrency: CONCURRENCY,
      refused,
      answerMs: {
        p50: Number(quantile(latencies, 0.5).toFixed(2)),
        p99: Number(quantile(latencies, 0.99).toFixed(2)),
        max: Number((latencies.at(-1) ?? 0).toFixed(2)),
      },
      allStoredMs: Math.round(storedMs),
      allAppliedMs: Math.round(appliedMs),
      inbox: inbox.counts,
      notApplied: Object.fromEntries(notApplied.map((r) => [r.last_error ?? "", Number(r.n)])),
    };
    if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else
      process.stdout.write(
        `${EVENTS} webhook deliveries, ${CONCURRENCY} at a time, SQLite\n` +
          `  answer p50 ${result.answerMs.p50} ms, p99 ${result.answerMs.p99} ms, max ${result.answerMs.max} ms; refused ${refused}\n` +
          `  all stored in ${result.allStoredMs} ms, all applied in ${result.allAppliedMs} ms\n` +
          `  inbox: ${JSON.stringify(inbox.counts)}${notApplied.length ? `, not applied: ${JSON.stringify(result.notApplied)}` : ""}\n`,
      );
    if (refused > 0 || (inbox.counts.APPLIED ?? 0) !== EVENTS) process.exitCode = 1;
  } finally {
    await emulator.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
