// SQL Server cannot run here: every analytics view's statements are compiled by Kysely's SQL Server
// compiler (the recording Db of test/helpers/tsql.ts) and parsed by sqlfluff's T-SQL grammar.
import { describe, expect, it } from "vitest";
import { ANALYTICS_VIEWS, DEMO_ORDERS_SOURCE, parseFilter } from "../../src/analytics/index.js";
import { ensureSqlfluff, recordingMssql, tsqlProblems } from "../helpers/tsql.js";

const sqlfluffMissing = ensureSqlfluff();
if (sqlfluffMissing !== undefined) {
  if (process.env.CI === "true") throw new Error(`${sqlfluffMissing} (CI=true: the T-SQL checks must run)`);
  console.warn(`skipping T-SQL checks of the analytics: ${sqlfluffMissing}`);
}

describe.skipIf(sqlfluffMissing !== undefined)("analytics SQL on SQL Server", () => {
  it("every view compiles to statements sqlfluff parses as T-SQL, values bound", async () => {
    const { db, statements } = recordingMssql();
    const parsed = parseFilter({ asOf: "2026-09-01", customer: "O'Neil", season: "SS26", days: "30" });
    if (!parsed.ok) throw new Error(parsed.error);
    for (const view of ANALYTICS_VIEWS) await view.run(db, DEMO_ORDERS_SOURCE, parsed.filter, parsed.page);
    expect(statements.length).toBeGreaterThanOrEqual(ANALYTICS_VIEWS.length);
    const texts = statements.map((s) => s.sql);
    expect(texts.join("\n")).not.toMatch(/O'Neil|2026-09-01|\blimit\b/i);
    expect(texts.some((t) => /select top \(@\d+\) \* from/.test(t))).toBe(true);
    expect(await tsqlProblems(texts)).toEqual([]);
  }, 120_000);
});
