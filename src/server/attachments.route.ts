import { Request, RequestHandler, Response } from 'express';
import { ObjectType } from '../database/object-tables';
import { AppError, ErrorCode, internalError } from '../errors';
import { Logger } from '../log';
import { TOO_LARGE } from '../services/attachment.service';
import { Services } from '../services/services';
import { requestIdOf } from './request-id';
import { invalidTextError, isStorableText } from './text-arguments';

export const ATTACHMENTS_PATH = '/attachments';

const STATUS: Record<ErrorCode, number> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
};

/**
 * `POST /attachments?type=CONTACT&id=<uuid>&fileName=x.pdf` with the raw file as body (Content-Type =
 * its MIME type, `Authorization: Bearer`). The body is streamed to the file store, never buffered.
 * Answers `{ attachment }`, or `{ error: { code, message } }` with the matching HTTP status.
 */
export function attachmentsRoute(services: Services, logger: Logger): RequestHandler {
  return async (req, res) => {
    try {
      const { user } = await services.auth.authenticate(req.headers.authorization);
      if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first: send "Authorization: Bearer <token>".');
      const type = String(req.query.type ?? '');
      if (!(Object.values(ObjectType) as string[]).includes(type)) {
        throw new AppError(ErrorCode.BAD_USER_INPUT, `type must be one of ${Object.values(ObjectType).join(', ')}.`);
      }
      const id = String(req.query.id ?? '');
      const fileName = String(req.query.fileName ?? '');
      for (const [name, value] of Object.entries({ id, fileName }))
        if (!isStorableText(value)) throw invalidTextError(`Parameter "${name}"`);
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > services.config.maxUploadBytes) {
        throw new AppError(
          ErrorCode.BAD_USER_INPUT,
          `The file is larger than ${services.config.maxUploadBytes} bytes.`,
          {
            reason: TOO_LARGE,
          },
        );
      }
      const attachment = await services.attachments.upload(
        user,
        { type: type as ObjectType, id },
        fileName,
        req.headers['content-type'] || 'application/octet-stream',
        req,
      );
      const { storageKey: _key, createdById, ...visible } = attachment;
      res.status(201).json({ attachment: { ...visible, createdBy: createdById } });
    } catch (error) {
      sendError(req, res, error, logger);
    }
  };
}

function sendError(req: Request, res: Response, error: unknown, logger: Logger): void {
  const requestId = requestIdOf(res);
  if (!(error instanceof AppError)) logger.error('attachment upload failed', error, { requestId });
  const known = error instanceof AppError ? error : internalError(requestId);
  const status = known.details.reason === TOO_LARGE ? 413 : STATUS[known.code];
  // The client may still be sending: close the connection after answering rather than read the rest.
  if (!req.complete) res.setHeader('connection', 'close');
  res.status(status).json({ error: { code: known.code, message: known.message, ...known.details } });
}
