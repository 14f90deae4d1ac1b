// Issue 13 item 6: retry and discard of a DEAD order monday refused, through the operator module, against the
// emulator on each test database; every action audited in MON_OperatorActions.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { discardOrders, releaseHeld, retryOrders, UnknownOrderError } from "../../src/operator/index.js";
import { holdOrders } from "../../src/state/index.js";
import { testDatabases } from "../helpers/databases.js";
import { DEAD_CUSTOMER, fortyLabelConfig, freeLabel, writeDeadOrder } from "../helpers/dead-order.js";
import { syncEnv, type SyncEnv } from "../helpers/sync-env.js";

const ACTOR = "cli:test@host";

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`operator actions on ${engine.name}`, () => {
    let db: Db;
    let env: SyncEnv;
    let bad: string;
    const staged = () =>
      db.kysely.selectFrom("STG_MON_CustMasterSchedule").select(["order_key", "stg_status"]).execute();
    const audit = () =>
      db.kysely.selectFrom("MON_OperatorActions").selectAll().orderBy("action_id").execute();

    beforeAll(async () => {
      db = await engine.open();
      bad = await writeDeadOrder(db, 80);
      env = await syncEnv(db, fortyLabelConfig());
      const first = await env.sync([DEAD_CUSTOMER]);
      expect(first.counts.dead).toBe(1);
    }, 120_000);
    afterAll(async () => {
      await env?.close();
      await db?.close();
    });

    it("refuses unknown keys and non-DEAD discards with nothing done", async () => {
      await expect(retryOrders(db, { keys: ["AAG-NOPE", bad] }, ACTOR)).rejects.toThrow(
        /^order "AAG-NOPE": nothing to retry, not FAILED, DEAD, QUARANTINED or discarded \(see order-sync failures\)$/,
      );
      await expect(retryOrders(db, { keys: ["AAG-NOPE"] }, ACTOR)).rejects.toBeInstanceOf(UnknownOrderError);
      await expect(discardOrders(db, { keys: [bad], customers: ["KESTREL OUTDOOR"] }, ACTOR)).rejects.toThrow(
        /nothing to discard, not DEAD/,
      );
      expect(await staged()).toEqual([{ order_key: bad, stg_status: "DEAD" }]);
      expect(await audit()).toEqual([]);
    });

    it("discard: the DEAD row goes, the sync leaves the order alone with no write, the board is unchanged", async () => {
      const out = await discardOrders(db, { keys: [bad] }, ACTOR);
      expect(out).toEqual([
        expect.objectContaining({ customer: DEAD_CUSTOMER, orderKey: bad, result: "done" }),
      ]);
      expect(await staged()).toEqual([]);
      const writes = env.emulator.log.writeRequests;
      const next = await env.sync([DEAD_CUSTOMER]);
      expect(next.counts).toMatchObject({ discarded: 1, dead: 0, created: 0, updated: 0 });
      expect(next.exitCode).toBe(0);
      expect(env.emulator.log.writeRequests).toBe(writes);
      expect(await staged()).toEqual([]);
      const rows = await audit();
      expect(rows).toEqual([
        expect.objectContaining({
          action: "discard",
          actor: ACTOR,
          customer: DEAD_CUSTOMER,
          order_key: bad,
          result: "done",
        }),
      ]);
    });

    it("retry of the discarded order, once monday has room for the label: the next sync creates it", async () => {
      freeLabel(env.emulator);
      const out = await retryOrders(db, { keys: [bad] }, ACTOR);
      expect(out).toEqual([expect.objectContaining({ state: "DISCARDED", result: "done" })]);
      const next = await env.sync([DEAD_CUSTOMER]);
      expect(next.counts).toMatchObject({ created: 1, discarded: 0, dead: 0 });
      const found = await env.client.findItemsByColumnValue("5001000001", "order_number", [bad]);
      expect(found).toHaveLength(1);
      expect(found[0]!.columnValues.order_status?.text).toBe("Teleported");
      expect((await audit()).map((r) => [r.action, r.result])).toEqual([
        ["discard", "done"],
        ["retry", "done"],
      ]);
    });

    it("a discard ends when the source changes; retry --all-dead drops every DEAD row", async () => {
      const [other] = (
        await sql<{ k: string }>`SELECT "AAG ORDER NUMBER" AS k FROM "ORDERS_UNIFIED"
        WHERE "CUSTOMER" = ${DEAD_CUSTOMER} AND "AAG ORDER NUMBER" NOT LIKE ${"%CANCELLED%"} AND "AAG ORDER NUMBER" <> ${bad} ORDER BY 1`.execute(
          db.kysely,
        )
      ).rows;
      const key = other!.k;
      await sql`UPDATE "ORDERS_UNIFIED" SET "ORDER STATUS" = ${"Levitating"} WHERE "AAG ORDER NUMBER" = ${key}`.execute(
        db.kysely,
      );
      expect((await env.sync([DEAD_CUSTOMER])).counts.dead).toBe(1);
      await discardOrders(db, { keys: [key] }, ACTOR);
      await sql`UPDATE "ORDERS_UNIFIED" SET "ORDER STATUS" = ${"Floating"} WHERE "AAG ORDER NUMBER" = ${key}`.execute(
        db.kysely,
      );
      const changed = await env.sync([DEAD_CUSTOMER]);
      expect(changed.counts).toMatchObject({ discarded: 0, dead: 1 });
      expect(await db.kysely.selectFrom("MON_Discards").selectAll().execute()).toEqual([]);
      const all = await retryOrders(db, { keys: [], allDead: true, customers: [DEAD_CUSTOMER] }, ACTOR);
      expect(all).toEqual([expect.objectContaining({ orderKey: key, state: "DEAD", result: "done" })]);
      expect(await staged()).toEqual([]);
    });

    it("release: ends a hold, audited per order", async () => {
      await holdOrders(db, [
        { customer: DEAD_CUSTOMER, orderKey: bad, batchId: "B1", rollbackBatchId: "R1", heldHash: "h" },
      ]);
      expect(await releaseHeld(db, { customers: [DEAD_CUSTOMER], orders: [bad] }, "dashboard:s1")).toEqual([
        { customer: DEAD_CUSTOMER, orderKey: bad, batchId: "B1" },
      ]);
      expect(await db.kysely.selectFrom("MON_RollbackHolds").selectAll().execute()).toEqual([]);
      const last = (await audit()).at(-1)!;
      expect(last).toMatchObject({
        action: "release",
        actor: "dashboard:s1",
        order_key: bad,
        batch_id: "B1",
      });
    });
  });
}
