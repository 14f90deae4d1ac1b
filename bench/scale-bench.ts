/**
 * `npm run bench:scale [-- --orders N --dialect sqlite|postgres|mariadb] [--json]`
 *
 * Seeds N demo orders (multi-row INSERTs) and the sync state a full sync would leave, built by the
 * pipeline's own code (read → detect → the record step's state rows and source fingerprints,
 * `insertStates`), with the items in the
 * emulator (no limits). Then measures, each step in a child process running the CLI (`order-sync sync` /
 * `plan --json`): the no-op sync (must make 0 API writes), a sync after 1% of the orders changed (time
 * until the first write request, and total), and `plan --json` of a first load (the state emptied).
 * Prints seconds, orders per second and peak RSS (the child's `maxRSS`); `--json` prints one JSON object.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createConnection } from "mysql2/promise";
import pg from "pg";
import { sql } from "kysely";
import { parse as parseYaml } from "yaml";
import { parseConfig, resolveSettings, starterConfig, type Settings } from "../src/config/index.js";
import { openDatabase, type Db, type DbDialect } from "../src/db/index.js";
import { createOrdersTable, writeDemoOrders } from "../src/demo/index.js";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { emulatorBoards } from "../src/cli/emulator-boards.js";
import { wireApp } from "../src/app.js";
import { MappingError } from "../src/mapping/index.js";
import { insertStates, sourceHashOf, type StateToSave } from "../src/state/index.js";
import { customerContext, prepare } from "../src/sync/prepare.js";
import { detectorFor } from "../src/sync/steps/detect-in-db.js";

const { values: args } = parseArgs({
  options: {
    orders: { type: "string", default: "100000" },
    dialect: { type: "string", default: "sqlite" },
    json: { type: "boolean", default: false },
    /** Internal: run one CLI command in this (child) process and write its figures to `--out`. */
    child: { type: "string" },
    out: { type: "string" },
  },
  allowPositionals: true,
});

/** What a child process measured: the command's own time and the process's peak RSS. */
interface StepFigures {
  seconds: number;
  rssMb: number;
  startedAt: number;
  exitCode: number;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Child mode: runs `order-sync <argv>` in-process (stdout to /dev/null), then writes its figures. */
async function runChild(command: string, out: string): Promise<void> {
  const { main } = await import("../src/cli/main.js");
  const startedAt = Date.now();
  const t0 = performance.now();
  const exitCode = await main(["node", "order-sync", ...command.split(" ")]);
  const seconds = (performance.now() - t0) / 1000;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const figures: StepFigures = { seconds: round(seconds), rssMb: round(rssMb, 0), startedAt, exitCode };
  writeFileSync(out, JSON.stringify(figures));
}

/** A fresh database on the dialect's test server (or a temp SQLite file): its URL and how to drop it. */
async function freshDatabase(dialect: string, dir: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `scale_${process.pid}_${Date.now().toString(36)}`;
  if (dialect === "sqlite") return { url: join(dir, "scale.db"), drop: async () => undefined };
  if (dialect === "postgres") {
    const base = process.env.ORDER_SYNC_TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/test";
    const admin = async (text: string) => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(text).finally(() => client.end());
    };
    // The name is made here (letters, digits, underscores): safe to interpolate.
    await admin(`create database ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
  }
  if (dialect === "mariadb" || dialect === "mysql") {
    const base = process.env.ORDER_SYNC_TEST_MYSQL_URL || "mysql://root@127.0.0.1:3306/test";
    const admin = async (text: string) => {
      const connection = await createConnection({ uri: base });
      await connection.query(text).finally(() => connection.end());
    };
    await admin(`create database ${name} character set utf8mb4`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    return { url: url.toString(), drop: () => admin(`drop database if exists ${name}`) };
  }
  throw new Error(`--dialect must be sqlite, postgres or mariadb, got ${dialect}`);
}

const DIALECTS: Record<string, DbDialect> = {
  sqlite: "sqlite",
  postgres: "postgres",
  mariadb: "mysql",
  mysql: "mysql",
};

/** The starter config (five demo customers on two boards), paged as a sync pages. */
function benchConfig(dir: string): string {
  const file = join(dir, "order-sync.yaml");
  writeFileSync(file, starterConfig());
  return file;
}

/**
 * The sync state a full sync would leave: each customer's orders read and detected NEW by the pipeline's
 * steps, their state rows as the record step builds them (item ids the emulator then holds, fake subitem
 * ids: the 1% change keeps the sizes), and the items put straight into the emulator's store.
 */
async function seedState(settings: Settings, db: Db, emulator: Emulator): Promise<number> {
  const app = wireApp(settings, db);
  const deps = { settings, db, monday: app.monday };
  const p = await prepare(deps, undefined);
  let nextItem = 9_000_000_001;
  let seeded = 0;
  const now = new Date().toISOString();
  for (const customer of p.customers) {
    const board = p.boards.get(customer.board);
    if (!board || board instanceof MappingError) throw new Error(`board ${customer.board}: ${String(board)}`);
    const ctx = customerContext(deps, p, customer, board);
    const record = emulator.store.getBoard(board.id);
    let after: string | null = null;
    const detector = await detectorFor(ctx);
    for await (const page of detector.pages) {
      const found = await detector.detect(page, after, new Set());
      after = page.lastKey;
      const states: StateToSave[] = [];
      for (const d of found.detected) {
        if (d.change instanceof Error || d.change.kind !== "NEW") continue;
        const groupId = await p.groups.groupId(board.id, d.change.snapshot.group);
        const id = String(nextItem++);
        const subitemIds = Object.fromEntries(
          Object.keys(d.change.snapshot.subitems).map((s, i) => [s, `${id}${i}`]),
        );
        states.push({
          customer: customer.name,
          orderKey: d.orderKey,
          boardId: board.id,
          groupId,
          mondayItemId: id,
          values: d.change.snapshot,
          subitemIds,
          archived: false,
          sourceHash: sourceHashOf(d.change.sourceFingerprint, d.change.hash),
        });
        const item = {
          id,
          name: d.change.snapshot.name,
          boardId: board.id,
          groupId,
          state: "active" as const,
          values: new Map(),
          parentItemId: null,
          createdAt: now,
          updatedAt: now,
        };
        emulator.store.items.set(id, item);
        record.items.set(id, item);
      }
      await insertStates(db, states, now);
      seeded += states.length;
    }
  }
  return seeded;
}

/** Changes 1% of the open orders (every 100th key): a new PO number and the status flipped. */
async function changeOnePercent(db: Db): Promise<number> {
  const k = db.kysely;
  const id = sql.id("AAG ORDER NUMBER");
  const keys = (
    await sql<{ k: string }>`select ${id} as k from ${sql.id("ORDERS_UNIFIED")}
    where ${id} not like ${"%CANCELLED%"} order by 1`.execute(k)
  ).rows
    .map((r) => r.k)
    .filter((_, i) => i % 100 === 0);
  for (let i = 0; i < keys.length; i += 500)
    await sql`update ${sql.id("ORDERS_UNIFIED")} set ${sql.id("PO NUMBER")} = ${"SCALE-REV"},
      ${sql.id("ORDER STATUS")} = case when ${sql.id("ORDER STATUS")} = ${"On Hold"} then ${"Open"} else ${"On Hold"} end
      where ${id} in (${sql.join(keys.slice(i, i + 500))})`.execute(k);
  return keys.length;
}

/** Runs one CLI command in a child process; returns its figures and the emulator's writes meanwhile. */
async function step(emulator: Emulator, env: NodeJS.ProcessEnv, dir: string, command: string) {
  const out = join(dir, "step.json");
  const entries = emulator.log.entries.length;
  const requests = emulator.stats().requests;
  const child = spawn(
    process.execPath,
    [
      // ORDER_SYNC_BENCH_PROFILE=dir: a CPU profile of each step in dir.
      ...(process.env.ORDER_SYNC_BENCH_PROFILE
        ? ["--cpu-prof", "--cpu-prof-dir", process.env.ORDER_SYNC_BENCH_PROFILE]
        : []),
      "--import",
      "tsx",
      process.argv[1]!,
      `--child=${command}`,
      "--out",
      out,
    ],
    {
      env,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const code = await new Promise<number>((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`step "${command}" exited ${code}`);
  const figures = JSON.parse(readFileSync(out, "utf8")) as StepFigures;
  const writes = emulator.log.entries.slice(entries);
  const first = writes[0] ? (Date.parse(writes[0].at) - figures.startedAt) / 1000 : null;
  return {
    seconds: figures.seconds,
    rssMb: figures.rssMb,
    exitCode: figures.exitCode,
    requests: emulator.stats().requests - requests,
    writes: writes.length,
    ...(first === null ? {} : { firstWriteSeconds: round(first) }),
  };
}

async function main(): Promise<void> {
  const orders = Number(args.orders);
  const dialect = args.dialect!;
  const say = (line: string) => (args.json ? undefined : process.stdout.write(`${line}\n`));
  const dir = mkdtempSync(join(tmpdir(), "order-sync-scale-"));
  const database = await freshDatabase(dialect, dir);
  const emulator = await startEmulator({
    port: 0,
    boards: emulatorBoards(parseConfig(parseYaml(starterConfig()))),
    enforceLimits: false,
  });
  try {
    const configFile = benchConfig(dir);
    const env = {
      ...process.env,
      ORDER_SYNC_DB_URL: database.url,
      MONDAY_API_URL: emulator.url,
      MONDAY_API_TOKEN: "bench",
    };
    const settings = resolveSettings(parseConfig(parseYaml(readFileSync(configFile, "utf8"))), dir, env);
    const db = await openDatabase({ dialect: DIALECTS[dialect]!, url: database.url });
    const t0 = performance.now();
    await createOrdersTable(db);
    await writeDemoOrders(db, { count: orders, seed: 42 });
    const seeded = await seedState(settings, db, emulator);
    // A scheduled sync meets tables that autovacuum has seen (PostgreSQL 13+ vacuums after inserts too, by
    // autovacuum_vacuum_insert_threshold): give the freshly seeded ones that state, so the state's counts can
    // be index-only scans (0014) as on a database in service, instead of timing right after a bulk insert.
    if (dialect === "postgres") await sql`vacuum (analyze)`.execute(db.kysely);
    say(
      `${dialect}: ${orders} orders, ${seeded} in the sync state, seeded in ${round((performance.now() - t0) / 1000, 1)} s`,
    );
    const cli = (command: string) => `--config ${configFile} --json -q ${command}`;
    const noop = await step(emulator, env, dir, cli("sync"));
    const changedOrders = await changeOnePercent(db);
    const changed = await step(emulator, env, dir, cli("sync"));
    await db.kysely.deleteFrom("MON_SyncState").execute();
    await db.close();
    const plan = await step(emulator, env, dir, cli("plan"));
    const perSecond = (s: { seconds: number }) => Math.round(seeded / s.seconds);
    const result = {
      dialect,
      orders,
      open: seeded,
      noop: { ...noop, ordersPerSecond: perSecond(noop) },
      changed: { ...changed, changedOrders, ordersPerSecond: perSecond(changed) },
      plan: { ...plan, ordersPerSecond: perSecond(plan) },
    };
    if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else
      for (const [name, s] of Object.entries({ noop, changed, plan }))
        say(
          `  ${name.padEnd(8)} ${String(s.seconds).padStart(7)} s  ${String(s.rssMb).padStart(5)} MB  ${s.requests} requests, ${s.writes} writes${"firstWriteSeconds" in s ? `, first write after ${s.firstWriteSeconds} s` : ""}`,
        );
  } finally {
    await emulator.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args.child) await runChild(args.child, args.out!);
else await main();
