import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../server/context';
import { refKey } from '../services/object-rows';
import { Attachment, toAttachment } from './attachment.type';
import { CrmObject } from './crm-object.type';
import { User } from './user.type';

/** Fields every CrmObject resolves through the request's loaders: a fixed number of statements per page. */
@Resolver(() => CrmObject)
export class CrmObjectResolver {
  @FieldResolver(() => User)
  async createdBy(@Root() object: CrmObject, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.users.load(object.createdById))!;
  }

  @FieldResolver(() => User, { nullable: true })
  async archivedBy(@Root() object: CrmObject, @Ctx() context: Context): Promise<User | null> {
    return object.archivedById ? context.loaders.users.load(object.archivedById) : null;
  }

  @FieldResolver(() => [Attachment])
  async attachments(@Root() object: CrmObject, @Ctx() context: Context): Promise<Attachment[]> {
    return (await context.loaders.attachments.load(refKey(object))).map(toAttachment);
  }
}

@Resolver(() => Attachment)
export class AttachmentResolver {
  @FieldResolver(() => User)
  async createdBy(@Root() attachment: Attachment, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.users.load(attachment.createdById))!;
  }
}
