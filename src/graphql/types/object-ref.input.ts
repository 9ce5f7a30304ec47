import { Field, ID, InputType } from 'type-graphql';
import { CrmObjectType } from './enums';

@InputType({ description: 'Names one CRM object: ids are unique within a type.' })
export class ObjectRefInput {
  @Field(() => CrmObjectType, { description: 'The object’s type.' })
  type: CrmObjectType;

  @Field(() => ID, { description: 'The object’s id.' })
  id: string;
}
