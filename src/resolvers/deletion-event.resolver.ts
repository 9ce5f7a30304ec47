import { Authorized, FieldResolver, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../server/context';
import { AppError, ErrorCode } from '../errors';
import { Role } from '../services/domain-types';
import { DELETION_EVENTS_TOPIC } from '../services/deletion-events';
import { admitEvent } from './deletion-event-delivery';
import type { DeletionEventDelivery } from './deletion-event-delivery';
import { asDeletion, Deletion } from './deletion.type';
import { DeletionEvent } from './deletion-event.type';
import { User } from './user.type';

/**
 * Live deletion events (DESIGN §2 rule 10, §4): admins of the event's workspace only. Each event
 * is executed with a context of its own whose loaders are its delivery's (server/event-execution.ts),
 * so the Deletion's own fields (activatedBy …) batch with every other subscriber's too.
 */
@Resolver(() => DeletionEvent)
export class DeletionEventResolver {
  @Authorized(Role.ADMIN)
  @Subscription(() => DeletionEvent, {
    topics: DELETION_EVENTS_TOPIC,
    // Rights are checked again for every event, whatever the subscription selects.
    filter: ({ payload, context }: { payload: DeletionEventDelivery; context: Context }) =>
      admitEvent(context, payload),
    description:
      'Deletions of your workspace as they are activated, cancelled, progress, complete or fail. Admins only.',
  })
  deletionEvents(@Root() delivery: DeletionEventDelivery): DeletionEvent {
    return {
      type: delivery.message.type,
      occurredAt: new Date(delivery.message.occurredAt),
      delivery,
    } as DeletionEvent;
  }

  @FieldResolver(() => Deletion)
  async deletion(@Root() event: DeletionEvent): Promise<Deletion> {
    const row = await event.delivery.deletion();
    if (!row)
      throw new AppError(ErrorCode.NOT_FOUND, `Deletion ${event.delivery.message.deletionId} no longer exists.`);
    return asDeletion(row);
  }

  @FieldResolver(() => User, { nullable: true })
  async actor(@Root() event: DeletionEvent): Promise<User | null> {
    const { message, loaders } = event.delivery;
    return message.actorId ? loaders.users.load(message.actorId) : null;
  }
}
