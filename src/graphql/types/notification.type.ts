import { Field, ID, ObjectType } from 'type-graphql';
import { NotificationRow } from '../../domain/notifications/notification-inbox.service';
import { Deletion } from './deletion.type';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType({
  ...PLAIN_FIELDS,
  description: 'A persistent message for one user, e.g. that a deletion was activated; read it any time later.',
})
export class Notification {
  @Field(() => ID, { description: 'Unique id of the notification.' })
  id: string;

  @Field({
    description:
      'What happened: DELETION_ACTIVATED, DELETION_CANCELLED, DELETION_COMPLETED, DELETION_FAILED, DELETION_REMINDER (the deletion executes soon) or DELETION_SETTINGS_CHANGED (no deletion: read deletionSettings).',
  })
  kind: string;

  @Field(() => Deletion, { nullable: true, description: 'The deletion it is about (admins only; null otherwise).' })
  deletion?: Deletion | null;

  @Field({ description: 'When it was written.' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When you marked it read; null while unread.' })
  readAt: Date | null;

  /** The id behind `deletion` (absent on the value a resolver returns), resolved through the deletions loader. */
  deletionId: string | null;
}

/** A stored notification as the GraphQL type. */
export function toNotification(row: NotificationRow): Notification {
  return { id: row.id, kind: row.kind, createdAt: row.createdAt, readAt: row.readAt, deletionId: row.deletionId };
}
