import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import {
  DocumentNode,
  ExecutionArgs,
  GraphQLError,
  GraphQLSchema,
  parse,
  ParseOptions,
  specifiedRules,
  validate,
  ValidationRule,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { ErrorCode } from '../../errors';
import { costLimit, depthLimit, introspectionLimit } from './query-limits';

/**
 * Every limit an operation must keep, in one place: HTTP (Apollo) and WebSocket (graphql-ws)
 * both take theirs from here, so the two transports cannot drift apart.
 */
export const QUERY_LIMITS = {
  /** Tokens per document, counted while parsing: ten times the largest operation in operations/ (192). */
  maxTokens: 2_000,
  /** Aliases per operation, `__typename` included; operations/ uses none. */
  maxAliases: 50,
  /** Directives per operation; operations/ uses none. */
  maxDirectives: 20,
  maxDepth: 10,
  /** The playground's introspection query is 15 levels deep (type references nest `ofType` nine times). */
  maxIntrospectionDepth: 20,
  /** About seven times the costliest operation in operations/ (a page of 200 deletions with every field). */
  maxCost: 50_000,
  /** About five times the playground's full introspection of today's schema (~4,000 fields). */
  maxIntrospectionFields: 20_000,
} as const;

/** graphql-armor rejects through this, so its refusals carry our code like every other limit's. */
const reportRefusal: GraphQLArmorRejectCallback = (context, error) =>
  context?.reportError(
    new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
      extensions: { code: ErrorCode.BAD_USER_INPUT },
    }),
  );

/** Alias and directive counts from graphql-armor (fragment-aware); none of its other rules. */
const ARMOR_RULES = new ApolloArmor({
  blockFieldSuggestion: { enabled: false },
  maxTokens: { enabled: false },
  costLimit: { enabled: false },
  maxDepth: { enabled: false },
  maxAliases: { n: QUERY_LIMITS.maxAliases, allowList: [], propagateOnRejection: false, onReject: [reportRefusal] },
  maxDirectives: { n: QUERY_LIMITS.maxDirectives, propagateOnRejection: false, onReject: [reportRefusal] },
}).protect().validationRules;

/** The validation rules of every limit but tokens (those stop the parser itself). */
export const QUERY_LIMIT_RULES: readonly ValidationRule[] = [
  ...ARMOR_RULES,
  depthLimit(QUERY_LIMITS.maxDepth, QUERY_LIMITS.maxIntrospectionDepth),
  costLimit(QUERY_LIMITS.maxCost),
  introspectionLimit(QUERY_LIMITS.maxIntrospectionFields),
];

/** Parser options: graphql stops reading a document at its token limit, before building the tree. */
export const QUERY_PARSE_OPTIONS: ParseOptions = { maxTokens: QUERY_LIMITS.maxTokens };

/** A parse or validation error is the client's: it gets BAD_USER_INPUT unless it already has a code. */
function asBadInput(error: GraphQLError): GraphQLError {
  if (error.extensions.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code: ErrorCode.BAD_USER_INPUT },
  });
}

/**
 * graphql-ws's `onSubscribe`: parses with the token limit and validates with `rules`, the same
 * list as HTTP's. A refused operation gets an `error` message with BAD_USER_INPUT; the socket stays open
 * (graphql-ws's own `parse` option would close it on a syntax error).
 */
export function limitedOperation(schema: GraphQLSchema, rules: readonly ValidationRule[] = QUERY_LIMIT_RULES) {
  const valid = new ValidDocuments();
  return (_ctx: unknown, _id: string, payload: SubscribePayload): ExecutionArgs | readonly GraphQLError[] => {
    let document = valid.get(payload.query);
    if (!document) {
      try {
        document = parse(payload.query, QUERY_PARSE_OPTIONS);
      } catch (error) {
        if (error instanceof GraphQLError) return [asBadInput(error)];
        throw error;
      }
      const errors = validate(schema, document, [...specifiedRules, ...rules]);
      if (errors.length > 0) return errors.map(asBadInput);
      valid.add(payload.query, document);
    }
    return {
      schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
    };
  };
}

/**
 * Documents already parsed and validated, by text: thousands of clients send the same few
 * subscriptions, and each parse costs a tree (~tens of KB, kept for the subscription's life) and a
 * validation. Equal text gives an equal document and the same verdict under the same rules.
 * Bounded, oldest first out, so clients sending ever new documents cannot grow it.
 */
class ValidDocuments {
  private static readonly MAX = 1_000;
  private readonly documents = new Map<string, DocumentNode>();

  get(text: string): DocumentNode | undefined {
    return this.documents.get(text);
  }

  add(text: string, document: DocumentNode): void {
    if (this.documents.size >= ValidDocuments.MAX) this.documents.delete(this.documents.keys().next().value!);
    this.documents.set(text, document);
  }
}
