// ResilientTransport over real HTTP against the emulator with injected faults and enforced limits:
// no create runs twice when replies are lost, and requests wait for budget instead of hitting 429s.
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import type { Emulator, EmulatorOptions } from "../../src/emulator/index.js";
import {
  ComplexityBudget,
  HttpTransport,
  MondayClient,
  ResilientTransport,
  createItemOp,
} from "../../src/monday/index.js";
import type { BudgetWaitEvent, ResilienceOptions, RetryEvent } from "../../src/monday/index.js";

let emulator: Emulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function setup(options: EmulatorOptions, resilience: ResilienceOptions = {}) {
  emulator = await startEmulator({ port: 0, ...options });
  const board = emulator.store.createBoard({
    name: "Orders",
    columns: [{ id: "order_key", title: "Order", type: "text" }],
    groups: [{ id: "topics", title: "Orders" }],
  });
  const http = new HttpTransport({ url: emulator.url, token: "t", apiVersion: "2026-10", timeoutMs: 2_000 });
  const transport = new ResilientTransport(http, {
    backoffInitialMs: 10,
    backoffMaxMs: 50,
    timeoutBackoffMs: 10,
    maxAttempts: 10,
    ...resilience,
  });
  const retries: RetryEvent[] = [];
  transport.onRetry((e) => retries.push(e));
  return { emulator, boardId: board.id, http, transport, client: new MondayClient(transport), retries };
}

const order = (boardId: string, n: number) =>
  createItemOp({ boardId, groupId: "topics", itemName: `PO-${n}`, columnValues: { order_key: `PO-${n}` } });

describe("ResilientTransport against the emulator", () => {
  it("creates every item exactly once through 5xx, 502, 429 and replies lost after commit", async () => {
    const { emulator, boardId, client, retries } = await setup({
      timeScale: 20,
      faultsOn: "mutations",
      faults: { drop_after_commit: 0.25, server_error: 0.1, bad_gateway: 0.1, rate_limit: 0.1 },
      seed: 7,
    });
    for (let n = 1; n <= 24; n++) {
      const outcomes = await client.runBatch([order(boardId, n)], { idempotencyKey: `push-1-${n}` });
      expect(outcomes).toMatchObject([{ ok: true }]);
    }
    const names = emulator.store.itemsOfBoard(boardId).map((i) => i.name);
    expect(names.sort()).toEqual(Array.from({ length: 24 }, (_, i) => `PO-${i + 1}`).sort());

    const stats = emulator.stats();
    expect(stats.faults.drop_after_commit).toBeGreaterThan(0);
    expect(stats.idempotentReplays).toBeGreaterThanOrEqual(stats.faults.drop_after_commit);
    const classes = new Set(retries.map((r) => r.errorClass));
    expect(classes).toEqual(new Set(["NetworkError", "ServerError", "RateLimitError"]));
  });

  it("waits for the complexity budget instead of running into COMPLEXITY_BUDGET_EXHAUSTED", async () => {
    // 60 emulator seconds pass in 1.5 real seconds; 50,000 points a window ≈ 4 creates.
    const budget = new ComplexityBudget({ limitPerMinute: 50_000 });
    const waits: BudgetWaitEvent[] = [];
    budget.onWait((e) => waits.push(e));
    const { emulator, boardId, client } = await setup(
      { timeScale: 40, enforceLimits: true, budgetPerMinute: 50_000 },
      { budget },
    );
    const started = Date.now();
    // Two callers share the budget.
    await Promise.all(
      [0, 1].map(async (caller) => {
        for (let n = 0; n < 6; n++) {
          const outcomes = await client.runBatch([order(boardId, caller * 100 + n)], {
            withComplexity: true,
          });
          expect(outcomes).toMatchObject([{ ok: true }]);
        }
      }),
    );
    expect(emulator.store.itemsOfBoard(boardId)).toHaveLength(12);
    expect(emulator.stats().rateLimited).toEqual({});
    expect(waits.length).toBeGreaterThan(0);
    // 12 creates of ≥ 10,000 points at 50,000 a window need at least two resets.
    expect(Date.now() - started).toBeGreaterThan(2 * 1_000);
  });

  it("opens the breaker when the emulator keeps failing and fails fast", async () => {
    const { emulator, boardId, client, transport, http } = await setup(
      { faults: { server_error: 1 } },
      { maxAttempts: 2, failureThreshold: 2, recoveryMs: 200 },
    );
    for (let i = 0; i < 2; i++) {
      await expect(client.runBatch([order(boardId, i)])).rejects.toMatchObject({ name: "ServerError" });
    }
    expect(transport.breakerState).toBe("OPEN");
    const sent = http.requests;
    await expect(client.runBatch([order(boardId, 9)])).rejects.toMatchObject({ code: "CIRCUIT_OPEN" });
    expect(http.requests).toBe(sent);

    emulator.setFaults({});
    await new Promise((resolve) => setTimeout(resolve, 250));
    await expect(client.runBatch([order(boardId, 10)])).resolves.toMatchObject([{ ok: true }]);
    expect(transport.breakerState).toBe("CLOSED");
  });
});
