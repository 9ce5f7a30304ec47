import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DeletionSettingsChangeRow } from '../../domain/deletion/deletion-settings.service';
import { DeletionSettingsRow } from '../../domain/deletion/deletion-settings-row';
import { PLAIN_FIELDS } from './plain-fields';
import { User } from './user.type';

@ObjectType({
  ...PLAIN_FIELDS,
  description: "The workspace's retention policy and the reminder before a deletion executes. Admins only.",
})
/** `updatedBy` and `changes` are resolved by DeletionSettingsResolver. */
export class DeletionSettings {
  @Field(() => Int, {
    nullable: true,
    description:
      'The scheduler marks archived objects archived longer than this many days (tasks only when REMOVED or VERIFIED; nothing while a deletion is pending or executing). Null: off.',
  })
  autoMarkAfterDays: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Every admin gets a DELETION_REMINDER notification and a REMINDER event this many hours before a pending deletion executes. Null: off. 24 until changed.',
  })
  reminderHoursBefore: number | null;

  @Field(() => Date, { nullable: true, description: 'When an admin last changed the settings; null if never.' })
  updatedAt: Date | null;

  @Field(() => User, { nullable: true, description: 'Who last changed the settings; null if never.' })
  updatedBy?: User | null;

  /** The id behind `updatedBy`, resolved through the users loader. */
  updatedById: string | null;
}

@ObjectType({ ...PLAIN_FIELDS, description: 'One change of the deletion settings: who, when, old and new values.' })
export class DeletionSettingsChange {
  @Field(() => ID, { description: 'Unique id of the change.' })
  id: string;

  @Field({ description: 'When it was made.' })
  changedAt: Date;

  @Field(() => User, { description: 'The admin who made it.' })
  changedBy?: User;

  @Field(() => Int, { nullable: true, description: 'autoMarkAfterDays before the change.' })
  oldAutoMarkAfterDays: number | null;

  @Field(() => Int, { nullable: true, description: 'autoMarkAfterDays after the change.' })
  newAutoMarkAfterDays: number | null;

  @Field(() => Int, { nullable: true, description: 'reminderHoursBefore before the change.' })
  oldReminderHoursBefore: number | null;

  @Field(() => Int, { nullable: true, description: 'reminderHoursBefore after the change.' })
  newReminderHoursBefore: number | null;

  /** The id behind `changedBy`, resolved through the users loader. */
  changedById: string;
}

@InputType({
  description:
    'A change of the deletion settings. A field left out stays as it is; a field given as null turns that setting off.',
})
export class DeletionSettingsInput {
  @Field(() => Int, { nullable: true, description: 'Days, 1 to 3650; null turns auto-mark off.' })
  autoMarkAfterDays?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Hours, from 1 to one less than the grace period in hours (167 with 7 days); null turns it off.',
  })
  reminderHoursBefore?: number | null;
}

/** Stored settings as the GraphQL type. */
export function toDeletionSettings(row: DeletionSettingsRow): DeletionSettings {
  const { autoMarkAfterDays, reminderHoursBefore, updatedAt, updatedById } = row;
  return { autoMarkAfterDays, reminderHoursBefore, updatedAt, updatedById };
}

/** A stored change as the GraphQL type. */
export function toDeletionSettingsChange(row: DeletionSettingsChangeRow): DeletionSettingsChange {
  return { ...row };
}
