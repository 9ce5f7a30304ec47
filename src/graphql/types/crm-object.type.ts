import { SafeIntResolver } from 'graphql-scalars';
import { Field, ID, InterfaceType } from 'type-graphql';
import { ObjectRow } from '../../domain/archive/object-rows';
import { RelatedRows } from '../../domain/archive/related-rows';
import { Attachment } from './attachment.type';
import { Connection } from './connection';
import { CrmObjectType, DeletionState } from './enums';
import { User } from './user.type';

/** The GraphQL type name of each object type. */
const TYPE_NAMES: Record<CrmObjectType, string> = {
  CONTACT: 'Contact',
  ACTIVITY: 'Activity',
  OBJECT: 'BusinessObject',
  DEAL: 'Deal',
  TASK: 'Task',
  EMAIL: 'Email',
  CALL: 'Call',
};

/** The GraphQL type of a CrmObject value: a lookup, answered synchronously (see synchronousResolveType in schema.ts). */
export function resolveCrmObjectType(value: { type: CrmObjectType }): string {
  return TYPE_NAMES[value.type];
}

@InterfaceType({
  description: 'What every CRM object has, whatever its type: identity, authorship, archive and deletion state.',
  resolveType: resolveCrmObjectType,
})
export abstract class CrmObject {
  @Field(() => ID, { description: 'Unique within its type.' })
  id: string;

  @Field(() => CrmObjectType, { description: 'Which of the seven kinds of object this is.' })
  type: CrmObjectType;

  @Field({ description: 'The display title.' })
  title: string;

  // createdBy, archivedBy and attachments are absent on the value a resolver returns:
  // CrmObjectResolver resolves them from the ids below through the request's loaders.
  @Field(() => User, { description: 'Who created the object.' })
  createdBy?: User;

  @Field({ description: 'When the object was created.' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When the object was archived; null while active.' })
  archivedAt: Date | null;

  @Field(() => User, { nullable: true, description: 'Who archived the object; null while active.' })
  archivedBy?: User | null;

  @Field(() => [Attachment], { description: 'The files attached to the object, oldest first.' })
  attachments?: Attachment[];

  @Field(() => SafeIntResolver, { description: 'Total size of its attachments in bytes.' })
  attachmentBytes: number;

  @Field(() => DeletionState, {
    description: 'NONE; MARKED when in the selection for permanent deletion; PENDING when in an activated deletion.',
  })
  deletionState: DeletionState;

  @Field({
    description: 'Whether at least one active legal hold covers it: it can then be neither marked nor destroyed.',
  })
  onHold: boolean;

  /** Ids behind createdBy and archivedBy, resolved through the users loader. */
  createdById: string;
  archivedById: string | null;
  /** What a list's statement read beside the object (createdBy, archivedBy, attachments); the loaders do the rest. */
  related?: RelatedRows;
}

/**
 * A stored object as the GraphQL type. The type's own fields (a task's status, a deal's amount …)
 * pass through as they are; the common ones are named, so renaming one in ObjectRow fails to compile.
 */
export function toCrmObject(row: ObjectRow): CrmObject {
  return {
    ...row,
    id: row.id,
    type: row.type,
    title: row.title,
    createdById: row.createdById,
    createdAt: row.createdAt,
    archivedAt: row.archivedAt,
    archivedById: row.archivedById,
    attachmentBytes: row.attachmentBytes,
    deletionState: row.deletionState,
    onHold: row.onHold,
  };
}

/** A page of objects of any type: the archive, the active objects, a deletion's objects. */
export const CrmObjectConnection = Connection('CrmObject', CrmObject);
