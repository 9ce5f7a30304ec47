import { ArgsType, Field, Int } from 'type-graphql';
import { TimeIdKey } from '../../database/keyset';
import { decodeTimeIdCursor, pageSize } from './connection';
import { CrmObjectType } from './enums';
import { ArchivedFilter, ObjectFilter } from './object.input';

/** The arguments every page of objects takes: one type, a page size and the cursor to continue after. */
@ArgsType()
export class ObjectPageArgs {
  @Field(() => CrmObjectType, { description: 'Which type of object to list.' })
  type: CrmObjectType;

  @Field(() => Int, { nullable: true, defaultValue: 50, description: 'Page size, 1 to 200.' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page.' })
  after?: string;
}

@ArgsType()
export class ArchivedObjectsArgs extends ObjectPageArgs {
  @Field(() => ArchivedFilter, { nullable: true, description: 'Optional narrowing.' })
  filter?: ArchivedFilter;
}

@ArgsType()
export class ObjectsArgs extends ObjectPageArgs {
  @Field(() => ObjectFilter, { nullable: true, description: 'Optional narrowing.' })
  filter?: ObjectFilter;
}

/** The checked page size and decoded cursor of a page of objects; BAD_USER_INPUT for either out of bounds. */
export function objectPage({ first, after }: ObjectPageArgs): { limit: number; key: TimeIdKey | null } {
  return { limit: pageSize(first ?? 50), key: after ? decodeTimeIdCursor(after) : null };
}
