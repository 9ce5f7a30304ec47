import { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { Server } from 'node:http';
import { Duplex } from 'node:stream';
import { AppError, ErrorCode, INTERNAL_MESSAGE, internalError } from '../errors';
import { Logger } from '../log';
import { TOO_LARGE } from '../domain/files/attachment.service';
import { requestIdOf } from './request-id';

/*
 * The one HTTP error writer: every refusal an HTTP route answers goes through this module, in one
 * of two body shapes. GraphQL's shape (`{ errors: [{ message, extensions: { code } }] }`) for
 * /graphql, the UI routes and whatever no route answered, so GraphQL clients parse every failure
 * alike; the file routes' shape (`{ error: { code, message, …details } }`, docs/export.md) for
 * uploads, downloads and exports. Both carry a code from ErrorCode and the status of that code.
 */

/** The largest body (JSON on /graphql) or WebSocket frame accepted before authentication. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** An error thrown by express or body-parser (http-errors): a status and a machine-readable type. */
interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

const CODE_OF_STATUS: Record<number, ErrorCode> = {
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
};

/** The HTTP status of each code. */
const STATUS_OF_CODE: Record<ErrorCode, number> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
};

/** `details.reason` of a Range refusal: answered 416 (RFC 9110 §15.5.17). */
export const RANGE_NOT_SATISFIABLE = 'RANGE_NOT_SATISFIABLE';

/** Refusals whose status is not their code's, by `details.reason`. */
const STATUS_OF_REASON: Record<string, number> = { [TOO_LARGE]: 413, [RANGE_NOT_SATISFIABLE]: 416 };

/** The paths whose refusals take the file routes' body shape. */
const FILE_ROUTE_PREFIXES = ['/attachments', '/deletions'];

/** Answers like a GraphQL response with one error, so every client parses failures the same way. */
export function sendJsonError(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** Every path and method nothing else answered: JSON 404, never express's HTML page. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendJsonError(res, 404, ErrorCode.NOT_FOUND, `Nothing is served at ${req.method} ${req.path}.`);
};

/**
 * The last express handler: turns body-parser's, the router's and express's errors (invalid JSON,
 * a body over the limit, an undecodable `%` in a path parameter…) into JSON with a code from
 * ErrorCode and the right status, instead of express's HTML page, which outside production even
 * carries a stack trace. A client's mistake is logged at info without a stack, so nobody can fill
 * the error log or trip its alerts by sending junk; only what the server got wrong is an error.
 */
export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    // Too late for another answer: express then ends the connection.
    if (res.headersSent) return next(error);
    const refusal = clientRefusal(error);
    if (!refusal) {
      logger.error('request failed', error, { requestId: requestIdOf(res) });
      if (isFileRoute(req)) return sendRefusal(req, res, internalError(requestIdOf(res)), logger, 'request failed');
      return res.status(500).json({
        errors: [
          {
            message: INTERNAL_MESSAGE,
            extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId: requestIdOf(res) },
          },
        ],
      });
    }
    logger.info('request refused', { requestId: requestIdOf(res), status: refusal.status, reason: refusal.message });
    if (isFileRoute(req)) return sendRefusal(req, res, new AppError(refusal.code, refusal.message), logger, '');
    sendJsonError(res, refusal.status, refusal.code, refusal.message);
  };
}

/** What a client got wrong, as the status, code and sentence to answer; undefined for the server's own failures. */
function clientRefusal(error: unknown): { status: number; code: ErrorCode; message: string } | undefined {
  // The router's decodeURIComponent of a path parameter: `/attachments/%ff` names nothing at all.
  if (error instanceof URIError) {
    const message = 'The request path holds an invalid percent-encoding (%XX must encode UTF-8).';
    return { status: 400, code: ErrorCode.BAD_USER_INPUT, message };
  }
  const { status = 500, type, expose, message = '' } = asHttpError(error);
  if (status < 400 || status >= 500 || !expose) return undefined;
  return { status, code: CODE_OF_STATUS[status] ?? ErrorCode.BAD_USER_INPUT, message: clientMessage(type, message) };
}

function isFileRoute(req: Request): boolean {
  return FILE_ROUTE_PREFIXES.some((prefix) => req.path === prefix || req.path.startsWith(`${prefix}/`));
}

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
  const status = STATUS_OF_REASON[String(known.details.reason)] ?? STATUS_OF_CODE[known.code];
  // The client may still be sending: close the connection after answering rather than read the rest.
  if (!req.complete) res.setHeader('connection', 'close');
  res.status(status).json({ error: { code: known.code, message: known.message, ...known.details } });
}

/** UNAUTHENTICATED unless `Authorization` names a user: the same sentence on every file route. */
export function signInFirst(): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first: send "Authorization: Bearer <token>".');
}

/** Whether `error` only says the client closed the connection, or stopped reading, before the body was sent: nothing to log. */
function isClientGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return (
    code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_CLIENT_IDLE'
  );
}

function asHttpError(error: unknown): HttpError {
  if (typeof error !== 'object' || error === null) return {};
  // http-errors keeps `status` and `expose` on the error's prototype: read them, never spread.
  const { status, statusCode, type, expose, message } = error as HttpError;
  return { status: status ?? statusCode, type, expose, message };
}

/** A sentence that says what was wrong with the request and what to send instead. */
function clientMessage(type: string | undefined, message: string): string {
  switch (type) {
    case 'entity.parse.failed':
      return `The request body is not valid JSON (${message}).`;
    case 'entity.too.large':
      return `The request body is larger than ${MAX_REQUEST_BYTES} bytes.`;
    default:
      return `The request was refused: ${message}.`;
  }
}

/** Node's own refusals of what it cannot parse as HTTP, before express sees a request. */
const PARSER_REFUSALS: Record<string, [status: number, message: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'The request line or headers are too large: send the query in a POST body.'],
};

/** How long a refused connection is still read from after its answer, at most (see answerParserErrors). */
const LINGER_MS = 5_000;

/**
 * Answers requests Node's HTTP parser refuses (a GET whose URL is over 16 KB, a malformed request
 * line) with the same JSON error shape as every other refusal, instead of an empty 400/431.
 *
 * The client may still be sending the refused request (the rest of a 1 MB URL). Closing the socket
 * then would make the kernel reset the connection, and a client that reads only once it has sent
 * everything gets ECONNRESET instead of the answer. So the connection closes by lingering
 * (RFC 9112 §9.6): the answer is sent and our side half-closed, what the client still sends is
 * read and dropped (Node's failed parser reports each later chunk here again, and is ignored), and
 * the socket goes once the client closes its side, or after LINGER_MS.
 */
export function answerParserErrors(httpServer: Server): void {
  const answered = new WeakSet<Duplex>();
  httpServer.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (answered.has(socket)) return;
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const [status, message] = PARSER_REFUSALS[error.code ?? ''] ?? [400, 'The request is not valid HTTP.'];
    const body = JSON.stringify({ errors: [{ message, extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
    answered.add(socket);
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    // Unref'd: a lingering socket never keeps a stopping process alive.
    const linger = setTimeout(() => socket.destroy(), LINGER_MS).unref();
    socket.once('close', () => clearTimeout(linger));
  });
}
