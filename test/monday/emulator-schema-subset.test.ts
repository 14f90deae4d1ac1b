// CI's guard that the emulator speaks monday's API: its SDL must be a subset of the official one, name for
// name and type for type (String(type) of graphql-js), so documents valid on the emulator are valid on monday.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
} from "graphql";
import type {
  GraphQLArgument,
  GraphQLInputField,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLSchema,
} from "graphql";
import { describe, expect, it } from "vitest";
import { officialSchema } from "../helpers/official-sdl.js";
import { createRootValue } from "../../src/emulator/resolvers.js";

const repoRoot = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const emulatorSdl = path.resolve(repoRoot, "src/emulator/schema.graphql");

function kindOf(type: GraphQLNamedType): string {
  if (isObjectType(type)) return "object";
  if (isInterfaceType(type)) return "interface";
  if (isUnionType(type)) return "union";
  if (isEnumType(type)) return "enum";
  if (isInputObjectType(type)) return "input";
  return "scalar";
}

function defaultOf(value: GraphQLArgument | GraphQLInputField): string {
  return value.defaultValue === undefined ? "(none)" : JSON.stringify(value.defaultValue);
}

function compareValues(
  where: string,
  sub: readonly (GraphQLArgument | GraphQLInputField)[],
  sup: readonly (GraphQLArgument | GraphQLInputField)[],
  problems: string[],
): void {
  const official = new Map(sup.map((a) => [a.name, a]));
  for (const value of sub) {
    const match = official.get(value.name);
    if (!match) {
      problems.push(`${where}(${value.name}): not in the official SDL`);
      continue;
    }
    if (String(value.type) !== String(match.type)) {
      problems.push(`${where}(${value.name}): type ${String(value.type)}, official ${String(match.type)}`);
    }
    if (defaultOf(value) !== defaultOf(match)) {
      problems.push(`${where}(${value.name}): default ${defaultOf(value)}, official ${defaultOf(match)}`);
    }
  }
}

/** Every way `sub` is not a subset of `sup`, one line each. */
export function subsetProblems(sub: GraphQLSchema, sup: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const [root, subType, supType] of [
    ["query", sub.getQueryType(), sup.getQueryType()],
    ["mutation", sub.getMutationType(), sup.getMutationType()],
    ["subscription", sub.getSubscriptionType(), sup.getSubscriptionType()],
  ] as const) {
    if (subType && subType.name !== supType?.name) {
      problems.push(`${root} root type ${subType.name}, official ${supType?.name ?? "(none)"}`);
    }
  }
  for (const type of Object.values(sub.getTypeMap())) {
    if (type.name.startsWith("__") || (isScalarType(type) && isSpecifiedScalarType(type))) continue;
    const official = sup.getType(type.name);
    if (!official) {
      problems.push(`type ${type.name}: not in the official SDL`);
      continue;
    }
    if (kindOf(type) !== kindOf(official)) {
      problems.push(`type ${type.name}: ${kindOf(type)}, official ${kindOf(official)}`);
      continue;
    }
    if (
      (isObjectType(type) || isInterfaceType(type)) &&
      (isObjectType(official) || isInterfaceType(official))
    ) {
      const fields = official.getFields();
      for (const field of Object.values(type.getFields())) {
        const match = fields[field.name];
        if (!match) {
          problems.push(`${type.name}.${field.name}: not in the official SDL`);
          continue;
        }
        if (String(field.type) !== String(match.type)) {
          problems.push(
            `${type.name}.${field.name}: type ${String(field.type)}, official ${String(match.type)}`,
          );
        }
        compareValues(`${type.name}.${field.name}`, field.args, match.args, problems);
      }
      const interfaces = new Set(official.getInterfaces().map((i) => i.name));
      for (const implemented of type.getInterfaces()) {
        if (!interfaces.has(implemented.name)) {
          problems.push(`${type.name} implements ${implemented.name}: not in the official SDL`);
        }
      }
    }
    if (isInputObjectType(type) && isInputObjectType(official)) {
      compareValues(
        type.name,
        Object.values(type.getFields()),
        Object.values(official.getFields()),
        problems,
      );
    }
    if (isEnumType(type) && isEnumType(official)) {
      const values = new Set(official.getValues().map((v) => v.name));
      for (const value of type.getValues()) {
        if (!values.has(value.name))
          problems.push(`enum ${type.name}.${value.name}: not in the official SDL`);
      }
    }
    if (isUnionType(type) && isUnionType(official)) {
      const members = new Set(official.getTypes().map((t) => t.name));
      for (const member of type.getTypes()) {
        if (!members.has(member.name))
          problems.push(`union ${type.name} | ${member.name}: not in the official SDL`);
      }
    }
  }
  return problems;
}

describe("emulator schema", () => {
  it("is a subset of the official 2026-10 SDL (types, fields, arguments, defaults, enums, interfaces)", () => {
    const official = officialSchema();
    const emulator = buildSchema(readFileSync(emulatorSdl, "utf8"));
    const problems = subsetProblems(emulator, official);
    expect(problems, `emulator SDL differs from the official SDL:\n${problems.join("\n")}`).toEqual([]);
  });

  it("serves every root field it declares; prints its coverage of the official Query and Mutation fields", () => {
    const official = officialSchema();
    const emulator = buildSchema(readFileSync(emulatorSdl, "utf8"));
    const resolvers = createRootValue();
    const fieldsOf = (schema: GraphQLSchema, root: "Query" | "Mutation") =>
      Object.keys((schema.getType(root) as GraphQLObjectType).getFields());
    const coverage = (["Query", "Mutation"] as const).map((root) => {
      const declared = fieldsOf(emulator, root);
      const unserved = declared.filter((field) => typeof resolvers[field] !== "function");
      expect(unserved, `${root} fields the emulator declares but does not resolve`).toEqual([]);
      return { root, served: declared.length, of: fieldsOf(official, root).length };
    });
    const undeclared = Object.keys(resolvers).filter(
      (name) => !fieldsOf(emulator, "Query").includes(name) && !fieldsOf(emulator, "Mutation").includes(name),
    );
    expect(undeclared, "resolvers with no field in the emulator's SDL").toEqual([]);
    const [query, mutation] = coverage;
    console.log(
      `emulator serves ${query?.served}/${query?.of} Query fields and ${mutation?.served}/${mutation?.of} Mutation fields of the 2026-10 SDL`,
    );
    expect(query?.served).toBeGreaterThan(0);
    expect(mutation?.served).toBeGreaterThan(0);
  });

  it("flags every kind of difference (self-check on a made-up schema)", () => {
    const official = buildSchema(`
      interface Node { id: ID! }
      type Item implements Node { id: ID! name: String! items(limit: Int = 25): [Item] }
      enum State { active archived }
      input Q { column_id: String! }
      type Query { items(ids: [ID!], limit: Int = 25): [Item] state: State }
    `);
    const emulator = buildSchema(`
      interface Node { id: ID! }
      interface Other { id: ID! }
      type Item implements Node & Other { id: ID! name: String items(limit: Int = 50): [Item] extra: Int }
      enum State { active archived deleted }
      input Q { column_id: String }
      type Query { items(ids: [ID], limit: Int = 25, page: Int): [Item] state: State }
    `);
    expect(subsetProblems(emulator, official).sort()).toEqual(
      [
        "type Other: not in the official SDL",
        "Item.name: type String, official String!",
        "Item.items(limit): default 50, official 25",
        "Item.extra: not in the official SDL",
        "Item implements Other: not in the official SDL",
        "enum State.deleted: not in the official SDL",
        "Q(column_id): type String, official String!",
        "Query.items(ids): type [ID], official [ID!]",
        "Query.items(page): not in the official SDL",
      ].sort(),
    );
    expect(subsetProblems(official, official)).toEqual([]);
  });
});
