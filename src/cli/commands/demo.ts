import { join } from "node:path";
import { sql } from "kysely";
import { loadSettings } from "../../config/index.js";
import { openDatabase, type Db } from "../../db/index.js";
import { startEmulator } from "../../emulator/index.js";
import { emulatorBoards } from "../emulator-boards.js";
import { attachSyncLogging } from "../../observe/index.js";
import type { SyncSummary } from "../../sync/index.js";
import { wireApp } from "../../app.js";
import { loggerFor, type GlobalOptions } from "../context.js";
import { liveFor } from "../live.js";
import { formatSummary, plural, printJson, summaryJson } from "../output.js";
import { CONFIG_FILE, initFiles, positiveInt } from "./init.js";

const DEMO_TOKEN = "demo-token";
/**
 * The demo runs on monday's limits (budget, requests a minute, concurrency) so it shows how a sync paces
 * itself, with the emulator's clock 30× faster: a budget minute lasts 2 s.
 */
const DEMO_TIME_SCALE = 30;

/** How monday's limits paced a run: the waits for complexity budget and the rate-limit retries. */
function pacingLine(summary: SyncSummary): string {
  const stats = summary.monday;
  if (!stats) return "   pacing: no monday.com statistics";
  const rateLimited = stats.retries.RateLimitError ?? 0;
  const waited = (stats.budgetWaitMs / 1000).toFixed(1);
  return `   pacing (monday.com limits on, clock ${DEMO_TIME_SCALE}× faster): ${plural(stats.budgetWaits, "wait")} for complexity budget (${waited} s summed over the waiting requests), ${rateLimited} rate-limit ${rateLimited === 1 ? "retry" : "retries"}`;
}

/** Edits a few demo orders the way users do: new delivery dates, a status change, one cancellation. */
async function editSomeOrders(db: Db): Promise<{ changed: string[]; cancelled: string }> {
  const keys = (
    await sql<{
      k: string;
    }>`SELECT "AAG ORDER NUMBER" AS k FROM "ORDERS_UNIFIED" WHERE "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"} ORDER BY "AAG ORDER NUMBER" LIMIT 6`.execute(
      db.kysely,
    )
  ).rows.map((r) => r.k);
  const [cancelled, ...changed] = keys;
  for (const key of changed)
    await sql`UPDATE "ORDERS_UNIFIED" SET "ORDER STATUS" = ${"On Hold"}, "PO NUMBER" = ${`${key}-REV2`} WHERE "AAG ORDER NUMBER" = ${key}`.execute(
      db.kysely,
    );
  // The seed's cancellation rule: the order number gains CANCELLED.
  if (cancelled)
    await sql`UPDATE "ORDERS_UNIFIED" SET "AAG ORDER NUMBER" = ${`${cancelled}-CANCELLED`} WHERE "AAG ORDER NUMBER" = ${cancelled}`.execute(
      db.kysely,
    );
  return { changed, cancelled: cancelled ?? "" };
}

/**
 * `order-sync demo`: a demo database and the in-process emulator, then three syncs: the first load,
 * an unchanged re-run (no writes), and a run after a few orders changed and one was cancelled.
 */
export async function demoCommand(
  opts: { dir: string; orders: string },
  global: GlobalOptions,
): Promise<number> {
  const orders = positiveInt(opts.orders, "--orders", 1_000_000);
  const say = (text: string) => {
    if (!global.json) process.stdout.write(`${text}\n`);
  };
  const files = await initFiles(opts.dir, orders, 42, true);
  say(`demo database: ${files.dbPath} (${plural(files.orders, "order")}, ${files.cancelled} cancelled)`);
  const settings = loadSettings(join(opts.dir, CONFIG_FILE), process.env);
  const emulator = await startEmulator({
    port: 0,
    boards: emulatorBoards(settings.config),
    enforceLimits: true,
    timeScale: DEMO_TIME_SCALE,
  });
  say(`monday.com emulator: ${emulator.url}`);
  const demoSettings = {
    ...settings,
    monday: { ...settings.monday, apiUrl: emulator.url, token: DEMO_TOKEN },
  };
  const db = await openDatabase(demoSettings.db);
  const log = loggerFor(global, undefined, "warn");
  const runs: { step: string; summary: SyncSummary }[] = [];
  try {
    const step = async (title: string) => {
      const app = wireApp(demoSettings, db);
      const live = liveFor(global);
      attachSyncLogging(app.events, live ? loggerFor(global, (text) => live.print(text), "warn") : log);
      const clear = live ? live.attach(app.events) : () => undefined;
      const summary = await app.sync({ command: "demo" });
      clear();
      runs.push({ step: title, summary });
      say(`\n== ${title}\n${formatSummary(summary)}\n${pacingLine(summary)}`);
      return summary;
    };
    await step("1. first sync: every open order becomes an item with its size subitems");
    const writesBefore = emulator.log.writeRequests;
    await step("2. second sync, nothing changed");
    say(`   write requests in this run: ${emulator.log.writeRequests - writesBefore}`);
    const edits = await editSomeOrders(db);
    say(
      `\nedited ${plural(edits.changed.length, "order")} (status, PO number) and cancelled ${edits.cancelled}`,
    );
    await step("3. third sync: only the changes go out");
    const items = [...emulator.store.boards.values()].reduce(
      (n, b) => n + [...b.items.values()].filter((i) => i.state === "active" && !i.parentItemId).length,
      0,
    );
    say(
      `\nboards now hold ${items} active items; run \`order-sync status --config ${files.configPath}\` to see the run log`,
    );
    const last = runs[runs.length - 1]?.summary;
    if (global.json)
      printJson({
        dir: opts.dir,
        emulator: emulator.url,
        runs: runs.map((r) => ({ step: r.step, summary: summaryJson(r.summary) })),
        activeItems: items,
      });
    return last?.exitCode ?? 0;
  } finally {
    await db.close();
    await emulator.close();
  }
}
