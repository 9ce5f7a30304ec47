import { SafeIntResolver } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';
import { CrmObject } from './crm-object.type';
import { TaskStatus } from './enums';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType({ ...PLAIN_FIELDS, implements: CrmObject, description: 'A person the business deals with.' })
class Contact extends CrmObject {
  @Field(() => String, { nullable: true, description: 'E-mail address of the contact.' })
  email: string | null;

  @Field(() => String, { nullable: true, description: 'Phone number of the contact.' })
  phone: string | null;

  @Field(() => String, { nullable: true, description: 'Company the contact works for.' })
  company: string | null;
}

@ObjectType({ ...PLAIN_FIELDS, implements: CrmObject, description: 'Something that happened, such as a meeting.' })
class Activity extends CrmObject {
  @Field(() => String, { nullable: true, description: 'What kind of activity, e.g. MEETING.' })
  kind: string | null;

  @Field(() => Date, { nullable: true, description: 'When it happened.' })
  occurredAt: Date | null;
}

@ObjectType({ ...PLAIN_FIELDS, implements: CrmObject, description: 'A generic business object (type OBJECT).' })
class BusinessObject extends CrmObject {
  @Field(() => String, { nullable: true, description: 'Category of the object.' })
  category: string | null;

  @Field(() => String, { nullable: true, description: 'Free-text description.' })
  description: string | null;
}

@ObjectType({ ...PLAIN_FIELDS, implements: CrmObject, description: 'A sales opportunity.' })
class Deal extends CrmObject {
  @Field(() => SafeIntResolver, { nullable: true, description: 'Value in cents of the currency.' })
  amountCents: number | null;

  @Field(() => String, { nullable: true, description: 'ISO currency code.' })
  currency: string | null;

  @Field(() => String, { nullable: true, description: 'Pipeline stage.' })
  stage: string | null;
}

@ObjectType({
  ...PLAIN_FIELDS,
  implements: CrmObject,
  description: 'A to-do; marked for deletion only when REMOVED or VERIFIED.',
})
export class Task extends CrmObject {
  @Field(() => TaskStatus, { description: 'Where the task stands.' })
  status: TaskStatus;

  @Field(() => Date, { nullable: true, description: 'When the task is due.' })
  dueAt: Date | null;
}

@ObjectType({ ...PLAIN_FIELDS, implements: CrmObject, description: 'An e-mail message.' })
class Email extends CrmObject {
  @Field(() => String, { nullable: true, description: 'Sender address.' })
  fromAddress: string | null;

  @Field(() => String, { nullable: true, description: 'Recipient address.' })
  toAddress: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was sent.' })
  sentAt: Date | null;
}

@ObjectType({ ...PLAIN_FIELDS, implements: CrmObject, description: 'A phone call.' })
class Call extends CrmObject {
  @Field(() => String, { nullable: true, description: 'The other party’s number.' })
  phoneNumber: string | null;

  @Field(() => Int, { nullable: true, description: 'Length of the call in seconds.' })
  durationSeconds: number | null;

  @Field(() => String, { nullable: true, description: 'INBOUND or OUTBOUND.' })
  direction: string | null;
}

/** Every implementation of CrmObject; the schema lists them even where no field names them. */
export const CRM_OBJECT_TYPES = [Contact, Activity, BusinessObject, Deal, Task, Email, Call];
