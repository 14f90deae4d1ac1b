import { Kind, getVariableValues, parse, print } from "graphql";
import type { OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { buildBatch, parseBatchResult } from "../../src/monday/batch.js";
import { archiveItemOp, changeColumnValuesOp, createItemOp } from "../../src/monday/client.js";
import { ColumnValueError, InvalidDataError, MondayError } from "../../src/monday/errors.js";
import type { MondayResponse } from "../../src/monday/transport.js";
import { officialSchema } from "../helpers/official-sdl.js";

const hostile = '"}) { id } mutation { delete_board(board_id: 1) { id } } #';

function response(data: Record<string, unknown> | null, errors: MondayResponse<unknown>["errors"] = []) {
  return { data, errors, headers: { requestId: "r-1" }, status: 200 };
}

describe("buildBatch", () => {
  const ops = [
    createItemOp({
      boardId: "111",
      groupId: "topics",
      itemName: hostile,
      columnValues: { text: hostile, status: { label: "Done" } },
      createLabels: false,
    }),
    changeColumnValuesOp({ boardId: "111", itemId: "222", columnValues: { numbers: "3" } }),
    archiveItemOp({ itemId: "333" }),
  ];
  const batch = buildBatch(ops);
  const text = print(batch.document);

  it("aliases each root field a{i} and renames its variables $a{i}_<name>", () => {
    expect(batch.aliases).toEqual(["a0", "a1", "a2"]);
    expect(text).toContain("a0: create_item(");
    expect(text).toContain("a1: change_multiple_column_values(");
    expect(text).toContain("a2: archive_item(item_id: $a2_itemId)");
    expect(text).toContain("$a0_itemName: String!");
    expect(Object.keys(batch.variables).sort()).toEqual(
      [
        "a0_boardId",
        "a0_groupId",
        "a0_itemName",
        "a0_columnValues",
        "a0_createLabels",
        "a1_boardId",
        "a1_itemId",
        "a1_columnValues",
        "a2_itemId",
      ].sort(),
    );
    expect(batch.variables.a0_columnValues).toBe(
      JSON.stringify({ text: hostile, status: { label: "Done" } }),
    );
    expect(batch.variables.a1_columnValues).toBe('{"numbers":"3"}');
  });

  it("keeps every value out of the query text", () => {
    for (const value of Object.values(batch.variables)) {
      if (typeof value === "string") expect(text).not.toContain(value);
    }
    expect(text).not.toContain("delete_board");
    expect(text).not.toContain("111");
    const definitions = parse(text).definitions;
    expect(definitions).toHaveLength(1);
    expect((definitions[0] as OperationDefinitionNode).selectionSet.selections).toHaveLength(3);
  });

  it("does not change the ops' own documents", () => {
    expect(print(ops[0]!.document)).toContain("create_item(\n");
    expect(print(ops[0]!.document)).not.toContain("a0");
  });

  it("deduplicates fragments and can add the complexity field", () => {
    const withComplexity = buildBatch([ops[0]!, ops[0]!], { withComplexity: true });
    const printed = print(withComplexity.document);
    expect(printed.match(/fragment ComplexityFields/g)).toHaveLength(1);
    expect(printed).toContain("complexity {");
  });

  it("its variables coerce against the official SDL", () => {
    const schema = officialSchema();
    const operation = batch.document.definitions.find(
      (d) => d.kind === Kind.OPERATION_DEFINITION,
    ) as OperationDefinitionNode;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], batch.variables);
    expect(coerced.errors ?? []).toEqual([]);
  });

  it("rejects what it cannot batch safely", () => {
    expect(() => buildBatch([])).toThrow();
    expect(() =>
      buildBatch([
        {
          document: parse(
            "mutation { a: archive_item(item_id: 1) { id } b: delete_item(item_id: 1) { id } }",
          ),
          variables: {},
        },
      ]),
    ).toThrow(/exactly one root field/);
    expect(() => buildBatch([{ ...ops[2]!, variables: { itemId: "1", boardId: "2" } }])).toThrow(
      /no variable \$boardId/,
    );
    const query = { document: parse("query Q { complexity { query } }"), variables: {} };
    expect(() => buildBatch([ops[2]!, query])).toThrow(/query/);
  });
});

describe("parseBatchResult", () => {
  const batch = buildBatch([
    createItemOp({ boardId: "1", itemName: "ok", columnValues: {} }),
    createItemOp({ boardId: "1", itemName: "bad", columnValues: { status: { label: "Nope" } } }),
    createItemOp({ boardId: "1", itemName: "ok too" }),
  ]);

  it("maps each alias's data or error back to its op; one bad op fails alone", () => {
    const outcomes = parseBatchResult(
      batch,
      response({ a0: { id: "10" }, a1: null, a2: { id: "12" } }, [
        {
          message: "This status label doesn't exist",
          path: ["a1"],
          extensions: { code: "ColumnValueException", error_data: { column_id: "status" } },
        },
      ]),
    );
    expect(outcomes[0]).toEqual({ ok: true, data: { id: "10" } });
    expect(outcomes[2]).toEqual({ ok: true, data: { id: "12" } });
    const failed = outcomes[1]!;
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.error).toBeInstanceOf(ColumnValueError);
    expect(failed.error).toMatchObject({ path: ["a1"], requestId: "r-1", columnId: "status" });
  });

  it("maps errors in order when the aliases come back out of order, and with data null", () => {
    const outcomes = parseBatchResult(
      batch,
      response(null, [
        { message: "b", path: ["a2"], extensions: { code: "InvalidBoardIdException" } },
        { message: "a", path: ["a0"], extensions: { code: "ItemNameTooLongException" } },
        { message: "c", path: ["a1", "id"], extensions: { code: "ColumnValueException" } },
      ]),
    );
    expect(outcomes.map((o) => (o.ok ? "ok" : o.error.message))).toEqual([
      expect.stringContaining("a (ItemNameTooLongException"),
      expect.stringContaining("c (ColumnValueException"),
      expect.stringContaining("b (InvalidBoardIdException"),
    ]);
  });

  it("gives an op with neither data nor its own error the request's error, else NO_DATA", () => {
    const withPathless = parseBatchResult(
      batch,
      response({ a0: { id: "1" }, a1: null, a2: { id: "3" } }, [
        { message: "odd", extensions: { code: "undefinedField" } },
      ]),
    );
    expect(withPathless[0]!.ok).toBe(true);
    expect(withPathless[1]!.ok ? undefined : withPathless[1]!.error).toBeInstanceOf(InvalidDataError);
    const bare = parseBatchResult(batch, response({ a0: { id: "1" }, a2: { id: "3" } }));
    expect(bare[1]!.ok ? undefined : bare[1]!.error).toBeInstanceOf(MondayError);
    expect(bare[1]!.ok ? undefined : bare[1]!.error.code).toBe("NO_DATA");
  });
});
