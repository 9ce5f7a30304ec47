import { RequestHandler } from 'express';
import { ObjectType } from '../database/object-tables';
import { AppError, ErrorCode } from '../errors';
import { Logger } from '../log';
import { TOO_LARGE } from '../domain/files/attachment.service';
import { Services } from '../domain/services';
import { sendRefusal, signInFirst } from './http-errors';
import { invalidTextError, isStorableText } from '../graphql/text-arguments';

export const ATTACHMENTS_PATH = '/attachments';

/**
 * `POST /attachments?type=CONTACT&id=<uuid>&fileName=x.pdf` with the raw file as body (Content-Type =
 * its MIME type, `Authorization: Bearer`). The body is streamed to the file store, never buffered.
 * Answers `{ attachment }`, or `{ error: { code, message } }` with the matching HTTP status.
 */
export function attachmentsRoute(services: Services, logger: Logger): RequestHandler {
  return async (req, res) => {
    try {
      const { user } = await services.auth.authenticate(req.headers.authorization, { fresh: true });
      if (!user) throw signInFirst();
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
      sendRefusal(req, res, error, logger, 'attachment upload failed');
    }
  };
}
