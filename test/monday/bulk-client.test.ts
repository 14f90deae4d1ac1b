// The bulk lane of the monday client against the emulator over real HTTP: the CSV writer, start, upload,
// poll, report.
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import {
  BulkImportClient,
  BulkTransferError,
  HttpTransport,
  NotImportableError,
  csvCell,
  importCsv,
  importable,
  parseCsvRecords,
} from "../../src/monday/index.js";

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const COLUMNS = [
  { id: "key", type: "text" },
  { id: "qty", type: "numbers" },
  { id: "due", type: "date" },
  { id: "status", type: "status" },
];
const SUB_COLUMNS = [{ id: "quantity", type: "numbers" }];

async function start(): Promise<{ em: Emulator; bulk: BulkImportClient }> {
  emulator = await startEmulator({ port: 0, bulkRowsPerSecond: 100_000 });
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
  const transport = new HttpTransport({ url: emulator.url, token: "t", apiVersion: "2026-10" });
  return { em: emulator, bulk: new BulkImportClient(transport, { pollMs: 5 }) };
}

describe("the bulk import CSV", () => {
  it("writes the docs' format: name first, column ids, subitem rows under their parent, quoting", () => {
    const csv = importCsv(COLUMNS, SUB_COLUMNS, [
      {
        name: 'A "1", big',
        columnValues: { key: "A-1", qty: "3", due: { date: "2026-06-15" }, status: { label: "Open" } },
        subitems: [
          { name: "S", columnValues: { quantity: "1" } },
          { name: "M", columnValues: { quantity: "2" } },
        ],
      },
      { name: "B", columnValues: { key: "B\nline" }, subitems: [] },
    ]);
    expect(csv).toBe(
      [
        "name,key,qty,due,status,name.subitem,quantity.subitem",
        '"A ""1"", big",A-1,3,2026-06-15,Open,,',
        ",,,,,S,1",
        ",,,,,M,2",
        'B,"B\nline",,,,,',
        "",
      ].join("\r\n"),
    );
    expect(parseCsvRecords(csv)[1]).toEqual(['A "1", big', "A-1", "3", "2026-06-15", "Open", "", ""]);
  });

  it("formats each type as documented and refuses what has no cell format", () => {
    expect(csvCell("timeline", { from: "2026-01-01", to: "2026-02-01" })).toBe("2026-01-01/2026-02-01");
    expect(csvCell("checkbox", { checked: "true" })).toBe("true");
    expect(csvCell("link", { url: "https://x.io", text: "X" })).toBe("[X](https://x.io)");
    expect(csvCell("link", { url: "https://x.io", text: "https://x.io" })).toBe("https://x.io");
    expect(csvCell("people", { personsAndTeams: [{ id: 4, kind: "person" }] })).toBe("user:4");
    expect(csvCell("dropdown", { labels: ["A", "B"] })).toBe("A,B");
    expect(csvCell("long_text", { text: "hi" })).toBe("hi");
    expect(() => csvCell("date", { date: "2026-01-01", time: "09:00:00" })).toThrow(NotImportableError);
    expect(() => csvCell("email", { email: "a@b.co", text: "Ann" })).toThrow(NotImportableError);
    expect(() => csvCell("phone", { phone: "+1555", countryShortName: "US" })).toThrow(NotImportableError);
    expect(
      importable(COLUMNS, { name: "x", columnValues: { due: { date: "2026-01-01", time: "01:00:00" } } }),
    ).toBe(false);
    expect(importable(COLUMNS, { name: "x", columnValues: { due: { date: "2026-01-01" } } })).toBe(true);
  });
});

describe("the bulk import client", () => {
  it("starts a job, uploads the CSV, polls to the end and reads the report", async () => {
    const { em, bulk } = await start();
    const { jobId, uploadUrl } = await bulk.start("backfill", "100", "topics");
    const csv = importCsv(COLUMNS, SUB_COLUMNS, [
      {
        name: "A",
        columnValues: { key: "A", status: { label: "Open" } },
        subitems: [{ name: "M", columnValues: {} }],
      },
      { name: "B", columnValues: { key: "B", status: { label: "Nope" } }, subitems: [] },
    ]);
    expect(await bulk.upload(uploadUrl, csv)).toMatch(/^"/);
    const polls: string[] = [];
    const done = await bulk.waitForEnd(jobId, { onPoll: (s) => polls.push(s.status) });
    expect(done.status).toBe("COMPLETED");
    expect(done.counts).toEqual({ submitted: 3, invalid: 1, skipped: 0, created: 2, updated: 0, failed: 0 });
    expect(polls.at(-1)).toBe("COMPLETED");
    const report = await bulk.readReport(done.reportUrl!);
    expect(report).toEqual([
      { row: 3, result: "invalid", reason: expect.stringContaining("label") as string },
    ]);
    expect(em.store.itemsOfBoard("100").map((i) => i.name)).toEqual(["A"]);
  });

  it("an ingest job that does not fit the hour ends REJECTED with the reason", async () => {
    const { bulk } = await start();
    const first = await bulk.start("ingest", "100", "topics");
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      name: `I${i}`,
      columnValues: {},
      subitems: [],
    }));
    await bulk.upload(first.uploadUrl, importCsv([], [], rows));
    expect((await bulk.waitForEnd(first.jobId)).status).toBe("COMPLETED");
    emulator!.store.createBoard({
      id: "200",
      name: "More",
      columns: [],
      groups: [{ id: "topics", title: "G" }],
    });
    const second = await bulk.start("ingest", "200", "topics");
    await bulk.upload(second.uploadUrl, importCsv([], [], rows));
    const refused = await bulk.waitForEnd(second.jobId);
    expect([refused.status, refused.failureReason]).toEqual(["REJECTED", "ACCOUNT_CAPACITY_EXCEEDED"]);
  });

  it("an upload to an unknown or expired URL is a BulkTransferError", async () => {
    const { em, bulk } = await start();
    const error = await bulk
      .upload(`${em.url.replace("/v2", "")}/__bulk/upload/99?X-Amz-Signature=x`, "name\nA\n")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkTransferError);
    expect((error as BulkTransferError).statusCode).toBe(403);
  });
});
