import { RequestHandler } from 'express';

/** Placeholder until the offline playground lands: lets POST fall through to Apollo. */
export function playgroundHandler(): RequestHandler {
  return (_req, _res, next) => next();
}
