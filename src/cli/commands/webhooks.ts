import type { Command } from "commander";
import { loadSettings, type Settings } from "../../config/index.js";
import { mondayFor } from "../../app.js";
import {
  plannedWebhooks,
  sameWebhook,
  webhookSecret,
  webhookUrl,
  WebhooksApi,
  type BoardWebhook,
  type PlannedWebhook,
} from "../../webhooks/index.js";
import type { GlobalOptions } from "../context.js";
import { printJson, table } from "../output.js";

/** The webhooks every board of the config needs, columns named by title resolved on the live board. */
async function planned(settings: Settings): Promise<PlannedWebhook[]> {
  const byTitle = settings.config.boards.some(
    (b) => b.columns.some((c) => !c.id) || (b.tracked ?? []).some((t) => !t.id),
  );
  const live = byTitle ? await mondayFor(settings).getBoards(settings.config.boards.map((b) => b.id)) : [];
  return settings.config.boards.flatMap((board) =>
    plannedWebhooks(
      board,
      (title) => live.find((b) => b.id === board.id)?.columns.find((c) => c.title === title)?.id,
    ),
  );
}

const describe = (w: { event: string; config?: unknown }) =>
  w.config ? `${w.event} ${JSON.stringify(w.config)}` : w.event;

/**
 * `order-sync webhooks register`: creates the board webhooks the config needs, pointing at
 * `<serve.publicUrl>/webhooks/monday/<ORDER_SYNC_WEBHOOK_SECRET>`; ones that exist (same board, event and
 * config) are kept, so running it twice creates nothing new. `serve` must be running: monday sends the
 * challenge when a webhook is created.
 */
async function registerCommand(global: GlobalOptions): Promise<number> {
  const settings = loadSettings(global.config);
  const url = webhookUrl(settings, webhookSecret());
  const api = WebhooksApi.over(settings.monday);
  const wanted = await planned(settings);
  const existing = new Map<string, BoardWebhook[]>();
  const created: BoardWebhook[] = [];
  let kept = 0;
  for (const w of wanted) {
    if (!existing.has(w.boardId)) existing.set(w.boardId, await api.list(w.boardId));
    if (existing.get(w.boardId)!.some((e) => sameWebhook(e, w))) {
      kept++;
      continue;
    }
    created.push(await api.create({ ...w, url }));
  }
  if (global.json) printJson({ created, kept });
  else {
    for (const c of created)
      process.stdout.write(`created webhook ${c.id} on board ${c.board_id}: ${describe(c)}\n`);
    process.stdout.write(`${created.length} created, ${kept} already registered\n`);
  }
  return 0;
}

/** `order-sync webhooks list`: every webhook of the config's boards, and whether the config needs it. */
async function listCommand(global: GlobalOptions): Promise<number> {
  const settings = loadSettings(global.config);
  const api = WebhooksApi.over(settings.monday);
  const wanted = await planned(settings);
  const rows: (BoardWebhook & { needed: boolean })[] = [];
  for (const board of settings.config.boards)
    for (const w of await api.list(board.id))
      rows.push({ ...w, needed: wanted.some((p) => sameWebhook(w, p)) });
  const missing = wanted.filter((p) => !rows.some((r) => sameWebhook(r, p)));
  if (global.json) printJson({ webhooks: rows, missing });
  else {
    process.stdout.write(
      `${table(
        ["id", "board", "event", "config", "needed"],
        rows.map((r) => [r.id, r.board_id, r.event, r.config ?? "", r.needed ? "yes" : "no"]),
      )}\n`,
    );
    for (const m of missing) process.stdout.write(`! missing on board ${m.boardId}: ${describe(m)}\n`);
  }
  return 0;
}

/** `order-sync webhooks remove`: deletes the webhooks `register` creates (others on the boards are left). */
async function removeCommand(global: GlobalOptions): Promise<number> {
  const settings = loadSettings(global.config);
  const api = WebhooksApi.over(settings.monday);
  const wanted = await planned(settings);
  const removed: BoardWebhook[] = [];
  for (const board of settings.config.boards)
    for (const w of await api.list(board.id))
      if (wanted.some((p) => sameWebhook(w, p))) {
        await api.remove(w.id);
        removed.push(w);
      }
  if (global.json) printJson({ removed });
  else process.stdout.write(`${removed.length} webhook${removed.length === 1 ? "" : "s"} removed\n`);
  return 0;
}

/** Adds `order-sync webhooks register | list | remove` to the program. */
export function addWebhooksCommand(
  program: Command,
  run: (fn: (...args: never[]) => Promise<number>) => (...args: unknown[]) => Promise<void>,
  global: (cmd: Command) => GlobalOptions,
): void {
  const webhooks = program
    .command("webhooks")
    .description("monday.com webhooks of the config's boards, pointing at serve (two-way sync)");
  webhooks
    .command("register")
    .description("create the webhooks the config needs (existing ones are kept; serve must be running)")
    .action(run((_o: unknown, cmd: Command) => registerCommand(global(cmd))));
  webhooks
    .command("list")
    .description("show the boards' webhooks and which the config needs")
    .action(run((_o: unknown, cmd: Command) => listCommand(global(cmd))));
  webhooks
    .command("remove")
    .description("delete the webhooks register created")
    .action(run((_o: unknown, cmd: Command) => removeCommand(global(cmd))));
}
