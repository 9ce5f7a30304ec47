import { Authorized, FieldResolver, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../context';
import { AppError, ErrorCode } from '../../errors';
import { Operation } from '../../domain/policy';
import { DELETION_EVENTS_TOPIC } from '../../domain/deletion/deletion-events';
import { inSubscriberWorkspace } from '../deletion-event-delivery';
import type { DeletionEventDelivery } from '../deletion-event-delivery';
import { asDeletion, Deletion } from '../types/deletion.type';
import { DeletionEvent } from '../types/deletion-event.type';
import { User } from '../types/user.type';

/**
 * Live deletion events (docs/rules.md, rule 10; docs/subscription-delivery.md): admins of the event's workspace only. Subscribers
 * of the same selection, role and workspace share one execution per event (server/subscription-groups.ts),
 * with the delivery's loaders (server/event-execution.ts), so the Deletion's own fields (activatedBy …)
 * batch with every other group's too. No field here depends on who the viewer is beyond that.
 */
@Resolver(() => DeletionEvent)
export class DeletionEventResolver {
  @Authorized(Operation.RECEIVE_DELETION_EVENTS)
  @Subscription(() => DeletionEvent, {
    topics: DELETION_EVENTS_TOPIC,
    // The subscription's group sees its workspace's events only; rights are then checked again
    // for every event and every member, whatever the subscription selects (delivery.admit).
    filter: ({ payload, context }: { payload: DeletionEventDelivery; context: Context }) =>
      inSubscriberWorkspace(context, payload),
    description:
      'Deletions of your workspace as they are activated, cancelled, progress, complete or fail, and the reminder before one executes. Admins only.',
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
