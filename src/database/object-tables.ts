/** The seven CRM object types of docs/rules.md, Words, in the order the overview lists them. */
export enum ObjectType {
  CONTACT = 'CONTACT',
  ACTIVITY = 'ACTIVITY',
  OBJECT = 'OBJECT',
  DEAL = 'DEAL',
  TASK = 'TASK',
  EMAIL = 'EMAIL',
  CALL = 'CALL',
}

export const OBJECT_TYPES = Object.values(ObjectType);

export enum TaskStatus {
  OPEN = 'OPEN',
  IN_PROGRESS = 'IN_PROGRESS',
  DONE = 'DONE',
  VERIFIED = 'VERIFIED',
  REMOVED = 'REMOVED',
}

/** Tasks may only be marked for permanent deletion in these statuses (docs/rules.md, rule 3). */
export const REMOVABLE_TASK_STATUSES: readonly TaskStatus[] = [TaskStatus.REMOVED, TaskStatus.VERIFIED];

/** A type-specific column: its SQL name and the GraphQL field it feeds. */
interface OwnColumn {
  column: string;
  field: string;
}

export interface ObjectTable {
  type: ObjectType;
  table: string;
  own: OwnColumn[];
}

/**
 * Every object type has its own table (they differ in their own fields) but the same
 * bookkeeping columns, so archive, stats and deletion are written once over this list. The
 * tables themselves are made by the migrations; a change to a type's columns needs a new one.
 */
export const OBJECT_TABLES: readonly ObjectTable[] = [
  {
    type: ObjectType.CONTACT,
    table: 'contacts',
    own: [
      { column: 'email', field: 'email' },
      { column: 'phone', field: 'phone' },
      { column: 'company', field: 'company' },
    ],
  },
  {
    type: ObjectType.ACTIVITY,
    table: 'activities',
    own: [
      { column: 'kind', field: 'kind' },
      { column: 'occurred_at', field: 'occurredAt' },
    ],
  },
  {
    type: ObjectType.OBJECT,
    table: 'business_objects',
    own: [
      { column: 'category', field: 'category' },
      { column: 'description', field: 'description' },
    ],
  },
  {
    type: ObjectType.DEAL,
    table: 'deals',
    own: [
      { column: 'amount_cents', field: 'amountCents' },
      { column: 'currency', field: 'currency' },
      { column: 'stage', field: 'stage' },
    ],
  },
  {
    type: ObjectType.TASK,
    table: 'tasks',
    own: [
      { column: 'status', field: 'status' },
      { column: 'due_at', field: 'dueAt' },
    ],
  },
  {
    type: ObjectType.EMAIL,
    table: 'emails',
    own: [
      { column: 'from_address', field: 'fromAddress' },
      { column: 'to_address', field: 'toAddress' },
      { column: 'sent_at', field: 'sentAt' },
    ],
  },
  {
    type: ObjectType.CALL,
    table: 'calls',
    own: [
      { column: 'phone_number', field: 'phoneNumber' },
      { column: 'duration_seconds', field: 'durationSeconds' },
      { column: 'direction', field: 'direction' },
    ],
  },
];

const BY_TYPE = new Map(OBJECT_TABLES.map((t) => [t.type, t]));

/** The table of one object type. */
export function tableOf(type: ObjectType): ObjectTable {
  const table = BY_TYPE.get(type);
  if (!table) throw new Error(`Unknown object type ${String(type)}`);
  return table;
}
