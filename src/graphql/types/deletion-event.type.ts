import { Field, ObjectType } from 'type-graphql';
import type { DeletionEventDelivery } from '../deletion-event-delivery';
import { Deletion } from './deletion.type';
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

  @Field(() => Deletion, { description: 'The deletion as it is now, read when the event is delivered.' })
  deletion: Deletion;

  @Field(() => User, { nullable: true, description: 'Who caused it; null when the scheduler did.' })
  actor: User | null;

  @Field({ description: 'When it happened.' })
  occurredAt: Date;

  /** The event as received: `deletion` and `actor` are resolved through what it shares with every subscriber. */
  delivery: DeletionEventDelivery;
}
