import { Request, Response } from 'express';
import { AppError, ErrorCode, internalError } from '../errors';
import { Logger } from '../log';
import { TOO_LARGE } from '../domain/files/attachment.service';
import { requestIdOf } from './request-id';

/** The HTTP status of each refusal the file routes (upload, download, export) answer. */
const STATUS: Record<ErrorCode, number> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
};

/**
 * Answers a failed file route with `{ error: { code, message, …details } }` and the matching status;
 * an error that is not an AppError is logged (as `what`) and answered as an internal error. Once
 * bytes of a file or a ZIP have been sent, no answer can follow: the connection is destroyed, so
 * the client sees a truncated body and an error rather than a shorter file it might trust.
 */
export function sendRefusal(req: Request, res: Response, error: unknown, logger: Logger, what: string): void {
  const requestId = requestIdOf(res);
  if (!(error instanceof AppError) && !isClientGone(error)) logger.error(what, error, { requestId });
  if (res.headersSent) return void res.destroy();
  const known = error instanceof AppError ? error : internalError(requestId);
  const status = known.details.reason === TOO_LARGE ? 413 : STATUS[known.code];
  // The client may still be sending: close the connection after answering rather than read the rest.
  if (!req.complete) res.setHeader('connection', 'close');
  res.status(status).json({ error: { code: known.code, message: known.message, ...known.details } });
}

/** UNAUTHENTICATED unless `Authorization` names a user: the same sentence on every file route. */
export function signInFirst(): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first: send "Authorization: Bearer <token>".');
}

/** Whether `error` only says the client closed the connection before the body was sent: nothing to log. */
function isClientGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE';
}
