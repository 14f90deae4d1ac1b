// Aliased batches: several single-field operations merged into one request by rewriting their ASTs.
// monday has no bulk create; it runs the aliased fields of one request one after the other, and each alias
// can fail on its own (its error `path[0]` names the alias) while the others succeed.
import { Kind, print, visit } from "graphql";
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  OperationDefinitionNode,
  OperationTypeNode,
  SelectionNode,
  VariableDefinitionNode,
} from "graphql";
import { fragments } from "./documents.js";
import { MondayError, classifyGraphQLError } from "./errors.js";
import type { MondayGraphQLError, MondayResponse } from "./transport.js";

/** One operation of a batch: a document with a single root field, and its variables (by their own names). */
export interface BatchOp {
  document: DocumentNode;
  variables: Record<string, unknown>;
}

/** A merged request: send `document` with `variables`; `aliases[i]` is op i's root field. */
export interface Batch {
  document: DocumentNode;
  variables: Record<string, unknown>;
  aliases: string[];
}

/** The result of one op of a batch: its root field's data, or the error that failed it alone. */
export type BatchOutcome = { ok: true; data: unknown } | { ok: false; error: MondayError };

/** Options of `buildBatch`. */
export interface BuildBatchOptions {
  /**
   * Also select `complexity { ...ComplexityFields }` (monday's Query and Mutation both have it), so the
   * budget tracker sees what the batch cost.
   */
  withComplexity?: boolean;
}

/** The alias of op `index`: `a0`, `a1`, ... */
export function batchAlias(index: number): string {
  return `a${index}`;
}

/**
 * Merges single-root-field operations into one operation: op i's root field is aliased `a{i}` and its
 * variables renamed `$a{i}_<name>`; fragments are deduplicated. Values stay in `variables`, never in the text.
 *
 * @example
 * const batch = buildBatch([createItemOp({ boardId: "1", itemName: "PO-1", columnValues: {} }), ...]);
 * const response = await transport.request(batch.document, batch.variables);
 * const outcomes = parseBatchResult(batch, response);
 */
export function buildBatch(ops: readonly BatchOp[], options: BuildBatchOptions = {}): Batch {
  if (ops.length === 0) throw new Error("buildBatch needs at least one operation");
  let operationType: OperationTypeNode | undefined;
  const variableDefinitions: VariableDefinitionNode[] = [];
  const selections: SelectionNode[] = [];
  const variables: Record<string, unknown> = {};
  const fragmentsByName = new Map<string, FragmentDefinitionNode>();
  const aliases: string[] = [];

  ops.forEach((op, index) => {
    const alias = batchAlias(index);
    const operation = singleOperation(op.document, index);
    if (operationType !== undefined && operation.operation !== operationType) {
      throw new Error(`Batch op ${index} is a ${operation.operation}, the others are ${operationType}s`);
    }
    operationType = operation.operation;
    const prefix = `${alias}_`;
    const renamed = visit(operation, {
      Variable: (node) => ({ ...node, name: { ...node.name, value: prefix + node.name.value } }),
    });
    variableDefinitions.push(...(renamed.variableDefinitions ?? []));
    selections.push(aliasedRootField(renamed, alias, index));
    Object.assign(variables, renameVariables(operation, op.variables, prefix, index));
    for (const definition of op.document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) addFragment(fragmentsByName, definition);
    }
    aliases.push(alias);
  });

  if (options.withComplexity) {
    const complexityFields = fragments().get("ComplexityFields");
    if (!complexityFields) throw new Error("Fragment ComplexityFields is missing from documents/fragments");
    selections.push(complexityField());
    addFragment(fragmentsByName, complexityFields);
  }

  const merged: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: operationType as OperationTypeNode,
    name: { kind: Kind.NAME, value: "Batch" },
    variableDefinitions,
    directives: [],
    selectionSet: { kind: Kind.SELECTION_SET, selections },
  };
  return {
    document: { kind: Kind.DOCUMENT, definitions: [merged, ...fragmentsByName.values()] },
    variables,
    aliases,
  };
}

/**
 * Maps a batch response back to its ops, in order: each alias's data, or the error whose `path[0]` is that
 * alias. An error that names no alias fails every op left without data.
 */
export function parseBatchResult(batch: Batch, response: MondayResponse<unknown>): BatchOutcome[] {
  const data = (typeof response.data === "object" && response.data !== null ? response.data : {}) as Record<
    string,
    unknown
  >;
  const aliasSet = new Set(batch.aliases);
  const errorsByAlias = new Map<string, MondayGraphQLError>();
  const unplaced: MondayGraphQLError[] = [];
  for (const error of response.errors) {
    const head = error.path?.[0];
    if (typeof head === "string" && aliasSet.has(head)) {
      if (!errorsByAlias.has(head)) errorsByAlias.set(head, error);
    } else {
      unplaced.push(error);
    }
  }
  const headers = { "x-request-id": response.headers.requestId };
  return batch.aliases.map((alias): BatchOutcome => {
    const own = errorsByAlias.get(alias) ?? (data[alias] == null ? unplaced[0] : undefined);
    if (own !== undefined) return { ok: false, error: classifyGraphQLError(own, response.status, headers) };
    if (data[alias] == null) {
      return {
        ok: false,
        error: new MondayError(`monday.com returned no data for ${alias}`, {
          code: "NO_DATA",
          statusCode: response.status,
          requestId: response.headers.requestId,
          path: [alias],
        }),
      };
    }
    return { ok: true, data: data[alias] };
  });
}

function singleOperation(document: DocumentNode, index: number): OperationDefinitionNode {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length !== 1) throw new Error(`Batch op ${index} must hold exactly one operation`);
  return operations[0] as OperationDefinitionNode;
}

function aliasedRootField(operation: OperationDefinitionNode, alias: string, index: number): FieldNode {
  const [field, ...rest] = operation.selectionSet.selections;
  if (field?.kind !== Kind.FIELD || rest.length > 0) {
    throw new Error(`Batch op ${index} must select exactly one root field`);
  }
  return { ...field, alias: { kind: Kind.NAME, value: alias } };
}

function renameVariables(
  operation: OperationDefinitionNode,
  values: Record<string, unknown>,
  prefix: string,
  index: number,
): Record<string, unknown> {
  const declared = new Set((operation.variableDefinitions ?? []).map((d) => d.variable.name.value));
  const renamed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (!declared.has(name)) throw new Error(`Batch op ${index} has no variable $${name}`);
    if (value !== undefined) renamed[prefix + name] = value;
  }
  return renamed;
}

function addFragment(byName: Map<string, FragmentDefinitionNode>, fragment: FragmentDefinitionNode): void {
  let usesVariables = false;
  visit(fragment, {
    Variable() {
      usesVariables = true;
    },
  });
  // Variables are renamed per op, so a shared fragment cannot refer to them.
  if (usesVariables)
    throw new Error(`Fragment ${fragment.name.value} uses variables; batches cannot share it`);
  const existing = byName.get(fragment.name.value);
  if (existing === undefined) byName.set(fragment.name.value, fragment);
  else if (print(existing) !== print(fragment)) {
    throw new Error(`Two different fragments named ${fragment.name.value} in one batch`);
  }
}

function complexityField(): FieldNode {
  return {
    kind: Kind.FIELD,
    name: { kind: Kind.NAME, value: "complexity" },
    arguments: [],
    directives: [],
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [
        { kind: Kind.FRAGMENT_SPREAD, name: { kind: Kind.NAME, value: "ComplexityFields" }, directives: [] },
      ],
    },
  };
}
