import { Field, ID, InputType } from 'type-graphql';
import { ObjectType } from './enums';

@InputType({ description: 'Names one CRM object: ids are unique within a type.' })
export class ObjectRefInput {
  @Field(() => ObjectType, { description: 'The object’s type.' })
  type: ObjectType;

  @Field(() => ID, { description: 'The object’s id.' })
  id: string;
}
