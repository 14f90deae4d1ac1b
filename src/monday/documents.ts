// Loads the `.graphql` documents under ./documents: one operation a file, fragments resolved from ./documents/fragments.
import { readFileSync, readdirSync } from "node:fs";
import { Kind, parse, visit } from "graphql";
import type { DefinitionNode, DocumentNode, FragmentDefinitionNode, OperationDefinitionNode } from "graphql";

/** Where each named operation lives, relative to ./documents (the file holds exactly that operation). */
const DOCUMENT_FILES = {
  GetBoards: "queries/get-boards.graphql",
  ListBoards: "queries/list-boards.graphql",
  GetBoardItems: "queries/get-board-items.graphql",
  NextItemsPage: "queries/next-items-page.graphql",
  FindItemsByColumnValue: "queries/find-items-by-column-value.graphql",
  GetComplexity: "queries/get-complexity.graphql",
  GetBoardItemCounts: "queries/get-board-item-counts.graphql",
  GetBoardKeys: "queries/get-board-keys.graphql",
  NextKeysPage: "queries/next-keys-page.graphql",
  CreateItem: "mutations/create-item.graphql",
  ChangeColumnValues: "mutations/change-column-values.graphql",
  CreateSubitem: "mutations/create-subitem.graphql",
  ArchiveItem: "mutations/archive-item.graphql",
  MoveItemToGroup: "mutations/move-item-to-group.graphql",
  DeleteItem: "mutations/delete-item.graphql",
  CreateGroup: "mutations/create-group.graphql",
  GetWebhooks: "queries/get-webhooks.graphql",
  GetMe: "queries/get-me.graphql",
  GetActivityLogs: "queries/get-activity-logs.graphql",
  CreateWebhook: "mutations/create-webhook.graphql",
  DeleteWebhook: "mutations/delete-webhook.graphql",
  IngestItems: "mutations/ingest-items.graphql",
  BackfillItems: "mutations/backfill-items.graphql",
  FetchJobStatus: "queries/fetch-job-status.graphql",
} as const;

/** The name of an operation shipped in ./documents, e.g. `"CreateItem"`. */
export type DocumentName = keyof typeof DOCUMENT_FILES;

const documentsRoot = new URL("./documents/", import.meta.url);
const cache = new Map<DocumentName, DocumentNode>();
let fragmentIndex: Map<string, FragmentDefinitionNode> | undefined;

/** Every operation name `loadDocument` accepts. */
export function documentNames(): DocumentName[] {
  return Object.keys(DOCUMENT_FILES) as DocumentName[];
}

/**
 * The parsed operation `name`, with every fragment it spreads (transitively) appended, cached.
 *
 * @example
 * const doc = loadDocument("CreateItem");
 * await transport.request(doc, { boardId: "1", itemName: "PO-1", columnValues: "{}" });
 */
export function loadDocument(name: DocumentName): DocumentNode {
  const cached = cache.get(name);
  if (cached) return cached;
  const file = DOCUMENT_FILES[name];
  if (file === undefined) throw new Error(`Unknown monday document "${String(name)}"`);
  const parsed = parse(readFileSync(new URL(file, documentsRoot), "utf8"));
  const operations = parsed.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length !== 1 || operations[0]?.name?.value !== name) {
    throw new Error(`${file} must hold exactly one operation, named ${name}`);
  }
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [...parsed.definitions, ...resolveFragments(parsed.definitions, fragments())],
  };
  cache.set(name, document);
  return document;
}

/** The fragment definitions that `definitions` spread and do not define themselves, transitively, in first-use order. */
export function resolveFragments(
  definitions: readonly DefinitionNode[],
  available: ReadonlyMap<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const defined = new Set(
    definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => d.name.value),
  );
  const added: FragmentDefinitionNode[] = [];
  const queue = definitions.flatMap(spreadNames);
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (defined.has(next)) continue;
    const fragment = available.get(next);
    if (!fragment) throw new Error(`Fragment ${next} is not defined in documents/fragments`);
    defined.add(next);
    added.push(fragment);
    queue.push(...spreadNames(fragment));
  }
  return added;
}

function spreadNames(node: DefinitionNode): string[] {
  const names: string[] = [];
  visit(node, {
    FragmentSpread(spread) {
      names.push(spread.name.value);
    },
  });
  return names;
}

/** All fragments of ./documents/fragments by name, parsed once. */
export function fragments(): ReadonlyMap<string, FragmentDefinitionNode> {
  if (fragmentIndex) return fragmentIndex;
  const folder = new URL("fragments/", documentsRoot);
  const index = new Map<string, FragmentDefinitionNode>();
  for (const file of readdirSync(folder).filter((f) => f.endsWith(".graphql"))) {
    for (const definition of parse(readFileSync(new URL(file, folder), "utf8")).definitions) {
      if (definition.kind !== Kind.FRAGMENT_DEFINITION) {
        throw new Error(`fragments/${file} may hold fragments only`);
      }
      if (index.has(definition.name.value))
        throw new Error(`Fragment ${definition.name.value} defined twice`);
      index.set(definition.name.value, definition);
    }
  }
  fragmentIndex = index;
  return index;
}
