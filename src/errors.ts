import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

/** The only error codes a client ever sees (DESIGN §2 rule 11). */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/**
 * A refusal the client can act on: a code from ErrorCode, a sentence saying what was wrong and
 * what to do, and optional details (e.g. the offending refs). Services throw it; the GraphQL
 * layer passes it through unchanged.
 */
export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { code, ...details } });
    this.name = 'AppError';
  }
}

const PUBLIC_CODES = new Set<string>(Object.values(ErrorCode));
// Apollo's own validation and parsing codes; they are all the client's fault.
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
]);

/**
 * Maps every error to one of ErrorCode before it leaves the server. Unknown errors become
 * INTERNAL_SERVER_ERROR with a generic message: no stack, SQL or driver text outside development.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  development: boolean,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const code = String(formatted.extensions?.code ?? '');
  if (original instanceof AppError || PUBLIC_CODES.has(code)) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions: development ? formatted.extensions : extensions };
  }
  // A GraphQLError without a path comes from parsing, validation or variable coercion.
  if (CLIENT_CODES.has(code) || (original instanceof GraphQLError && !formatted.path)) {
    return {
      message: formatted.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.BAD_USER_INPUT },
    };
  }
  if (development)
    return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } };
  return {
    message: 'Internal server error',
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
