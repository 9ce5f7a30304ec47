import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { refKey } from '../../domain/archive/object-rows';
import { Attachment, toAttachment } from '../types/attachment.type';
import { CrmObject } from '../types/crm-object.type';
import { User } from '../types/user.type';

/**
 * What these resolvers read of their parent. A type alias, not the GraphQL class: type-graphql
 * copies a @Root() typed by a class into a new instance of it on every call (twice per node of a
 * page); the value itself is what a resolver returned, a plain object.
 */
type ObjectValue = Pick<CrmObject, 'type' | 'id' | 'createdById' | 'archivedById' | 'related'>;
type AttachmentValue = Pick<Attachment, 'createdById'>;

/**
 * Fields every CrmObject resolves: from what the list's statement read beside it when it did
 * (`related`, see relatedOf), else through the request's loaders: a fixed number of statements per page.
 * With `related` they answer synchronously: a promise per field makes graphql-js build every node
 * asynchronously (promiseForObject), a tenth of a page's CPU in the browse profile (BENCHMARKS.md).
 */
@Resolver(() => CrmObject)
export class CrmObjectResolver {
  @FieldResolver(() => User)
  createdBy(@Root() object: ObjectValue, @Ctx() context: Context): User | Promise<User> {
    const related = object.related;
    if (related && 'createdBy' in related) return related.createdBy!;
    return context.loaders.users.load(object.createdById).then((user) => user!);
  }

  @FieldResolver(() => User, { nullable: true })
  archivedBy(@Root() object: ObjectValue, @Ctx() context: Context): User | null | Promise<User | null> {
    const related = object.related;
    if (related && 'archivedBy' in related) return related.archivedBy ?? null;
    return object.archivedById ? context.loaders.users.load(object.archivedById) : null;
  }

  @FieldResolver(() => [Attachment])
  attachments(@Root() object: ObjectValue, @Ctx() context: Context): Attachment[] | Promise<Attachment[]> {
    const related = object.related?.attachments;
    if (related) return related.map(toAttachment);
    return context.loaders.attachments.load(refKey(object)).then((rows) => rows.map(toAttachment));
  }
}

@Resolver(() => Attachment)
export class AttachmentResolver {
  @FieldResolver(() => User)
  async createdBy(@Root() attachment: AttachmentValue, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.users.load(attachment.createdById))!;
  }
}
