import { Field, ID, InputType } from 'type-graphql';
import { CrmObjectType } from './enums';

@InputType({
  description: 'Archived objects to mark or unmark in bulk; every part is optional and they combine with AND.',
})
export class MarkFilterInput {
  @Field(() => CrmObjectType, { nullable: true, description: 'Only this type; all seven when omitted.' })
  type?: CrmObjectType;

  @Field({ nullable: true, description: 'Only objects archived before this instant.' })
  archivedBefore?: Date;

  @Field({ nullable: true, description: 'Only objects archived after this instant.' })
  archivedAfter?: Date;

  @Field(() => ID, { nullable: true, description: 'Only objects created by this user.' })
  createdBy?: string;
}
