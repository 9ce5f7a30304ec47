import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../context';
import { asCurrentUser, requireUser } from '../context';
import { mayAttempt, Operation } from '../../domain/policy';
import { Connection, decodeTimeIdCursor, Page, pageSize, toPage } from '../types/connection';
import { asDeletion, Deletion } from '../types/deletion.type';
import { Notification, toNotification } from '../types/notification.type';

const NotificationConnection = Connection('Notification', Notification);

@ArgsType()
class NotificationsArgs {
  @Field({ nullable: true, defaultValue: false, description: 'Only notifications not yet marked read.' })
  unreadOnly?: boolean;

  @Field(() => Int, { nullable: true, defaultValue: 20, description: 'Page size, 1 to 200.' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page.' })
  after?: string;
}

/** Every signed-in user's own notifications, newest first; nobody sees anyone else's. */
@Resolver(() => Notification)
export class NotificationResolver {
  @Authorized()
  @Query(() => NotificationConnection, { description: 'Your notifications, newest first.' })
  async notifications(
    @Args() { unreadOnly, first, after }: NotificationsArgs,
    @Ctx() context: Context,
  ): Promise<Page<Notification>> {
    const limit = pageSize(first ?? 20);
    const key = after ? decodeTimeIdCursor(after) : null;
    const page = await asCurrentUser(context, (user) =>
      context.services.inbox.page(user, unreadOnly ?? false, limit, key),
    );
    return toPage(page, limit, toNotification);
  }

  @Authorized()
  @Mutation(() => Int, {
    description:
      'Marks your notifications read; returns how many became read. All or nothing: an id that is not yours is NOT_FOUND.',
  })
  markNotificationsRead(
    @Arg('ids', () => [ID], { description: 'Your notifications to mark read.' }) ids: string[],
    @Ctx() context: Context,
  ): Promise<number> {
    return context.services.inbox.markRead(requireUser(context), ids);
  }

  @FieldResolver(() => Deletion, { nullable: true })
  async deletion(@Root() notification: Notification, @Ctx() context: Context): Promise<Deletion | null> {
    const user = requireUser(context);
    // Deletions are admin business (rule 12): a member (e.g. a demoted admin) sees the notification only.
    if (!notification.deletionId || !mayAttempt(user, Operation.VIEW_DELETION)) return null;
    return asDeletion(
      await context.loaders.deletions.load({ workspaceId: user.workspaceId, id: notification.deletionId }),
    );
  }
}
