import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { AppError, ErrorCode, INTERNAL_MESSAGE } from '../errors';

/** The `extensions` a client reads for an AppError: its details, then its code (which no detail overrides). */
function extensionsOf(error: AppError): Record<string, unknown> {
  return { ...error.details, code: error.code };
}

/**
 * An AppError as a GraphQLError, for the few places that must hand graphql-ws or Apollo a
 * GraphQLError themselves (a refusal in `onSubscribe`, a plugin's HTTP status). `extra` adds
 * transport-only extensions such as Apollo's `http`.
 */
export function toGraphQLError(error: AppError, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(error.message, { originalError: error, extensions: { ...extensionsOf(error), ...extra } });
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
 * and plugin failures. What is at the bottom decides whether the client may read it.
 */
export function innermostError(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
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
 * An AppError says its own message, code and details, whatever wrapped it on the way (Apollo
 * prefixes "Context creation failed: "). Unknown errors become INTERNAL_SERVER_ERROR with a
 * generic message: no stack, SQL or driver text outside development. The request id is added by
 * the caller, which knows the request.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  development: boolean,
): GraphQLFormattedError {
  const original = innermostError(error);
  const { stacktrace: _stack, ...withoutStack } = formatted.extensions ?? {};
  const kept = development ? formatted.extensions : withoutStack;
  if (original instanceof AppError) {
    return { ...formatted, message: original.message, extensions: { ...kept, ...extensionsOf(original) } };
  }
  // Parsing, validation and coercion errors are all the client's fault.
  if (isPublicError(error, formatted)) return { ...formatted, extensions: { ...kept, code: ErrorCode.BAD_USER_INPUT } };
  if (development)
    return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } };
  return { message: INTERNAL_MESSAGE, path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}
