import { buildReport, haltedResult, validateOrders, type ValidationReport } from "../../src/quality/index.js";
import { context, order } from "./fixture.js";

export const SCRIPT = "<script>alert('x')</script>";

/** A report with issues of several rules and severities, hostile values and two halted customers. */
export function sampleReport(): ValidationReport {
  const a = validateOrders(
    [
      order("AAG-1"),
      order("AAG-2", { "TOTAL QTY": 70, "ORDER QTY": 70 }),
      order("AAG-3", { COLOR: `Navy${SCRIPT}\u0007`, "ORDER QTY": 61 }),
      order("AAG-<b>4</b>", { "ORDER STATUS": SCRIPT }),
    ],
    context({ config: context().config }),
  );
  const b = validateOrders([order("AAG-9")], context({ customer: `ACME "<i>" & Co`, board: undefined }));
  const c = haltedResult("KESTREL OUTDOOR", "column-mapping", "board 5001 cannot be read");
  return buildReport([a, b, c], { batchId: "batch-1", generatedAt: "2026-01-01T00:00:00.000Z" });
}
