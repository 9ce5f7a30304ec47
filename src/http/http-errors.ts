import { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { Server } from 'node:http';
import { Duplex } from 'node:stream';
import { ErrorCode, INTERNAL_MESSAGE } from '../errors';
import { Logger } from '../log';
import { requestIdOf } from './request-id';

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

/** Answers like a GraphQL response with one error, so every client parses failures the same way. */
export function sendJsonError(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** Every path and method nothing else answered: JSON 404, never express's HTML page. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendJsonError(res, 404, ErrorCode.NOT_FOUND, `Nothing is served at ${req.method} ${req.path}.`);
};

/**
 * The last express handler: turns body-parser's and express's errors (invalid JSON, a body over
 * the limit, a bad charset…) into JSON with a code from ErrorCode and the right status, instead
 * of express's HTML page, which outside production even carries a stack trace.
 */
export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    // Too late for another answer: express then ends the connection.
    if (res.headersSent) return next(error);
    const { status = 500, type, expose, message = '' } = asHttpError(error);
    if (status < 400 || status >= 500 || !expose) {
      logger.error('request failed', error, { requestId: requestIdOf(res) });
      return res.status(500).json({
        errors: [
          {
            message: INTERNAL_MESSAGE,
            extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId: requestIdOf(res) },
          },
        ],
      });
    }
    sendJsonError(res, status, CODE_OF_STATUS[status] ?? ErrorCode.BAD_USER_INPUT, clientMessage(type, message));
  };
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
