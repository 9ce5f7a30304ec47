import { Authorized, Ctx, FieldResolver, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../server/context';
import { AppError, ErrorCode } from '../errors';
import { Role } from '../services/domain-types';
import { DELETION_EVENTS_TOPIC } from '../services/deletion-events';
import type { DeletionEventMessage } from '../services/deletion-events';
import { admitEvent, deliveryOf } from './deletion-event-delivery';
import { asDeletion, Deletion } from './deletion.type';
import { DeletionEvent } from './deletion-event.type';
import { User } from './user.type';

/** Live deletion events (DESIGN §2 rule 10, §4): admins of the message's workspace only. */
@Resolver(() => DeletionEvent)
export class DeletionEventResolver {
  @Authorized(Role.ADMIN)
  @Subscription(() => DeletionEvent, {
    topics: DELETION_EVENTS_TOPIC,
    // Rights are checked again for every message, whatever the subscription selects.
    filter: ({ payload, context }: { payload: DeletionEventMessage; context: Context }) => admitEvent(context, payload),
    description:
      'Deletions of your workspace as they are activated, cancelled, progress, complete or fail. Admins only.',
  })
  deletionEvents(@Root() message: DeletionEventMessage, @Ctx() context: Context): DeletionEvent {
    // A subscription keeps one context for its whole life; each event uses its message's loaders.
    // Events of one subscription are executed one after the other, so this never swaps loaders
    // under a running event.
    context.loaders = deliveryOf(context.services, message).loaders;
    return {
      type: message.type,
      occurredAt: new Date(message.occurredAt),
      message,
    } as DeletionEvent;
  }

  @FieldResolver(() => Deletion)
  async deletion(@Root() event: DeletionEvent, @Ctx() context: Context): Promise<Deletion> {
    const row = await deliveryOf(context.services, event.message).deletion();
    if (!row) throw new AppError(ErrorCode.NOT_FOUND, `Deletion ${event.message.deletionId} no longer exists.`);
    return asDeletion(row);
  }

  @FieldResolver(() => User, { nullable: true })
  async actor(@Root() event: DeletionEvent, @Ctx() context: Context): Promise<User | null> {
    return event.message.actorId ? context.loaders.users.load(event.message.actorId) : null;
  }
}
