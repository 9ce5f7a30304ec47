import { FieldNode, getIntrospectionQuery, OperationDefinitionNode, parse, print } from 'graphql';

/** graphql's introspection query with every option on: a superset of what the playground (GraphiQL) sends. */
export const FULL_INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});

/**
 * `copies` aliased `__schema` fields sharing the full introspection through one fragment, after
 * `extra` selections: the document of issue 9 (1,000 copies is about 24 KB).
 */
export function introspectionCopies(copies: number, extra = ''): string {
  const [operation, ...fragments] = parse(FULL_INTROSPECTION).definitions;
  const schemaField = (operation as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
  const aliases = Array.from({ length: copies }, (_, i) => `s${i}: __schema { ...Schema }`).join(' ');
  return [
    `{ ${extra} ${aliases} }`,
    `fragment Schema on __Schema ${print(schemaField.selectionSet!)}`,
    ...fragments.map((fragment) => print(fragment)),
  ].join('\n');
}

/** `count` aliased `__typename` fields after `extra` selections (40,000 is the second document). */
export function typenameAliases(count: number, extra = ''): string {
  return `{ ${extra} ${Array.from({ length: count }, (_, i) => `t${i}: __typename`).join(' ')} }`;
}
