import { SafeIntResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { attachmentUrl } from '../file-urls';
import { AttachmentRow } from '../../domain/files/attachment.service';
import { User } from './user.type';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType({ ...PLAIN_FIELDS, description: 'A file attached to a CRM object; its bytes live in the file store.' })
export class Attachment {
  @Field(() => ID, { description: 'Unique id of the attachment.' })
  id: string;

  @Field({ description: 'The file name given at upload.' })
  fileName: string;

  @Field({ description: 'MIME type sent as Content-Type at upload.' })
  mimeType: string;

  @Field(() => SafeIntResolver, { description: 'Size in bytes, as actually stored.' })
  sizeBytes: number;

  @Field({
    description:
      'Where its bytes are downloaded (GET, with the same Authorization header), relative to the server: ' +
      '`/attachments/<id>`. Answers 404 to whoever may not see the object.',
  })
  url: string;

  @Field({ description: 'When it was uploaded.' })
  createdAt: Date;

  @Field(() => User, { description: 'Who uploaded it.' })
  createdBy?: User;

  /** The uploader's id; `createdBy` (absent on the value a resolver returns) is resolved from it through the users loader. */
  createdById: string;
}

/** A stored attachment as the GraphQL type; its storage key stays inside the server. */
export function toAttachment(row: AttachmentRow): Attachment {
  return {
    id: row.id,
    fileName: row.fileName,
    mimeType: row.mimeType,
    sizeBytes: row.sizeBytes,
    url: attachmentUrl(row.id),
    createdAt: row.createdAt,
    createdById: row.createdById,
  };
}
