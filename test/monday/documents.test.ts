import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Kind, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { documentNames, loadDocument } from "../../src/monday/documents.js";
import { buildBatch } from "../../src/monday/batch.js";
import {
  archiveItemOp,
  moveItemToGroupOp,
  changeColumnValuesOp,
  createItemOp,
  createSubitemOp,
  deleteItemOp,
} from "../../src/monday/client.js";
import { officialSchema as official } from "../helpers/official-sdl.js";

const repoRoot = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));

function messages(errors: readonly { message: string }[]): string[] {
  return errors.map((e) => e.message);
}

describe("monday documents", () => {
  it("loads every document with its fragments resolved and a single named operation", () => {
    for (const name of documentNames()) {
      const doc = loadDocument(name);
      const operations = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      expect(operations).toHaveLength(1);
      expect(loadDocument(name)).toBe(doc);
    }
  });

  it("lists every operation file under queries/ and mutations/", () => {
    const folder = path.resolve(repoRoot, "src/monday/documents");
    const files = ["queries", "mutations"].flatMap((dir) =>
      readdirSync(path.join(folder, dir)).map((f) => `${dir}/${f}`),
    );
    const operationNames = files.map((file) => {
      const text = readFileSync(path.join(folder, file), "utf8");
      return /(?:query|mutation)\s+(\w+)/.exec(text)?.[1];
    });
    expect(operationNames.sort()).toEqual([...documentNames()].sort());
  });

  it("never reads the deprecated settings_str", () => {
    for (const name of documentNames()) {
      expect(JSON.stringify(loadDocument(name))).not.toContain("settings_str");
    }
  });

  it.each(documentNames())("%s validates against the official 2026-10 SDL", (name) => {
    expect(messages(validate(official(), loadDocument(name)))).toEqual([]);
  });

  const mutationOps = {
    CreateItem: createItemOp({
      boardId: "1",
      groupId: "topics",
      itemName: "PO-1",
      columnValues: { status: { label: "Done" } },
      createLabels: true,
    }),
    ChangeColumnValues: changeColumnValuesOp({ boardId: "1", itemId: "2", columnValues: { text: "x" } }),
    CreateSubitem: createSubitemOp({ parentItemId: "2", itemName: "S", columnValues: {} }),
    ArchiveItem: archiveItemOp({ itemId: "2" }),
    MoveItemToGroup: moveItemToGroupOp({ itemId: "2", groupId: "topics" }),
    DeleteItem: deleteItemOp({ itemId: "2" }),
  };

  it.each(Object.keys(mutationOps))("a batch of %s ops validates against the official SDL", (name) => {
    const op = mutationOps[name as keyof typeof mutationOps];
    const batch = buildBatch([op, op, op]);
    expect(messages(validate(official(), batch.document))).toEqual([]);
  });

  it("a mixed batch with complexity validates against the official SDL", () => {
    const batch = buildBatch(Object.values(mutationOps), { withComplexity: true });
    expect(messages(validate(official(), batch.document))).toEqual([]);
  });
});
