import { RequestHandler } from 'express';
import { REQUEST_ID_HEADER } from './request-id';

/**
 * Headers a browser page on another origin may send. Authorization is our only credential (no
 * cookies, so `Access-Control-Allow-Credentials` is never sent); Apollo's CSRF prevention accepts a
 * request with `Content-Type: application/json` or one of its own preflight headers; `Range` resumes
 * a download.
 */
const ALLOWED_HEADERS =
  'Authorization, Content-Type, Apollo-Require-Preflight, X-Apollo-Operation-Name, X-Request-Id, Range';
const ALLOWED_METHODS = 'GET, HEAD, POST, OPTIONS';
/** Answer headers a page may read beyond the safelisted ones: the file name of a download, its range, the request id. */
const EXPOSED_HEADERS = `${REQUEST_ID_HEADER}, Content-Disposition, Content-Range`;
/** How long a browser may reuse a preflight's answer, in seconds (Chromium caps it at 2 hours). */
const PREFLIGHT_MAX_AGE_S = 600;

/** Whether a browser's `Origin` header matches an entry of CORS_ORIGINS (exact, or `scheme://host:*`). */
function originMatcher(patterns: readonly string[]): (origin: string) => boolean {
  const exact = new Set(patterns.filter((pattern) => !pattern.endsWith(':*')));
  const anyPort = patterns.filter((pattern) => pattern.endsWith(':*')).map((pattern) => pattern.slice(0, -2));
  return (origin) => {
    const lower = origin.toLowerCase();
    if (exact.has(lower)) return true;
    return anyPort.some(
      (prefix) => lower === prefix || (lower.startsWith(`${prefix}:`) && /^\d+$/.test(lower.slice(prefix.length + 1))),
    );
  };
}

/**
 * CORS for the browser-facing paths. An allowed origin gets `Access-Control-Allow-Origin` (its own
 * value, never `*`) and its preflight is answered 204 here. Any other origin gets no CORS header at
 * all, so its browser blocks the call; its preflight is answered 204 too and the real request never
 * comes. Non-browser clients send no `Origin` and are not affected.
 */
export function corsMiddleware(patterns: readonly string[]): RequestHandler {
  const allowed = originMatcher(patterns);
  return (req, res, next) => {
    // Caches must keep one answer per origin, since the headers below depend on it.
    res.vary('Origin');
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (origin !== undefined && allowed(origin)) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      if (preflight) {
        res.set({
          'Access-Control-Allow-Methods': ALLOWED_METHODS,
          'Access-Control-Allow-Headers': ALLOWED_HEADERS,
          'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S),
        });
      }
    }
    if (preflight) {
      res.status(204).end();
      return;
    }
    next();
  };
}
