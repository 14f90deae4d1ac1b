/**
 * The naive "Phase 1" sync the benchmark compares against: every order pushed on every run, one
 * mutation per request, one request at a time; on a 429 it sleeps `retry_in_seconds` and tries again.
 * It writes the same values as order-sync (same mapping code), so only the strategy differs.
 */
import { sql } from "kysely";
import type { Settings } from "../src/config/index.js";
import type { Db } from "../src/db/index.js";
import { buildSnapshot } from "../src/detect/index.js";
import { mondayWriteValue, resolveBoard, type ResolvedBoard } from "../src/mapping/index.js";
import {
  changeColumnValuesOp,
  createItemOp,
  createSubitemOp,
  HttpTransport,
  MondayClient,
  RateLimitError,
  type BatchOp,
} from "../src/monday/index.js";

/** What the naive script remembers between runs (a script would keep it in a table). */
export interface NaiveMemory {
  items: Map<string, { itemId: string; subitems: Map<string, string> }>;
  groups: Map<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send(client: MondayClient, op: BatchOp): Promise<string> {
  for (;;) {
    try {
      const [outcome] = await client.runBatch([op]);
      if (!outcome?.ok) throw outcome?.error ?? new Error("no outcome");
      return String((outcome.data as { id?: string }).id ?? "");
    } catch (e) {
      if (e instanceof RateLimitError) {
        await sleep((e.retryInSeconds ?? 1) * 1000);
        continue;
      }
      throw e;
    }
  }
}

/** One naive run over every open order of every configured customer. */
export async function naiveSync(db: Db, settings: Settings, memory: NaiveMemory): Promise<void> {
  const client = new MondayClient(
    new HttpTransport({
      url: settings.monday.apiUrl,
      token: settings.monday.token,
      apiVersion: settings.monday.apiVersion,
    }),
  );
  const { config } = settings;
  const ids = config.boards.flatMap((b) => [b.id, ...(b.subitems ? [b.subitems.boardId] : [])]);
  const live = new Map((await client.getBoards(ids)).map((b) => [b.id, b]));
  const boards = new Map<string, ResolvedBoard>(
    config.boards.map((b, i) => [
      b.id,
      resolveBoard(b, i, live.get(b.id), b.subitems ? live.get(b.subitems.boardId) : undefined),
    ]),
  );
  for (const b of live.values()) for (const g of b.groups) memory.groups.set(`${b.id}:${g.title}`, g.id);
  for (const customer of config.customers) {
    const board = boards.get(customer.board)!;
    const rows = (
      await sql<
        Record<string, unknown>
      >`SELECT * FROM "ORDERS_UNIFIED" WHERE "CUSTOMER" = ${customer.name} AND "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"} ORDER BY "AAG ORDER NUMBER"`.execute(
        db.kysely,
      )
    ).rows;
    const typeOf = new Map(board.columns.map((c) => [c.id, c.type] as const));
    for (const row of rows) {
      const key = String(row["AAG ORDER NUMBER"]);
      const s = buildSnapshot(row, key, board, customer);
      const values = Object.fromEntries(
        Object.entries(s.columns).map(([id, v]) => [id, mondayWriteValue(typeOf.get(id) ?? "text", v)]),
      );
      const qty = board.subitems!.quantityColumn;
      let known = memory.items.get(key);
      if (!known) {
        let groupId = memory.groups.get(`${board.id}:${s.group}`);
        if (!groupId) {
          groupId = (await client.createGroup(board.id, s.group)).id;
          memory.groups.set(`${board.id}:${s.group}`, groupId);
        }
        const itemId = await send(
          client,
          createItemOp({ boardId: board.id, groupId, itemName: s.name, columnValues: values }),
        );
        known = { itemId, subitems: new Map() };
        memory.items.set(key, known);
        for (const [size, q] of Object.entries(s.subitems)) {
          const id = await send(
            client,
            createSubitemOp({
              parentItemId: itemId,
              itemName: size,
              columnValues: { [qty.id]: mondayWriteValue("numbers", q) },
            }),
          );
          known.subitems.set(size, id);
        }
        continue;
      }
      await send(
        client,
        changeColumnValuesOp({ boardId: board.id, itemId: known.itemId, columnValues: values }),
      );
      for (const [size, q] of Object.entries(s.subitems)) {
        const id = known.subitems.get(size);
        if (id)
          await send(
            client,
            changeColumnValuesOp({
              boardId: board.subitems!.boardId,
              itemId: id,
              columnValues: { [qty.id]: mondayWriteValue("numbers", q) },
            }),
          );
      }
    }
  }
}
