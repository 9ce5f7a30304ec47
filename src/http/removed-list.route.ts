import { RequestHandler } from 'express';
import { Logger } from '../log';
import { Services } from '../domain/services';
import { MAX_REMOVED_PAGE } from '../domain/webhooks/removed-list.service';
import { sendRefusal } from './http-errors';
import { viewerOf } from './viewer';

/** Where a deletion's removed list is read; `removedUrl` in webhook payloads. */
export const REMOVED_LIST_PATH = '/deletions/:id/removed';

/**
 * `GET /deletions/:id/removed?token=…&after=…&limit=…`: `{ refs: [{ type, id }], next }`, `next`
 * being the absolute URL of the next page (with the same token) or null. Readable with the webhook's
 * link token or an admin's bearer token; neither: 401 (docs/webhooks.md).
 */
export function removedListRoute(services: Services, logger: Logger): RequestHandler {
  return async (req, res) => {
    try {
      const deletionId = String(req.params.id);
      const token = typeof req.query.token === 'string' ? req.query.token : undefined;
      const after = typeof req.query.after === 'string' ? req.query.after : null;
      const limit = Math.min(Math.max(Number(req.query.limit) || 500, 1), MAX_REMOVED_PAGE);
      const reader = token
        ? { token }
        : { user: (await viewerOf(services, req.headers.authorization, { fresh: true })).user };
      const page = await services.removedList.page(reader, deletionId, after, limit);
      const next = page.next ? new URL(`${services.publicUrl.origin}/deletions/${deletionId}/removed`) : null;
      if (next) {
        if (token) next.searchParams.set('token', token);
        next.searchParams.set('after', page.next!);
        if (req.query.limit) next.searchParams.set('limit', String(limit));
      }
      res.setHeader('Cache-Control', 'no-store');
      res.json({ refs: page.refs, next: next?.href ?? null });
    } catch (error) {
      sendRefusal(req, res, error, logger, 'removed list failed');
    }
  };
}
