import { RequestHandler } from 'express';
import { pipeline } from 'node:stream/promises';
import { ZipWriter } from '../domain/files/zip-writer';
import { Logger } from '../log';
import { Services } from '../domain/services';
import { DeletionRow } from '../domain/deletion/deletion-row';
import { attachmentDisposition } from './content-disposition';
import { sendRefusal, signInFirst } from './http-errors';
import { idleTimeout } from './idle-timeout';

/**
 * `GET /deletions/:id/export`: a PENDING deletion as a streamed ZIP (docs/export.md), for admins of
 * its workspace; 401, 403, 404 (also another workspace's id) or 409 (not PENDING) otherwise, as JSON.
 * Once the ZIP has begun, a failure cuts the connection: the client sees a truncated download,
 * never a shorter ZIP that looks complete. A client that leaves, or reads nothing for
 * TRANSFER_IDLE_TIMEOUT, stops the export and frees its slot; it never held a database connection
 * past the rows' staging.
 */
export function deletionExportRoute(services: Services, logger: Logger): RequestHandler {
  return async (req, res) => {
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort(new Error('The client closed the connection during the export.'));
    });
    // Settles with the error that ended sending the ZIP, if any; never rejects, so it may wait unawaited.
    let sent: Promise<unknown> = Promise.resolve();
    try {
      const { user } = await services.auth.authenticate(req.headers.authorization, { fresh: true });
      if (!user) throw signInFirst();
      await services.deletionExport.export(
        user,
        String(req.params.id),
        (deletion) => {
          const zip = new ZipWriter(clientGone.signal);
          res.writeHead(200, zipHeaders(deletion));
          const idleMs = services.config.transferIdleTimeoutMs;
          const idle = idleTimeout(res, idleMs, () =>
            logger.info('export closed: the client read nothing', { idleMs }),
          );
          sent = pipeline(zip.output, idle, res).then(
            () => undefined,
            (error: unknown) => error,
          );
          return zip;
        },
        clientGone.signal,
      );
      const failure = await sent;
      if (failure) throw failure;
    } catch (error) {
      if (clientGone.signal.aborted) return void logger.info('export stopped: the client left', { path: req.path });
      if (res.headersSent) logger.warn('export cut off', { path: req.path, reason: String(error) });
      sendRefusal(req, res, error, logger, 'deletion export failed');
    }
  };
}

/**
 * `HEAD /deletions/:id/export`: the checks and headers of the GET from the deletion's row alone,
 * without staging rows, building the ZIP or taking an export slot.
 */
export function deletionExportHeadRoute(services: Services, logger: Logger): RequestHandler {
  return async (req, res) => {
    try {
      const { user } = await services.auth.authenticate(req.headers.authorization, { fresh: true });
      if (!user) throw signInFirst();
      const deletion = await services.deletionExport.exportable(user, String(req.params.id));
      res.writeHead(200, zipHeaders(deletion)).end();
    } catch (error) {
      sendRefusal(req, res, error, logger, 'deletion export check failed');
    }
  };
}

function zipHeaders(deletion: DeletionRow): Record<string, string> {
  return {
    'Content-Type': 'application/zip',
    'Content-Disposition': attachmentDisposition(`deletion-${deletion.id}.zip`),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  };
}
