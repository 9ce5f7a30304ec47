import { DefinitionNode, FragmentDefinitionNode, Kind, parse, print, visit } from 'graphql';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The playground's first tabs: the example operations of `operations/*.graphql` (the documents
 * frontends use, typed in operations/generated.ts), one tab per file, `me.graphql` first under a
 * welcome comment. Each tab is complete: the fragments it spreads from other files come along.
 */

/** Whether the playground holds a token from the start: it tells the welcome comment what to say. */
export type TokenHint = { email: string } | undefined;

export function welcomeComment(token: TokenHint): string {
  const who = token
    ? ['# The Headers tab below holds the token of the demo admin,', `# ${token.email}.`]
    : ['# Put a token in the Headers tab below:', '#   {"Authorization": "Bearer <token>"}'];
  return [
    '# Welcome to the crm-archive playground.',
    '#',
    ...who,
    '# To act as another user, print their token with',
    '#   npm run token -- bob@acme.test',
    '# and put it there instead.',
    '#',
    '# Each tab holds one file of operations/: the documents',
    '# a frontend uses, typed in operations/generated.ts.',
    '# Press run and pick an operation; a subscription',
    '# (DeletionEvents) stays open over WebSocket.',
    '# The book icon (left) documents every type and field.',
    '',
    '',
  ].join('\n');
}

// src/ui in tests, dist/src/ui when built: operations/ is at the repository's root.
const OPERATIONS_DIR = [
  path.resolve(__dirname, '../../operations'),
  path.resolve(__dirname, '../../../operations'),
].find(existsSync);

let documents: string[] | undefined;

/** The tabs' documents, read once: `me.graphql` first, then the other files by name. */
export function operationDocuments(): string[] {
  documents ??= readOperations();
  return documents;
}

function readOperations(): string[] {
  if (!OPERATIONS_DIR) return [];
  const files = readdirSync(OPERATIONS_DIR)
    .filter((file) => file.endsWith('.graphql'))
    .sort((a, b) => Number(b === 'me.graphql') - Number(a === 'me.graphql') || a.localeCompare(b));
  const parsed = files.map((file) => parse(readFileSync(path.join(OPERATIONS_DIR, file), 'utf8')).definitions);
  const fragments = new Map(
    parsed
      .flat()
      .flatMap((definition) =>
        definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition]] : [],
      ),
  );
  return parsed.map((definitions) => tabDocument(definitions, fragments));
}

/** Operations first (GraphiQL names the tab after the first one), then every fragment they need. */
function tabDocument(definitions: readonly DefinitionNode[], fragments: Map<string, FragmentDefinitionNode>): string {
  const operations = definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const needed = new Set<string>();
  const collect = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        if (needed.has(spread.name.value)) return;
        needed.add(spread.name.value);
        const fragment = fragments.get(spread.name.value);
        if (fragment) collect(fragment);
      },
    });
  operations.forEach(collect);
  const used = [...needed].flatMap((name) => fragments.get(name) ?? []);
  return [...operations, ...used].map((definition) => print(definition)).join('\n\n') + '\n';
}
