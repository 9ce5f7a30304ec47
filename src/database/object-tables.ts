/** The seven CRM object types of DESIGN §1, in the order the overview lists them. */
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

/** Tasks may only be marked for permanent deletion in these statuses (DESIGN §2 rule 3). */
export const REMOVABLE_TASK_STATUSES: readonly TaskStatus[] = [TaskStatus.REMOVED, TaskStatus.VERIFIED];

/** A type-specific column: its SQL name, its DDL, and the GraphQL field it feeds. */
export interface OwnColumn {
  column: string;
  field: string;
}

export interface ObjectTable {
  type: ObjectType;
  table: string;
  /** DDL of the columns only this type has. */
  columns: string;
  own: OwnColumn[];
}

/**
 * Every object type has its own table (they differ in their own fields) but the same
 * bookkeeping columns, so archive, stats and deletion are written once over this list.
 */
export const OBJECT_TABLES: readonly ObjectTable[] = [
  {
    type: ObjectType.CONTACT,
    table: 'contacts',
    columns: 'email text, phone text, company text',
    own: [
      { column: 'email', field: 'email' },
      { column: 'phone', field: 'phone' },
      { column: 'company', field: 'company' },
    ],
  },
  {
    type: ObjectType.ACTIVITY,
    table: 'activities',
    columns: 'kind text, occurred_at timestamptz',
    own: [
      { column: 'kind', field: 'kind' },
      { column: 'occurred_at', field: 'occurredAt' },
    ],
  },
  {
    type: ObjectType.OBJECT,
    table: 'business_objects',
    columns: 'category text, description text',
    own: [
      { column: 'category', field: 'category' },
      { column: 'description', field: 'description' },
    ],
  },
  {
    type: ObjectType.DEAL,
    table: 'deals',
    columns: 'amount_cents bigint, currency text, stage text',
    own: [
      { column: 'amount_cents', field: 'amountCents' },
      { column: 'currency', field: 'currency' },
      { column: 'stage', field: 'stage' },
    ],
  },
  {
    type: ObjectType.TASK,
    table: 'tasks',
    columns: `status text NOT NULL DEFAULT 'OPEN'
      CHECK (status IN ('OPEN', 'IN_PROGRESS', 'DONE', 'VERIFIED', 'REMOVED')), due_at timestamptz`,
    own: [
      { column: 'status', field: 'status' },
      { column: 'due_at', field: 'dueAt' },
    ],
  },
  {
    type: ObjectType.EMAIL,
    table: 'emails',
    columns: 'from_address text, to_address text, sent_at timestamptz',
    own: [
      { column: 'from_address', field: 'fromAddress' },
      { column: 'to_address', field: 'toAddress' },
      { column: 'sent_at', field: 'sentAt' },
    ],
  },
  {
    type: ObjectType.CALL,
    table: 'calls',
    columns: 'phone_number text, duration_seconds integer, direction text',
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
