import { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { ErrorCode } from '../errors';
import { Logger } from '../log';

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
      logger.error('request failed', error);
      return sendJsonError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
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
