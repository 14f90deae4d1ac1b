// The outcome table: errors carry their outcome, a run's exit code is its heaviest outcome's, and the
// run status follows from it (DESIGN.md exit codes 0-4).
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/index.js";
import { DatabaseError, MigrationError } from "../../src/db/index.js";
import { EXIT, errorMessage, outcomeOf, OUTCOMES, runStatus, worstOutcome } from "../../src/errors/index.js";
import { MappingError } from "../../src/mapping/index.js";
import { SourceError } from "../../src/source/index.js";
import { MondayUnavailableError } from "../../src/sync/index.js";
import { HaltError, StoppedError } from "../../src/sync/errors.js";

describe("outcomes", () => {
  it("are carried by the errors that end a run or a command", () => {
    const halted = new HaltError("C", "required", "missing", {} as never);
    expect(outcomeOf(new ConfigError("bad key"))).toBe("config");
    expect(outcomeOf(new SourceError("no table", "ORDERS_UNIFIED"))).toBe("config");
    expect(outcomeOf(new MappingError("no column", "1", "boards[0]"))).toBe("config");
    expect(outcomeOf(new DatabaseError("down", "sqlite", "order-sync.db"))).toBe("config");
    expect(outcomeOf(new MigrationError("failed", [], "001"))).toBe("config");
    expect(outcomeOf(new MondayUnavailableError("breaker open"))).toBe("unavailable");
    expect(outcomeOf(halted)).toBe("halted");
    expect(outcomeOf(new StoppedError("SIGTERM"))).toBe("stopped");
    expect(outcomeOf(new Error("a bug"))).toBeUndefined();
    expect(outcomeOf("thrown text")).toBeUndefined();
  });

  it("map to DESIGN's exit codes, the heaviest winning", () => {
    expect(Object.fromEntries(Object.entries(OUTCOMES).map(([k, v]) => [k, v.exitCode]))).toEqual({
      ok: 0,
      rowsFailed: 1,
      stopped: 1,
      halted: 3,
      config: 2,
      unavailable: 4,
    });
    expect(EXIT).toEqual({ ok: 0, rowsFailed: 1, config: 2, halted: 3, mondayUnavailable: 4 });
    expect(worstOutcome([])).toBe("ok");
    expect(worstOutcome(["ok", "rowsFailed", "halted"])).toBe("halted");
    expect(worstOutcome(["halted", "config"])).toBe("config");
    expect(worstOutcome(["config", "unavailable", "stopped"])).toBe("unavailable");
  });

  it("give the run status: STOPPED first, then SUCCESS, HALTED, PARTIAL or FAILED", () => {
    expect(runStatus("ok", [{ ok: true }])).toBe("SUCCESS");
    expect(runStatus("halted", [{ ok: true }, { ok: false }])).toBe("HALTED");
    expect(runStatus("halted", [{ ok: false }])).toBe("HALTED");
    expect(runStatus("rowsFailed", [{ ok: true }, { ok: false }])).toBe("PARTIAL");
    expect(runStatus("unavailable", [{ ok: false }])).toBe("FAILED");
    expect(runStatus("stopped", [{ ok: true }, { ok: false, stopped: true }])).toBe("STOPPED");
  });

  it("have one message helper for anything thrown", () => {
    expect(errorMessage(new Error("boom"))).toBe("boom");
    expect(errorMessage("boom")).toBe("boom");
    expect(errorMessage(42)).toBe("42");
    expect(new StoppedError().message).toBe("stopped: shutting down");
    expect(new StoppedError(new Error("lease lost")).message).toBe("stopped: lease lost");
  });
});
