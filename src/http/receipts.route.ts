import { RequestHandler } from 'express';
import { Logger } from '../log';
import { Services } from '../domain/services';
import { sendRefusal, signInFirst } from './http-errors';

/** Where the receipt signing keys are published (RFC 8615 well-known location, RFC 7517 key set). */
export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * `GET /deletions/:id/receipt`: the deletion's signed receipt as a compact JWS (application/jose), for
 * admins of its workspace; 401, 403, or 404 (no receipt yet, or another workspace's id) as JSON.
 */
export function deletionReceiptRoute(services: Services, logger: Logger): RequestHandler {
  return async (req, res) => {
    try {
      const { user } = await services.auth.authenticate(req.headers.authorization, { fresh: true });
      if (!user) throw signInFirst();
      const receipt = await services.receipts.download(user, String(req.params.id));
      res.writeHead(200, {
        'Content-Type': 'application/jose',
        'Content-Disposition': `attachment; filename="receipt-${receipt.deletionId}.jws"`,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
      });
      res.end(receipt.jws);
    } catch (error) {
      sendRefusal(req, res, error, logger, 'receipt download failed');
    }
  };
}

/**
 * `GET /.well-known/jwks.json`: every receipt signing key's public half, retired ones included, so
 * any receipt ever issued verifies. Public; cached briefly (a verifier refetches on an unknown kid).
 */
export function jwksRoute(services: Services, logger: Logger): RequestHandler {
  return async (req, res) => {
    try {
      const jwks = await services.receipts.jwks();
      res.setHeader('Cache-Control', 'public, max-age=60');
      res.json(jwks);
    } catch (error) {
      sendRefusal(req, res, error, logger, 'key set failed');
    }
  };
}
