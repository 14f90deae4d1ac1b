import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSchema, type GraphQLSchema } from "graphql";

/** monday.com's official SDL of API version 2026-10, vendored in the repository (docs/monday/README.md). */
export const officialSdlPath = fileURLToPath(
  new URL("../../docs/monday/schema-2026-10.graphql", import.meta.url),
);

let schema: GraphQLSchema | undefined;

/** The official schema, built once per test file. */
export function officialSchema(): GraphQLSchema {
  schema ??= buildSchema(readFileSync(officialSdlPath, "utf8"));
  return schema;
}
