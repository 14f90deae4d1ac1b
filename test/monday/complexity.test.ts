// The static complexity estimate: mutations' flat fee, reads by list sizes, and how many ops fit a request.
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { operationComplexity } from "../../src/emulator/complexity.js";
import {
  MUTATION_COST,
  PER_QUERY_CAP,
  buildBatch,
  changeColumnValuesOp,
  createItemOp,
  estimateComplexity,
  loadDocument,
  maxOpsPerRequest,
} from "../../src/monday/index.js";
import type { DocumentNode, OperationDefinitionNode } from "graphql";

const op = (n: number) => createItemOp({ boardId: "1", itemName: `PO-${n}`, columnValues: { text: "x" } });

function emulatorCost(document: DocumentNode, variables: Record<string, unknown>): number {
  const operation = document.definitions.find(
    (d) => d.kind === "OperationDefinition",
  ) as OperationDefinitionNode;
  return operationComplexity(document, operation, variables);
}

describe("estimateComplexity", () => {
  it("charges each mutation about 10,000 plus what it reads back", () => {
    const single = estimateComplexity(op(1).document, op(1).variables);
    expect(single).toBeGreaterThanOrEqual(MUTATION_COST);
    expect(single).toBeLessThan(MUTATION_COST + 1_000);

    const batch = buildBatch([
      op(1),
      op(2),
      changeColumnValuesOp({ boardId: "1", itemId: "9", columnValues: {} }),
    ]);
    const cost = estimateComplexity(batch.document, batch.variables);
    expect(cost).toBeGreaterThanOrEqual(3 * MUTATION_COST);
    expect(cost).toBeLessThan(3 * MUTATION_COST + 3_000);
  });

  it("counts every mutation root field, listed or not, but not `complexity`", () => {
    const doc = parse(
      `mutation { a: archive_item(item_id: 1) { id } b: some_new_mutation { id } complexity { query } }`,
    );
    // Reads: each root field and each selected field 1 point (a, id, b, id, complexity, query).
    expect(estimateComplexity(doc, {})).toBe(2 * MUTATION_COST + 6);
  });

  it("multiplies reads by list sizes: limit, ids, page lists 25, column_values 20", () => {
    const items = (limit?: number) =>
      estimateComplexity(
        loadDocument("GetBoardItems"),
        limit === undefined ? { boardId: "1" } : { boardId: "1", limit },
      );
    expect(items(500)).toBeGreaterThan(items(100));
    expect(items(100)).toBeCloseTo(items(50) * 2, -3);
    // No limit: a page is 25 items.
    expect(items()).toBe(items(25));

    const boards = (ids: string[]) =>
      estimateComplexity(loadDocument("GetBoards"), { ids, limit: ids.length });
    expect(boards(["1", "2", "3", "4"])).toBeGreaterThan(boards(["1", "2"]));

    const plain = parse(`{ boards(ids: [1]) { items_page { items { column_values { id text } } } } }`);
    // boards 1 + items_page 1 + items 1 + 25 × (column_values 1 + 20 × 2)
    expect(estimateComplexity(plain, {})).toBe(3 + 25 * (1 + 20 * 2));
  });

  it("never estimates below what the emulator charges for the project's documents", () => {
    const cases: Array<[DocumentNode, Record<string, unknown>]> = [
      [loadDocument("GetBoardItems"), { boardId: "1", limit: 500 }],
      [loadDocument("NextItemsPage"), { cursor: "c", limit: 200 }],
      [loadDocument("FindItemsByColumnValue"), { boardId: "1", columnId: "k", values: ["a"], limit: 50 }],
      [loadDocument("GetBoards"), { ids: ["1", "2"], limit: 2 }],
      [loadDocument("GetComplexity"), {}],
    ];
    const batch = buildBatch([op(1), op(2)], { withComplexity: true });
    cases.push([batch.document, batch.variables]);
    for (const [document, variables] of cases) {
      expect(estimateComplexity(document, variables)).toBeGreaterThanOrEqual(
        emulatorCost(document, variables),
      );
    }
  });
});

describe("maxOpsPerRequest", () => {
  it("fits ops under the per-query cap, the minute budget and the configured maximum", () => {
    expect(maxOpsPerRequest(10_000)).toBe(PER_QUERY_CAP / 10_000);
    expect(maxOpsPerRequest(10_000, { configuredMax: 50 })).toBe(50);
    expect(maxOpsPerRequest(10_000, { perQueryCap: 35_000 })).toBe(3);
    expect(maxOpsPerRequest(10_000, { limitPerMinute: 1_000_000 / 10 })).toBe(10);
  });

  it("always allows one op, and needs a cost or a maximum", () => {
    expect(maxOpsPerRequest(6_000_000)).toBe(1);
    expect(maxOpsPerRequest(0, { configuredMax: 7 })).toBe(7);
    expect(() => maxOpsPerRequest(0)).toThrow(RangeError);
  });
});
