import { SafeIntResolver } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType({ ...PLAIN_FIELDS, description: 'How many objects, and how many bytes of attachments they carry.' })
export class Volume {
  @Field(() => Int, { description: 'How many objects.' })
  count: number;

  @Field(() => SafeIntResolver, { description: 'Total attachment size in bytes (53-bit safe integer).' })
  bytes: number;
}
