import { registerEnumType } from 'type-graphql';
import { ObjectType, TaskStatus } from '../../database/object-tables';
import { DeletionEventType } from '../../domain/deletion/deletion-events';
import { DeletionState, DeletionStatus } from '../../domain/deletion/deletion-status';

/*
 * The GraphQL layer declares no enum of its own: each is the domain's one definition, registered
 * here under its schema name.
 */

registerEnumType(ObjectType, {
  name: 'ObjectType',
  description: 'The seven kinds of CRM object. OBJECT is a generic business object.',
});
registerEnumType(TaskStatus, {
  name: 'TaskStatus',
  description: 'A task may be marked for permanent deletion only when REMOVED or VERIFIED.',
});
registerEnumType(DeletionState, {
  name: 'DeletionState',
  description: 'NONE; MARKED: in the selection for the next deletion; PENDING: in an activated deletion.',
});
registerEnumType(DeletionStatus, { name: 'DeletionStatus', description: 'The status of a permanent deletion.' });
registerEnumType(DeletionEventType, { name: 'DeletionEventType', description: 'What happened to a deletion.' });

// The CRM's object types are exported as CrmObjectType: in resolvers `ObjectType` is type-graphql's decorator.
export { ObjectType as CrmObjectType, DeletionEventType, DeletionState, DeletionStatus, TaskStatus };
