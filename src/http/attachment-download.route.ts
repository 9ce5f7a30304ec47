import { Request, RequestHandler, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { AppError, ErrorCode } from '../errors';
import { ByteRange } from '../domain/files/file-store';
import { Logger } from '../log';
import { AttachmentRow } from '../domain/files/attachment.service';
import { Services } from '../domain/services';
import { attachmentDisposition } from './content-disposition';
import { RANGE_NOT_SATISFIABLE, sendRefusal, signInFirst } from './http-errors';
import { idleTimeout } from './idle-timeout';

/**
 * `GET /attachments/:id` (and HEAD): the stored bytes with their MIME type, length and a safe
 * `Content-Disposition`, to whoever may see the attachment's object; 401 without a valid token, 404
 * for anything they may not see, exactly as for a missing id. A single `Range` is answered with 206
 * (416 when it lies past the end); several ranges, or an `If-Range` that does not match, get the
 * whole file, which RFC 9110 allows. Stored files never change, so the attachment id is the ETag.
 */
export function attachmentDownloadRoute(services: Services, logger: Logger): RequestHandler {
  return async (req, res) => {
    try {
      const { user } = await services.auth.authenticate(req.headers.authorization, { fresh: true });
      if (!user) throw signInFirst();
      const attachment = await services.attachments.visible(user, String(req.params.id));
      const range = requestedRange(req, attachment.sizeBytes);
      if (range === UNSATISFIABLE) return void refuseRange(req, res, attachment.sizeBytes, logger);
      const gone = new AppError(ErrorCode.NOT_FOUND, `The file of attachment ${attachment.id} is no longer stored.`);
      if (req.method === 'HEAD') {
        if ((await services.files.size(attachment.storageKey)) === null) throw gone;
        setHeaders(res, attachment, range);
        return void res.end();
      }
      const body = await services.files.read(attachment.storageKey, range ?? undefined);
      if (!body) throw gone;
      setHeaders(res, attachment, range);
      // pipeline destroys the file stream (closing its handle) if the client goes away, or reads
      // nothing for TRANSFER_IDLE_TIMEOUT: a stalled reader holds one file and one socket, no connection.
      const idleMs = services.config.transferIdleTimeoutMs;
      const idle = idleTimeout(res, idleMs, () => logger.info('download closed: the client read nothing', { idleMs }));
      await pipeline(body, idle, res);
    } catch (error) {
      sendRefusal(req, res, error, logger, 'attachment download failed');
    }
  };
}

const UNSATISFIABLE = 'UNSATISFIABLE';

/** The one range to send, null for the whole file, or UNSATISFIABLE when it starts past the end. */
function requestedRange(req: Request, size: number): ByteRange | null | typeof UNSATISFIABLE {
  if (!req.headers.range) return null;
  const ifRange = req.headers['if-range'];
  if (ifRange !== undefined && ifRange !== etagOf(String(req.params.id))) return null;
  // A suffix range longer than the file selects all of it (RFC 9110 §14.1.2); range-parser calls it unsatisfiable.
  const suffix = /^bytes=\s*-\s*(\d+)\s*$/.exec(req.headers.range);
  if (suffix && size > 0 && Number(suffix[1]) >= size) return { start: 0, end: size - 1 };
  const ranges = req.range(size, { combine: true });
  if (ranges === -1) return UNSATISFIABLE;
  // Malformed (-2) or several ranges: the whole file is a valid answer to both.
  if (ranges === undefined || ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return null;
  return { start: ranges[0].start, end: ranges[0].end };
}

/** 416 with the size, as RFC 9110 §15.5.17 asks, and the usual error body. */
function refuseRange(req: Request, res: Response, size: number, logger: Logger): void {
  res.setHeader('Content-Range', `bytes */${size}`);
  const message = `The requested range lies outside the file's ${size} bytes.`;
  sendRefusal(req, res, new AppError(ErrorCode.BAD_USER_INPUT, message, { reason: RANGE_NOT_SATISFIABLE }), logger, '');
}

function setHeaders(res: Response, attachment: AttachmentRow, range: ByteRange | null): void {
  res.setHeader('Content-Type', attachment.mimeType);
  res.setHeader('Content-Disposition', attachmentDisposition(attachment.fileName));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('ETag', etagOf(attachment.id));
  res.setHeader('Cache-Control', 'private, no-cache');
  if (!range) return void res.setHeader('Content-Length', attachment.sizeBytes);
  res.status(206);
  res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${attachment.sizeBytes}`);
  res.setHeader('Content-Length', range.end - range.start + 1);
}

function etagOf(id: string): string {
  return `"${id.toLowerCase()}"`;
}
