/** The only error codes a client ever sees (docs/rules.md, rule 11). */
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
 * what to do, and optional details (e.g. the offending refs). Services throw it knowing nothing of
 * the transport; the server maps it to a GraphQL error (src/graphql/graphql-errors.ts) or an HTTP
 * answer (the upload route) in one place each.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** What an unknown error says to the client outside development: nothing but where to look it up. */
export const INTERNAL_MESSAGE = 'Internal server error';

/** The answer to a failure the client cannot act on; `requestId` finds the logged original. */
export function internalError(requestId: string): AppError {
  return new AppError(ErrorCode.INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE, { requestId });
}
