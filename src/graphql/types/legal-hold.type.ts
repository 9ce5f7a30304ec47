import { Field, ID, Int, ObjectType } from 'type-graphql';
import { LegalHoldRow } from '../../domain/holds/legal-hold-row';
import { Connection } from './connection';
import { PLAIN_FIELDS } from './plain-fields';
import { User } from './user.type';

@ObjectType({
  ...PLAIN_FIELDS,
  description:
    'A legal hold: while active, the objects it covers cannot be marked, auto-marked or permanently deleted. Ids, times, a reason and a count only.',
})
export class LegalHold {
  @Field(() => ID, { description: 'Unique id of the hold.' })
  id: string;

  @Field({ description: 'Why the objects are held (e.g. a case reference), as the admin wrote it.' })
  reason: string;

  // placedBy and releasedBy are absent on the value a resolver returns: LegalHoldFieldsResolver loads them.
  @Field(() => User, { description: 'The admin who placed it.' })
  placedBy?: User;

  @Field({ description: 'When it was placed.' })
  placedAt: Date;

  @Field(() => User, { nullable: true, description: 'The admin who released it; null while active.' })
  releasedBy?: User | null;

  @Field(() => Date, { nullable: true, description: 'When it was released; null while active.' })
  releasedAt: Date | null;

  @Field(() => Int, { description: 'How many objects it covered when placed.' })
  objectCount: number;

  @Field({ description: 'Whether it still stands (not released).' })
  active: boolean;

  /** Ids behind placedBy and releasedBy, resolved through the users loader. */
  placedById: string;
  releasedById: string | null;
}

/** A stored hold as the GraphQL type. */
export function toLegalHold(row: LegalHoldRow): LegalHold {
  return {
    id: row.id,
    reason: row.reason,
    placedAt: row.placedAt,
    placedById: row.placedById,
    releasedAt: row.releasedAt,
    releasedById: row.releasedById,
    objectCount: row.objectCount,
    active: row.releasedAt === null,
  };
}

export const LegalHoldConnection = Connection('LegalHold', LegalHold);
