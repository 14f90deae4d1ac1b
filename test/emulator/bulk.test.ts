// The emulator's bulk import (API-FACTS "Bulk import"): start, upload, states and counts, report, validation,
// limits (rows a job, 19,000 items an hour, 100 starts an hour, admins for backfill), processing rate.
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";
import { gql, manualClock } from "./client.js";

const START_INGEST = `mutation ($board: ID!, $group: ID!, $onMatch: OnMatchInput) {
  ingest_items(board_id: $board, group_id: $group, on_match: $onMatch) { job_id upload_url } }`;
const START_BACKFILL = `mutation ($board: ID!, $group: ID!) {
  backfill_items(board_id: $board, group_id: $group) { job_id upload_url } }`;
const STATUS = `query ($id: ID!) { fetch_job_status(job_id: $id) { ... on ItemsJobStatus {
  status counts { submitted invalid skipped created updated failed } progress_percentage
  failure_reason failure_message fully_imported report_created report_url } } }`;

interface Init {
  job_id: string;
  upload_url: string;
}
interface JobStatus {
  status: string;
  counts: Record<string, number>;
  progress_percentage: number;
  failure_reason: string | null;
  failure_message: string | null;
  fully_imported: boolean;
  report_created: boolean;
  report_url: string | null;
}

let emulator: Emulator | undefined;
let clock = manualClock();
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** Lets emulator time pass (1 s by default): a job processes its rows at its rate meanwhile. */
const tick = (ms = 1_000) => clock.advance(ms);

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  clock = manualClock();
  emulator = await startEmulator({ port: 0, now: clock.now, ...options });
  emulator.store.createBoard({
    id: "100",
    name: "Orders",
    columns: [
      { id: "key", title: "Key", type: "text" },
      { id: "qty", title: "Qty", type: "numbers" },
      { id: "due", title: "Due", type: "date" },
      { id: "status", title: "Status", type: "status", labels: ["Open", "Done"] },
    ],
    groups: [{ id: "topics", title: "First" }],
    subitemsBoard: { id: "101", columns: [{ id: "quantity", title: "Quantity", type: "numbers" }] },
  });
  return emulator;
}

async function startJob(em: Emulator, kind: "ingest" | "backfill", token = "t", onMatch?: unknown) {
  const query = kind === "ingest" ? START_INGEST : START_BACKFILL;
  const variables = { board: "100", group: "topics", ...(onMatch !== undefined && { onMatch }) };
  const res = await gql<Record<string, Init>>(em, query, variables, { Authorization: token });
  return { res, init: res.data?.[`${kind}_items`] };
}

async function put(url: string, csv: string, headers: Record<string, string> = {}) {
  return fetch(url, { method: "PUT", headers: { "Content-Type": "text/csv", ...headers }, body: csv });
}

async function status(em: Emulator, id: string, token = "t"): Promise<JobStatus> {
  const res = await gql<{ fetch_job_status: JobStatus }>(em, STATUS, { id }, { Authorization: token });
  expect(res.errors).toBeUndefined();
  return res.data!.fetch_job_status;
}

const CSV = [
  "name,key,qty,due,status,name.subitem,quantity.subitem",
  '"A-1 ""quoted""",A-1,3,2026-06-15,Open,,',
  ",,,,,S,1",
  ",,,,,M,2",
  'B-2,"B,2",4,,Done,,',
].join("\n");

describe("bulk import in the emulator", () => {
  it("imports items and their subitems at the configured rate on the emulator clock", async () => {
    const em = await start({ bulkRowsPerSecond: 2 });
    const { init } = await startJob(em, "backfill");
    expect((await status(em, init!.job_id)).status).toBe("UPLOAD_PENDING");
    const upload = await put(init!.upload_url, CSV);
    expect(upload.status).toBe(200);
    expect(upload.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    tick(1_000);
    const partway = await status(em, init!.job_id);
    expect(partway).toMatchObject({ status: "PROCESSING", progress_percentage: 50, report_created: false });
    expect(partway.counts).toMatchObject({ submitted: 4, created: 2 });
    tick(1_000);
    const done = await status(em, init!.job_id);
    expect(done).toMatchObject({ status: "COMPLETED", fully_imported: true, report_created: true });
    expect(done.counts).toEqual({ submitted: 4, invalid: 0, skipped: 0, created: 4, updated: 0, failed: 0 });
    const items = em.store.itemsOfBoard("100");
    expect(items.map((i) => [i.name, i.values.get("key")?.text, i.values.get("status")?.text])).toEqual([
      ['A-1 "quoted"', "A-1", "Open"],
      ["B-2", "B,2", "Done"],
    ]);
    expect(em.store.subitemsOf(items[0]!).map((s) => [s.name, s.values.get("quantity")?.text])).toEqual([
      ["S", "1"],
      ["M", "2"],
    ]);
    expect(em.store.subitemsOf(items[1]!)).toEqual([]);
  });

  it("processes jobs side by side by default; bulkConcurrentJobs: 1 runs them one after another", async () => {
    // CSV: 4 rows, 2 s at 2 rows a second.
    const side = await start({ bulkRowsPerSecond: 2 });
    const a = (await startJob(side, "backfill")).init!;
    const b = (await startJob(side, "backfill")).init!;
    await put(a.upload_url, CSV);
    await put(b.upload_url, CSV);
    tick(2_000);
    expect((await status(side, a.job_id)).status).toBe("COMPLETED");
    expect((await status(side, b.job_id)).status).toBe("COMPLETED");
    await side.close();

    const queued = await start({ bulkRowsPerSecond: 2, bulkConcurrentJobs: 1 });
    const first = (await startJob(queued, "backfill")).init!;
    const second = (await startJob(queued, "backfill")).init!;
    await put(first.upload_url, CSV);
    tick(1_000);
    await put(second.upload_url, CSV);
    tick(1_000);
    expect((await status(queued, first.job_id)).status).toBe("COMPLETED");
    // Its turn came when the first ended (2 s after that one's upload), not at its own upload.
    expect(await status(queued, second.job_id)).toMatchObject({
      status: "PROCESSING",
      progress_percentage: 0,
    });
    tick(1_000);
    expect((await status(queued, second.job_id)).progress_percentage).toBe(50);
    tick(1_000);
    expect((await status(queued, second.job_id)).status).toBe("COMPLETED");
    expect(queued.store.itemsOfBoard("100")).toHaveLength(4);
  });

  it("reports invalid rows (unknown label, bad date, orphan subitem) and imports the rest", async () => {
    const em = await start({ bulkRowsPerSecond: 1_000_000 });
    const { init } = await startJob(em, "ingest");
    const csv = [
      "name,key,due,status,name.subitem",
      ",,,,orphan",
      "A,A,2026-02-30,Open,",
      "B,B,2026-02-03,open,",
      "C,C,,Done,",
      ",,,,S",
    ].join("\r\n");
    expect((await put(init!.upload_url, csv)).status).toBe(200);
    tick();
    const done = await status(em, init!.job_id);
    expect(done.counts).toEqual({ submitted: 5, invalid: 3, skipped: 0, created: 2, updated: 0, failed: 0 });
    expect(done.fully_imported).toBe(false);
    const report = await (await fetch(done.report_url!)).text();
    const lines = report.trim().split("\n");
    expect(lines[0]).toBe("row,name,result,reason");
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 3).join(","))).toEqual([
      "1,orphan,invalid",
      "2,A,invalid",
      "3,B,invalid",
    ]);
    expect(report).toContain("not a date");
    expect(report).toContain("label does not exist");
    expect(em.bulk.ingestRemaining()).toBe(19_000 - 2);
  });

  it("rejects a whole file whose headers are not the board's column ids", async () => {
    const em = await start();
    for (const header of ["key,name", "name,Key", "name,key,key", "name,nope.subitem"]) {
      const { init } = await startJob(em, "backfill");
      await put(init!.upload_url, `${header}\nA,B\n`);
      const s = await status(em, init!.job_id);
      expect([header, s.status, s.failure_reason]).toEqual([header, "REJECTED", "INVALID_UPLOAD"]);
      expect(s.failure_message).toBeTruthy();
    }
  });

  it("limits rows a job: 10,000 for ingest, 20,000 for backfill", async () => {
    const em = await start({ bulkRowsPerSecond: 1_000_000 });
    const rows = (n: number) => ["name", ...Array.from({ length: n }, (_, i) => `I${i}`)].join("\n");
    const ingest = (await startJob(em, "ingest")).init!;
    await put(ingest.upload_url, rows(10_001));
    tick();
    expect(await status(em, ingest.job_id, "editor")).toMatchObject({
      status: "REJECTED",
      failure_reason: "INVALID_UPLOAD",
    });
    // 10,002 rows: 5,001 items with one subitem each (a board holds at most 10,000 items).
    const withSubitems = ["name,name.subitem", ...Array.from({ length: 5_001 }, (_, i) => `I${i},\n,S`)];
    const backfill = (await startJob(em, "backfill")).init!;
    await put(backfill.upload_url, withSubitems.join("\n"));
    tick();
    expect(await status(em, backfill.job_id)).toMatchObject({ status: "COMPLETED" });
    const tooMany = (await startJob(em, "backfill")).init!;
    await put(tooMany.upload_url, rows(20_001));
    expect(await status(em, tooMany.job_id)).toMatchObject({
      status: "REJECTED",
      failure_reason: "INVALID_UPLOAD",
    });
  });

  it("counts ingest against 19,000 items an hour and rejects a job that does not fit; backfill does not", async () => {
    const em = await start({ bulkRowsPerSecond: 1_000_000 });
    // Two boards' worth: the 10,000-item board cap would stop the second job otherwise.
    em.store.createBoard({ id: "200", name: "More", columns: [], groups: [{ id: "topics", title: "G" }] });
    const rows = (n: number, p: string) =>
      ["name", ...Array.from({ length: n }, (_, i) => `${p}${i}`)].join("\n");
    const first = (await startJob(em, "ingest")).init!;
    await put(first.upload_url, rows(10_000, "a"));
    tick();
    expect((await status(em, first.job_id)).status).toBe("COMPLETED");
    const second = await gql<{ ingest_items: Init }>(em, START_INGEST, { board: "200", group: "topics" });
    await put(second.data!.ingest_items.upload_url, rows(9_001, "b"));
    const refused = await status(em, second.data!.ingest_items.job_id);
    expect(refused).toMatchObject({ status: "REJECTED", failure_reason: "ACCOUNT_CAPACITY_EXCEEDED" });
    expect(em.bulk.ingestRemaining()).toBe(9_000);
    const backfill = await gql<{ backfill_items: Init }>(em, START_BACKFILL, {
      board: "200",
      group: "topics",
    });
    await put(backfill.data!.backfill_items.upload_url, rows(9_001, "c"));
    tick();
    expect((await status(em, backfill.data!.backfill_items.job_id)).status).toBe("COMPLETED");
    expect(em.bulk.ingestRemaining()).toBe(9_000);
    tick(60 * 60_000 + 1);
    expect(em.bulk.ingestRemaining()).toBe(19_000);
  });

  it("refuses the 101st job start of an hour with 429 RATE_LIMIT_EXCEEDED and retryAfterMs", async () => {
    const em = await start();
    for (let i = 0; i < 100; i++) expect((await startJob(em, "ingest")).init?.job_id).toBeTruthy();
    tick(30 * 60_000);
    const { res } = await startJob(em, "ingest");
    expect(res.status).toBe(429);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMIT_EXCEEDED", status_code: 429 });
    expect((res.errors?.[0]?.extensions as { retryAfterMs?: number }).retryAfterMs).toBe(30 * 60_000);
    tick(30 * 60_000 + 1);
    expect((await startJob(em, "ingest")).init?.job_id).toBeTruthy();
  });

  it("backfill needs an account admin: another user's job is REJECTED with PERMISSION_DENIED", async () => {
    const em = await start({
      users: {
        users: [
          { token: "editor", name: "Editor" },
          { token: "boss", name: "Boss" },
        ],
        admins: ["Boss"],
      },
    });
    const denied = (await startJob(em, "backfill", "editor")).init!;
    expect(await status(em, denied.job_id, "editor")).toMatchObject({
      status: "REJECTED",
      failure_reason: "PERMISSION_DENIED",
    });
    expect((await put(denied.upload_url, CSV)).status).toBe(200);
    expect(em.store.itemsOfBoard("100")).toEqual([]);
    const ingest = (await startJob(em, "ingest", "editor")).init!;
    expect(await status(em, ingest.job_id, "editor")).toMatchObject({ status: "UPLOAD_PENDING" });
    const admin = (await startJob(em, "backfill", "boss")).init!;
    expect(await status(em, admin.job_id, "boss")).toMatchObject({ status: "UPLOAD_PENDING" });
  });

  it("answers S3's 403 for an expired URL, another content type or x-amz-checksum-crc32", async () => {
    const em = await start();
    const { init } = await startJob(em, "ingest");
    expect((await put(init!.upload_url, CSV, { "x-amz-checksum-crc32": "AAAAAA==" })).status).toBe(403);
    expect((await put(init!.upload_url, CSV, { "Content-Type": "application/octet-stream" })).status).toBe(
      403,
    );
    tick(10 * 60_000 + 1);
    const expired = await put(init!.upload_url, CSV);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("AccessDenied");
    expect(await status(em, init!.job_id)).toMatchObject({ status: "UPLOAD_PENDING" });
  });

  it("on_match UPSERT updates the most recent matching item; SKIP skips it", async () => {
    const em = await start({ bulkRowsPerSecond: 1_000_000 });
    em.store.createItem({
      boardId: "100",
      name: "old",
      columnValues: { key: "K1", qty: "1", due: { date: "2026-01-01" } },
    });
    const upsert = (await startJob(em, "ingest", "t", { match_column_id: "key", behaviour: "UPSERT" })).init!;
    await put(upsert.upload_url, "name,key,qty,due\nnew,K1,5,<NULL>\nfresh,K2,,\n");
    tick();
    expect((await status(em, upsert.job_id)).counts).toMatchObject({ created: 1, updated: 1 });
    const [k1, k2] = em.store.itemsOfBoard("100");
    expect([k1?.name, k1?.values.get("qty")?.text, k1?.values.has("due")]).toEqual(["new", "5", false]);
    expect(k2?.name).toBe("fresh");
    const skip = (await startJob(em, "ingest", "t", { match_column_id: "key", behaviour: "SKIP" })).init!;
    await put(skip.upload_url, "name,key\nagain,K1\n");
    tick();
    expect((await status(em, skip.job_id)).counts).toMatchObject({ skipped: 1, created: 0 });
  });

  it("charges the calls like other writes and nothing for the rows they import", async () => {
    const em = await start({ bulkRowsPerSecond: 1_000_000, enforceLimits: true });
    const { init } = await startJob(em, "backfill");
    const before = em.stats().complexityUsed;
    await put(init!.upload_url, CSV);
    expect(em.stats().complexityUsed).toBe(before);
    tick();
    await status(em, init!.job_id);
    expect(em.stats().complexityUsed - before).toBeLessThan(100);
  });
});
