import { Authorized, FieldResolver, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../context';
import { AppError, ErrorCode } from '../../errors';
import { Operation } from '../../domain/policy';
import { DELETION_EVENTS_TOPIC } from '../../domain/deletion/deletion-events';
import { inSubscriberWorkspace } from '../deletion-event-delivery';
import type { DeletionEventDelivery } from '../deletion-event-delivery';
import { asDeletion, Deletion } from '../types/deletion.type';
import { DeletionEvent } from '../types/deletion-event.type';
import { LegalHold, toLegalHold } from '../types/legal-hold.type';
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
      'Deletions of your workspace as they are activated, cancelled, progress, complete or fail, the reminder before one executes, and legal holds placed or released. Admins only.',
  })
  deletionEvents(@Root() delivery: DeletionEventDelivery): DeletionEvent {
    return {
      type: delivery.message.type,
      occurredAt: new Date(delivery.message.occurredAt),
      delivery,
    } as DeletionEvent;
  }

  @FieldResolver(() => Deletion, { nullable: true })
  async deletion(@Root() event: DeletionEvent): Promise<Deletion | null> {
    const { deletionId } = event.delivery.message;
    // A hold event in a workspace with no active deletion names none (docs/legal-holds.md).
    if (!deletionId) return null;
    const row = await event.delivery.deletion();
    if (!row) throw new AppError(ErrorCode.NOT_FOUND, `Deletion ${deletionId} no longer exists.`);
    return asDeletion(row);
  }

  @FieldResolver(() => LegalHold, { nullable: true })
  async hold(@Root() event: DeletionEvent): Promise<LegalHold | null> {
    const row = await event.delivery.hold();
    return row ? toLegalHold(row) : null;
  }

  @FieldResolver(() => User, { nullable: true })
  async actor(@Root() event: DeletionEvent): Promise<User | null> {
    const { message, loaders } = event.delivery;
    return message.actorId ? loaders.users.load(message.actorId) : null;
  }
}
