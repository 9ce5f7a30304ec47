import { GraphQLObjectType } from 'graphql';
import type { GraphQLRequestBody } from './fuzz-documents';
import { Random, wrongType } from './fuzz-random';

/**
 * Document-level attacks on an otherwise generated document: broken syntax, deep nesting,
 * directive floods, fragment cycles and exponential fragments, several operations. With
 * `keepRefusal` (mutations) only changes that cannot turn a refused document into an accepted one.
 */
export function documentHostility(
  document: string,
  root: GraphQLObjectType,
  random: Random,
  keepRefusal: boolean,
): string {
  const attack = random.weighted<string>([
    [30, 'none'],
    [2, 'truncate'],
    [keepRefusal ? 0 : 2, 'garbage'],
    [1, 'deep fragments'],
    [1, 'directives'],
    [1, 'two operations'],
    [keepRefusal ? 0 : 1, 'fragment cycle'],
    [keepRefusal ? 0 : 1, 'exponential fragments'],
  ]);
  const body = document.slice(document.indexOf('{'));
  const head = document.slice(0, document.indexOf('{'));
  switch (attack) {
    case 'truncate':
      // Any proper prefix drops the final brace at least, so it never parses.
      return document.slice(0, random.int(0, document.length - 1));
    case 'garbage': {
      const at = random.int(0, document.length);
      return document.slice(0, at) + random.codeUnits(random.int(1, 8)) + document.slice(at);
    }
    case 'deep fragments': {
      const depth = random.pick([20, 300, 5000]);
      return `${head}${`{ ... on ${root.name} `.repeat(depth)}${body}${' }'.repeat(depth)}`;
    }
    case 'directives': {
      // On an inline fragment around the whole selection: a place where @include and @skip are allowed.
      const directive = random.pick(['@include(if: true) ', '@skip(if: false) ', '@fuzzUnknown ', '@deprecated ']);
      return `${head}{ ... on ${root.name} ${directive.repeat(random.pick([2, 60, 3000]))}${body} }`;
    }
    case 'two operations':
      return `${document} query Other { __typename }`;
    case 'fragment cycle':
      return `${document.replace(/\}\s*$/, ' ...FuzzA }')} fragment FuzzA on ${root.name} { ...FuzzB } fragment FuzzB on ${root.name} { ...FuzzA }`;
    case 'exponential fragments':
      return exponentialFragments(document, root.name, random.pick([10, 30]));
    default:
      return document;
  }
}

/** Fragment Fi spreads F(i+1) twice: naive expansion is 2^levels fields. */
function exponentialFragments(document: string, rootName: string, levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) =>
    i === levels - 1
      ? `fragment F${i} on ${rootName} { __typename }`
      : `fragment F${i} on ${rootName} { ...F${i + 1} a${i}: __typename ...F${i + 1} }`,
  );
  return `${document.replace(/\}\s*$/, ' ...F0 }')} ${fragments.join(' ')}`;
}

/**
 * Request-level attacks: query, variables, operationName or extensions of the wrong shape. For a
 * mutation (`keepRefusal`) only those that still refuse it: its variables stay, since a dropped
 * variable could carry its poison away.
 */
export function requestHostility(body: GraphQLRequestBody, random: Random, keepRefusal: boolean): GraphQLRequestBody {
  const attack = random.weighted<string>([
    [40, 'none'],
    [1, 'query of the wrong type'],
    [keepRefusal ? 0 : 2, 'variables of the wrong type'],
    [1, 'unknown operation name'],
    [1, 'operation name of the wrong type'],
    [1, 'persisted query'],
  ]);
  switch (attack) {
    case 'query of the wrong type':
      return { ...body, query: random.pick([null, 42, ['{ me { id } }'], { query: '{ me { id } }' }, undefined]) };
    case 'variables of the wrong type':
      return { ...body, variables: random.pick(['{', '{"a":1}', 42, [1, 2], true]) };
    case 'unknown operation name':
      return { ...body, operationName: 'FuzzNoSuchOperation' };
    case 'operation name of the wrong type':
      return { ...body, operationName: wrongType(random) ?? 42 };
    case 'persisted query':
      // A hash that does not match the query: Apollo's automatic persisted queries must refuse it.
      return { ...body, extensions: { persistedQuery: { version: 1, sha256Hash: random.bytes(32).toString('hex') } } };
    default:
      return body;
  }
}
