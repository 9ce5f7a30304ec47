import { SafeIntResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { CrmObjectType, DeletionState, TaskStatus } from './enums';

@InputType({
  description: 'A new CRM object: its type, title, and any of that type’s own fields (others are refused).',
})
export class CreateObjectInput {
  @Field(() => CrmObjectType, { description: 'Which kind of object to create.' })
  type: CrmObjectType;

  @Field({ description: 'Display title, 1 to 500 characters.' })
  title: string;

  @Field({ nullable: true, description: 'CONTACT: e-mail address.' })
  email?: string;

  @Field({ nullable: true, description: 'CONTACT: phone number.' })
  phone?: string;

  @Field({ nullable: true, description: 'CONTACT: company.' })
  company?: string;

  @Field({ nullable: true, description: 'ACTIVITY: kind, e.g. MEETING.' })
  kind?: string;

  @Field({ nullable: true, description: 'ACTIVITY: when it happened.' })
  occurredAt?: Date;

  @Field({ nullable: true, description: 'OBJECT: category.' })
  category?: string;

  @Field({ nullable: true, description: 'OBJECT: description.' })
  description?: string;

  @Field(() => SafeIntResolver, { nullable: true, description: 'DEAL: value in cents.' })
  amountCents?: number;

  @Field({ nullable: true, description: 'DEAL: currency code.' })
  currency?: string;

  @Field({ nullable: true, description: 'DEAL: pipeline stage.' })
  stage?: string;

  @Field(() => TaskStatus, { nullable: true, description: 'TASK: status (OPEN when omitted).' })
  status?: TaskStatus;

  @Field({ nullable: true, description: 'TASK: due date.' })
  dueAt?: Date;

  @Field({ nullable: true, description: 'EMAIL: sender address.' })
  fromAddress?: string;

  @Field({ nullable: true, description: 'EMAIL: recipient address.' })
  toAddress?: string;

  @Field({ nullable: true, description: 'EMAIL: when it was sent.' })
  sentAt?: Date;

  @Field({ nullable: true, description: 'CALL: the other party’s number.' })
  phoneNumber?: string;

  @Field(() => Int, { nullable: true, description: 'CALL: length in seconds.' })
  durationSeconds?: number;

  @Field({ nullable: true, description: 'CALL: INBOUND or OUTBOUND.' })
  direction?: string;
}

@InputType({ description: 'Narrows the archive list; all parts are optional and combine with AND.' })
export class ArchivedFilter {
  @Field({ nullable: true, description: 'Only objects archived before this instant.' })
  archivedBefore?: Date;

  @Field({ nullable: true, description: 'Only objects archived after this instant.' })
  archivedAfter?: Date;

  @Field(() => String, { nullable: true, description: 'Only objects created by this user (ID).' })
  createdBy?: string;

  @Field(() => ID, { nullable: true, description: 'Only objects archived by this user.' })
  archivedBy?: string;

  @Field({ nullable: true, description: 'Only objects whose title contains this text (case-insensitive).' })
  titleContains?: string;

  @Field(() => [DeletionState], {
    nullable: true,
    description:
      'Only objects in these deletion states: [MARKED] is the selection, [PENDING] the pending deletion; all when omitted or empty.',
  })
  deletionState?: DeletionState[];
}

@InputType({ description: 'Narrows the list of active objects; all parts are optional and combine with AND.' })
export class ObjectFilter {
  @Field(() => ID, { nullable: true, description: 'Only objects created by this user.' })
  createdBy?: string;

  @Field({ nullable: true, description: 'Only objects whose title contains this text (case-insensitive).' })
  titleContains?: string;

  @Field({ nullable: true, description: 'Only objects created after this instant.' })
  createdAfter?: Date;

  @Field({ nullable: true, description: 'Only objects created before this instant.' })
  createdBefore?: Date;
}
