import { Field, ObjectType } from 'type-graphql';
import type { DeletionEventDelivery } from '../deletion-event-delivery';
import { Deletion } from './deletion.type';
import { LegalHold } from './legal-hold.type';
import { DeletionEventType } from './enums';
import { User } from './user.type';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType({
  ...PLAIN_FIELDS,
  description: 'Something happened to a deletion of your workspace; delivered live to its admins.',
})
export class DeletionEvent {
  @Field(() => DeletionEventType, { description: 'What happened.' })
  type: DeletionEventType;

  @Field(() => Deletion, {
    nullable: true,
    description:
      'The deletion as it is now, read when the event is delivered. For HOLD_PLACED and HOLD_RELEASED: the workspace’s PENDING or EXECUTING deletion (whose figures a hold may have changed), null when there is none; never null for the other types.',
  })
  deletion: Deletion | null;

  @Field(() => LegalHold, {
    nullable: true,
    description: 'For HOLD_PLACED and HOLD_RELEASED: the hold as it is now; null for the other types.',
  })
  hold: LegalHold | null;

  @Field(() => User, { nullable: true, description: 'Who caused it; null when the scheduler did.' })
  actor: User | null;

  @Field({ description: 'When it happened.' })
  occurredAt: Date;

  /** The event as received: `deletion` and `actor` are resolved through what it shares with every subscriber. */
  delivery: DeletionEventDelivery;
}
