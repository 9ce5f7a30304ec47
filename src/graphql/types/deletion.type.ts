import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DeletionRow, DeletionVolumeRow } from '../../domain/deletion/deletion-row';
import { CrmObjectType, DeletionStatus } from './enums';
import { User } from './user.type';
import { Volume } from './volume.type';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType({
  ...PLAIN_FIELDS,
  description: 'The frozen figures of one object type in a deletion, and how far execution got.',
})
export class DeletionTypeVolume {
  @Field(() => CrmObjectType, { description: 'The object type.' })
  type: CrmObjectType;

  @Field(() => Volume, { description: 'Objects of this type in the deletion, and their attachment bytes.' })
  volume: Volume;

  @Field(() => Volume, { description: 'How many of them have been removed so far.' })
  done: Volume;
}

@ObjectType({
  ...PLAIN_FIELDS,
  description:
    'One permanent-deletion batch. It holds who, when, counts and bytes only: nothing of the objects it destroys.',
})
/** Optional (`?`) fields are absent on the value a resolver returns: DeletionFieldsResolver resolves them. */
export class Deletion {
  @Field(() => ID, { description: 'Unique id of the deletion.' })
  id: string;

  @Field(() => DeletionStatus, { description: 'Where the deletion stands.' })
  status: DeletionStatus;

  @Field({ description: 'When an admin activated it.' })
  activatedAt: Date;

  @Field(() => User, { description: 'The admin who activated it.' })
  activatedBy?: User;

  @Field({ description: 'It executes once this instant has passed (activatedAt + grace period), unless cancelled.' })
  executeAfter: Date;

  @Field(() => Date, { nullable: true, description: 'When it was cancelled; null unless CANCELLED.' })
  cancelledAt: Date | null;

  @Field(() => User, { nullable: true, description: 'Who cancelled it; null unless CANCELLED.' })
  cancelledBy?: User | null;

  @Field(() => Date, { nullable: true, description: 'When execution started; null before.' })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When execution ended; null before.' })
  completedAt: Date | null;

  @Field(() => Int, { nullable: true, description: 'Seconds from start to end of execution; null until it ends.' })
  durationSeconds?: number | null;

  @Field(() => String, { nullable: true, description: 'Why execution failed; null unless FAILED.' })
  failureReason: string | null;

  @Field(() => Int, {
    description:
      'Files of removed objects the file store has not deleted yet (it refused, or a run ended first); ' +
      'the server keeps retrying them. 0 once every file is gone: a COMPLETED deletion with files pending is done ' +
      'in the database, not yet in the file store.',
  })
  filesPending: number;

  @Field(() => Volume, { description: 'All objects in the deletion and their attachment bytes.' })
  total?: Volume;

  @Field(() => Volume, { description: 'Objects removed so far and their attachment bytes.' })
  done?: Volume;

  @Field(() => [DeletionTypeVolume], { description: 'The same figures per object type.' })
  byType?: DeletionTypeVolume[];

  /** Ids behind the user fields, resolved through the users loader. */
  activatedById: string;
  cancelledById: string | null;
  /** Set when the figures were read with the row (subscriptions), so no loader runs per subscriber. */
  volumes?: DeletionVolumeRow[];
}

@ObjectType({ ...PLAIN_FIELDS, description: 'The figures of one object type in the workspace (O(1) counters).' })
export class TypeStats {
  @Field(() => CrmObjectType, { description: 'The object type.' })
  type: CrmObjectType;

  @Field(() => Volume, { description: 'Every object of this type.' })
  all: Volume;

  @Field(() => Volume, { description: 'The archived ones.' })
  archived: Volume;

  @Field(() => Volume, { description: 'The ones in the selection: marked and not yet in a deletion.' })
  marked: Volume;

  @Field(() => Volume, {
    description: 'The ones under at least one active legal hold (active or archived): never marked, never destroyed.',
  })
  held: Volume;
}

@ObjectType({
  ...PLAIN_FIELDS,
  description: 'The permanent-deletion page of the admin UI: figures, the pending deletion, what may be done.',
})
export class DeletionOverview {
  @Field(() => [TypeStats], { description: 'Per object type: all, archived and marked objects.' })
  types: TypeStats[];

  @Field(() => Deletion, { nullable: true, description: 'The PENDING or EXECUTING deletion, if any.' })
  pending: Deletion | null;

  @Field({
    description: 'Whether marking, unmarking and activating are possible now (no deletion pending or executing).',
  })
  canMark: boolean;

  @Field(() => Int, { nullable: true, description: 'After mark/unmark: how many objects this call changed.' })
  changed: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'After mark by filter: tasks matched but skipped because they are not REMOVED or VERIFIED.',
  })
  skippedTasks: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'After mark by filter: archived objects matched but skipped because a legal hold covers them.',
  })
  skippedHeld: number | null;
}

/** A stored deletion, and its figures when they were read with it (events), as read by asDeletion. */
type StoredDeletion = DeletionRow & Pick<Deletion, 'volumes'>;

/**
 * A stored deletion as the GraphQL type, field by field (a renamed row field fails to compile):
 * DeletionFieldsResolver fills the fields the row does not hold.
 */
export function asDeletion(row: StoredDeletion): Deletion;
export function asDeletion(row: StoredDeletion | null | undefined): Deletion | null;
export function asDeletion(row: StoredDeletion | null | undefined): Deletion | null {
  if (!row) return null;
  return {
    id: row.id,
    status: row.status,
    activatedAt: row.activatedAt,
    activatedById: row.activatedById,
    executeAfter: row.executeAfter,
    cancelledAt: row.cancelledAt,
    cancelledById: row.cancelledById,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    failureReason: row.failureReason,
    filesPending: row.filesPending,
    volumes: row.volumes,
  };
}
