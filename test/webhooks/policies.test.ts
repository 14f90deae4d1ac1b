// How the inbox settles what planners do, on every engine (issue 14): a `both` column with `newest` keeps
// whichever side changed last, and items deleted, archived or created by hand follow `boards[].onItemRemoved`
// (report, recreate, forget), each recorded once in MON_BoardChanges.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/index.js";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { saveState } from "../../src/state/index.js";
import { eventOf, InboxWorker, storeEvent } from "../../src/webhooks/index.js";
import { testDatabasesExcept } from "../helpers/databases.js";
import { testConfig } from "../helpers/sync-env.js";
import { columnChangeEvent } from "../helpers/webhook-events.js";

const CUSTOMER = "NORTHWIND APPAREL";
const PLANNER = 1000002;
const OWN_USER = "1000001";
const configWith = (onItemRemoved?: string): Config =>
  testConfig((raw) => {
    const board = (raw.boards as Record<string, unknown>[])[0]!;
    const style = (board.columns as Record<string, unknown>[]).find((c) => c.id === "style")!;
    Object.assign(style, { direction: "both", conflict: "newest" });
    if (onItemRemoved) board.onItemRemoved = onItemRemoved;
  });
const BOARD = configWith().boards[0]!.id;
const item = (n: number) => String(9100000000 + n);

for (const target of await testDatabasesExcept(["mssql"], "no SQL Server on this machine")) {
  describe.skipIf(!target.available)(`conflict and removed-item policies on ${target.name}`, () => {
    let db: Db;
    const syncedAt = new Date(Date.now() - 60_000);
    beforeAll(async () => {
      db = await target.open();
      await migrateToLatest(db);
      for (let n = 1; n <= 4; n++)
        await saveState(
          db.kysely,
          {
            customer: CUSTOMER,
            orderKey: `PO-${n}`,
            boardId: BOARD,
            groupId: "topics",
            mondayItemId: item(n),
            values: { name: `PO-${n}`, group: "SS26", columns: { style: "DB Style" }, subitems: {} },
            subitemIds: {},
            archived: false,
          },
          syncedAt.toISOString(),
        );
    });
    afterAll(async () => {
      await db?.close();
    });

    const apply = async (config: Config, fields: Record<string, unknown>) => {
      const raw = columnChangeEvent({ boardId: Number(BOARD), userId: PLANNER, ...fields });
      await storeEvent(db, eventOf(raw), "webhook", raw);
      await new InboxWorker(db, { config, ownUserId: OWN_USER }).drain();
      return db.kysely
        .selectFrom("MON_BoardChanges")
        .selectAll()
        .where("event_id", "=", raw.triggerUuid as string)
        .executeTakeFirst();
    };
    const stateOf = (n: number) =>
      db.kysely.selectFrom("MON_SyncState").selectAll().where("order_key", "=", `PO-${n}`).executeTakeFirst();
    const styleEdit = (n: number, changedAt: number) => ({
      pulseId: Number(item(n)),
      columnId: "style",
      columnTitle: "Style",
      value: { value: "Planner Style" },
      previousValue: { value: "DB Style" },
      changedAt,
    });

    it("`newest`: a board edit older than the database's last sync loses and is restored; a newer one wins", async () => {
      const older = await apply(configWith(), styleEdit(1, syncedAt.getTime() / 1000 - 3600));
      expect(older).toMatchObject({ kind: "CONFLICT", resolution: "restore-on-sync" });
      const learned = JSON.parse((await stateOf(1))!.last_values!) as { columns: Record<string, string> };
      expect(learned.columns.style).toBe("Planner Style");
      const newer = await apply(configWith(), styleEdit(2, Date.now() / 1000));
      expect(newer).toMatchObject({ kind: "CONFLICT", resolution: "board-wins" });
      const kept = JSON.parse((await stateOf(2))!.last_values!) as { columns: Record<string, string> };
      expect(kept.columns.style).toBe("DB Style");
    });

    it("an item archived or deleted by hand: `report` keeps the state, `forget` archives it, `recreate` drops it", async () => {
      const removal = (n: number, type: string) => ({ type, pulseId: undefined, itemId: Number(item(n)) });
      expect(await apply(configWith(), removal(1, "archive_pulse"))).toMatchObject({
        kind: "ITEM_ARCHIVED",
        order_key: "PO-1",
        resolution: "report",
      });
      expect((await stateOf(1))?.sync_status).toBe("ACTIVE");
      expect(await apply(configWith("forget"), removal(3, "delete_pulse"))).toMatchObject({
        kind: "ITEM_DELETED",
        resolution: "forget",
      });
      expect((await stateOf(3))?.sync_status).toBe("ARCHIVED");
      expect(await apply(configWith("recreate"), removal(4, "archive_pulse"))).toMatchObject({
        kind: "ITEM_ARCHIVED",
        resolution: "recreate",
      });
      // No state: the next sync sees the order as NEW and creates its item again.
      expect(await stateOf(4)).toBeUndefined();
    });

    it("an item created by hand is recorded for a person, and one no order knows is UNKNOWN_ITEM", async () => {
      const created = await apply(configWith(), { type: "create_pulse", pulseId: 9199999999 });
      expect(created).toMatchObject({ kind: "ITEM_CREATED", order_key: null, resolution: "report" });
      const unknown = await apply(configWith("recreate"), {
        type: "delete_pulse",
        pulseId: undefined,
        itemId: 9199999998,
      });
      expect(unknown).toMatchObject({ kind: "UNKNOWN_ITEM", resolution: "report" });
      // Order-sync's own creations (its user) are echoes, not board changes.
      expect(
        await apply(configWith(), { type: "create_pulse", pulseId: 9199999997, userId: Number(OWN_USER) }),
      ).toBeUndefined();
    });
  });
}
