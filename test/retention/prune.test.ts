// Retention's SQL on every engine (SQLite; PostgreSQL and MariaDB when reachable): superseded change-log
// entries go, an order's newest batch stays, a run goes only with no change log left.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig, resolveSettings, starterConfig } from "../../src/config/index.js";
import { parseConfigYaml } from "../../src/config/load.js";
import { migrateToLatest, type Db } from "../../src/db/index.js";
import { prune } from "../../src/retention/index.js";
import { testDatabases } from "../helpers/databases.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-12-01T00:00:00.000Z");
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();
const dir = mkdtempSync(join(tmpdir(), "order-sync-retention-"));
const settings = resolveSettings(parseConfig(parseConfigYaml(starterConfig(), "starter")), dir, {});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** b1 (old): A, A's size, B; b2 (old): A again; b3 (old): nothing; b4 (new): B again. */
async function seed(db: Db): Promise<void> {
  const runs: Array<[string, number]> = [
    ["b1", 300],
    ["b2", 250],
    ["b3", 200],
    ["b4", 1],
  ];
  for (const [batch, days] of runs) {
    const at = ago(days);
    await db.kysely
      .insertInto("MON_SyncRuns")
      .values({
        batch_id: batch,
        started_at: at,
        finished_at: at,
        status: "SUCCESS",
        customers: "[]",
        counts: "{}",
        api_requests: 1,
        error: null,
        command: "sync",
      })
      .execute();
    await db.kysely
      .insertInto("MON_SyncRunCustomers")
      .values({
        batch_id: batch,
        customer: "C",
        owner: "o",
        started_at: at,
        finished_at: at,
        status: "SUCCESS",
        counts: "{}",
        error: null,
      })
      .execute();
  }
  const entries: Array<[string, string, "CREATE" | "SUBITEM_CREATE" | "UPDATE", number]> = [
    ["b1", "A", "CREATE", 300],
    ["b1", "A", "SUBITEM_CREATE", 300],
    ["b1", "B", "CREATE", 300],
    ["b2", "A", "UPDATE", 250],
    ["b4", "B", "UPDATE", 1],
  ];
  for (const [batch, key, action, days] of entries)
    await db.kysely
      .insertInto("MON_ChangeLog")
      .values({
        batch_id: batch,
        customer: "C",
        order_key: key,
        board_id: "1",
        monday_item_id: "9",
        action,
        before_image: null,
        after_image: "{}",
        changed_at: ago(days),
      })
      .execute();
}

const retained = (runs: string, changeLog: string) => ({
  ...settings,
  config: { ...settings.config, retention: { runs, changeLog } },
});

for (const engine of await testDatabases()) {
  describe.skipIf(!engine.available)(`prune on ${engine.name}`, () => {
    if (!engine.available) console.warn(`prune on ${engine.name} skipped: ${engine.reason}`);
    it("dry run counts, then removes: b1's entries and runs b1 and b3; b2 and b4 stay", async () => {
      const db = await engine.open();
      try {
        await migrateToLatest(db);
        await seed(db);
        const s = retained("90d", "180d");
        const dry = await prune(db, s, { dryRun: true, now: NOW });
        expect(dry.rows).toEqual({ MON_ChangeLog: 3, MON_SyncRuns: 2, MON_SyncRunCustomers: 2 });
        expect(await db.kysely.selectFrom("MON_ChangeLog").select("change_id").execute()).toHaveLength(5);
        const done = await prune(db, s, { now: NOW });
        expect(done.rows).toEqual(dry.rows);
        const log = await db.kysely
          .selectFrom("MON_ChangeLog")
          .select(["batch_id", "order_key"])
          .orderBy("change_id")
          .execute();
        expect(log).toEqual([
          { batch_id: "b2", order_key: "A" },
          { batch_id: "b4", order_key: "B" },
        ]);
        const runs = await db.kysely
          .selectFrom("MON_SyncRuns")
          .select("batch_id")
          .orderBy("batch_id")
          .execute();
        expect(runs.map((r) => r.batch_id)).toEqual(["b2", "b4"]);
        const customers = await db.kysely
          .selectFrom("MON_SyncRunCustomers")
          .select("batch_id")
          .orderBy("batch_id")
          .execute();
        expect(customers.map((r) => r.batch_id)).toEqual(["b2", "b4"]);
      } finally {
        await db.close();
      }
    }, 60_000);
  });
}
