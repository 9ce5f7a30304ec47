import { RequestHandler, Response } from 'express';
import { newRequestId } from '../graphql/operation-report';

export const REQUEST_ID_HEADER = 'x-request-id';

// A proxy's id is kept only when it cannot break a log line or a header: short, plain characters.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is sane, otherwise a new one. */
function acceptRequestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : newRequestId();
}

/**
 * Gives every HTTP request an id (the caller's when sane) and echoes it in the `x-request-id`
 * response header, so a client can quote it and an operator can find the request's log lines.
 */
export const requestIdMiddleware: RequestHandler = (req, res, next) => {
  const id = acceptRequestId(req.headers[REQUEST_ID_HEADER]);
  res.locals.requestId = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
};

/** The id `requestIdMiddleware` gave this response. */
export function requestIdOf(res: Response): string {
  return String(res.locals.requestId);
}
