import { GraphQLError, GraphQLFormattedError } from 'graphql';

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

/** What an unknown error says to the client outside development: nothing but where to look it up. */
export const INTERNAL_MESSAGE = 'Internal server error';

/** The answer to a failure the client cannot act on; `requestId` finds the logged original. */
export function internalError(requestId: string): AppError {
  return new AppError(ErrorCode.INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE, { requestId });
}

// Codes Apollo and type-graphql give errors that are the client's fault: parsing, validation,
// variable coercion and argument validation. Only trusted on their own GraphQLErrors (see below).
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  ErrorCode.BAD_USER_INPUT,
]);

/**
 * The error under every GraphQLError wrapper: graphql wraps a resolver's error with its path,
 * graphql-ws wraps one that ends a subscription's stream (without a path), Apollo wraps context
 * failures. What is at the bottom decides whether the client may read it.
 */
export function innermostError(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && !(current instanceof AppError) && current.originalError)
    current = current.originalError;
  return current;
}

/**
 * Whether an error is one of ours: an AppError, or a GraphQLError from parsing, validation or
 * coercion. Anything else (a driver error, a bug, Apollo's "Context creation failed") is not,
 * even when Apollo has already labelled it INTERNAL_SERVER_ERROR.
 */
export function isPublicError(error: unknown, formatted: GraphQLFormattedError): boolean {
  const original = innermostError(error);
  if (original instanceof AppError) return true;
  if (!(original instanceof GraphQLError)) return false;
  // graphql-js's own errors (validation, an unknown operation) wrap nothing and point at no field.
  return CLIENT_CODES.has(String(formatted.extensions?.code)) || (!original.originalError && !formatted.path);
}

/**
 * Maps every error to one of ErrorCode before it leaves the server (HTTP and WebSocket alike).
 * Unknown errors become INTERNAL_SERVER_ERROR with a generic message: no stack, SQL or driver
 * text outside development. The request id is added by the caller, which knows the request.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  development: boolean,
): GraphQLFormattedError {
  if (isPublicError(error, formatted)) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    // Ours keep their code; parsing, validation and coercion errors are all the client's fault.
    const code = innermostError(error) instanceof AppError ? extensions.code : ErrorCode.BAD_USER_INPUT;
    return { ...formatted, extensions: { ...(development ? formatted.extensions : extensions), code } };
  }
  if (development)
    return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } };
  return { message: INTERNAL_MESSAGE, path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}
