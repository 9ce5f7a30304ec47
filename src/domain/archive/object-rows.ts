import { OBJECT_TABLES, ObjectTable, ObjectType, tableOf } from '../../database/object-tables';
import { AppError, ErrorCode } from '../../errors';
import { batchDeletionIdSql } from '../deletion/batch-membership';
import { DeletionState } from '../deletion/deletion-status';
import { isUuid } from '../uuid';

/** One CRM object as the API sees it: bookkeeping columns plus the type's own fields by field name. */
export interface ObjectRow {
  type: ObjectType;
  id: string;
  workspaceId: string;
  title: string;
  createdById: string;
  createdAt: Date;
  archivedAt: Date | null;
  archivedById: string | null;
  attachmentBytes: number;
  markedAt: Date | null;
  /** The pending or executing deletion it is in (its mark's generation: batch-membership.ts), else null. */
  deletionId: string | null;
  deletionState: DeletionState;
  /** Whether at least one active legal hold covers it (the row's held_count). */
  onHold: boolean;
  [ownField: string]: unknown;
}

/** A reference to one object, as clients send it. */
export interface ObjectRef {
  type: ObjectType;
  id: string;
}

// bigint columns come back from pg as strings; these are read as 53-bit safe numbers instead.
const BIGINT_COLUMNS = new Set(['amount_cents']);

/** The SELECT list that turns a row of `table` into an ObjectRow (before deletionState is derived). */
export function objectColumns(table: ObjectTable, alias = ''): string {
  const a = alias ? `${alias}.` : '';
  const own = table.own.map(({ column, field }) =>
    BIGINT_COLUMNS.has(column) ? `${a}${column}::float8 AS "${field}"` : `${a}${column} AS "${field}"`,
  );
  return [
    `'${table.type}' AS type`,
    `${a}id`,
    `${a}workspace_id AS "workspaceId"`,
    `${a}title`,
    `${a}created_by AS "createdById"`,
    `${a}created_at AS "createdAt"`,
    `${a}archived_at AS "archivedAt"`,
    `${a}archived_by AS "archivedById"`,
    `${a}attachment_bytes::float8 AS "attachmentBytes"`,
    `${a}marked_at AS "markedAt"`,
    `${batchDeletionIdSql(alias || table.table)} AS "deletionId"`,
    `${a}held_count > 0 AS "onHold"`,
    ...own,
  ].join(', ');
}

/**
 * Adds the derived deletionState (in an active deletion ? PENDING : marked_at ? MARKED : NONE) to a
 * row just read, in place: a page's rows are not copied once more for one field.
 */
export function withDeletionState(row: Omit<ObjectRow, 'deletionState'>): ObjectRow {
  const { NONE, MARKED, PENDING } = DeletionState;
  const object = row as ObjectRow;
  object.deletionState = row.deletionId ? PENDING : row.markedAt ? MARKED : NONE;
  return object;
}

/** `TYPE:id`, the key of a ref in maps and error details. */
export function refKey(ref: ObjectRef): string {
  return `${ref.type}:${ref.id.toLowerCase()}`;
}

/** Groups refs by type (deduplicated, ids lower-cased), in OBJECT_TABLES order, so SQL runs once per table. */
export function groupRefs(refs: readonly ObjectRef[]): RefGroup[] {
  const byType = new Map<ObjectType, Set<string>>();
  for (const ref of refs) {
    tableOf(ref.type);
    const ids = byType.get(ref.type) ?? new Set<string>();
    ids.add(ref.id.toLowerCase());
    byType.set(ref.type, ids);
  }
  return OBJECT_TABLES.filter((t) => byType.has(t.type)).map((table) => ({ table, ids: [...byType.get(table.type)!] }));
}

/** Most refs one archive, restore, mark or unmark call may name. */
export const MAX_BATCH_REFS = 1000;

/** The refs of one type, grouped so SQL runs once per table. */
export interface RefGroup {
  table: ObjectTable;
  ids: string[];
}

/** Refuses an oversized batch (BAD_USER_INPUT) and malformed ids (NOT_FOUND), and groups the refs by type. */
export function checkRefBatch(refs: readonly ObjectRef[]): RefGroup[] {
  if (refs.length > MAX_BATCH_REFS) {
    throw new AppError(
      ErrorCode.BAD_USER_INPUT,
      `At most ${MAX_BATCH_REFS} refs per call, got ${refs.length}; split the batch.`,
      { argument: 'refs', max: MAX_BATCH_REFS },
    );
  }
  const malformed = refs.filter((ref) => !isUuid(ref.id));
  if (malformed.length > 0) throw notFound(malformed);
  return groupRefs(refs);
}

/** The refusal for refs that name nothing the caller may see (missing, malformed or another workspace's). */
export function notFound(refs: ObjectRef[]): AppError {
  const names = refs.map((r) => `${r.type} ${r.id}`).join(', ');
  return new AppError(ErrorCode.NOT_FOUND, `No such object in your workspace: ${names}. Nothing was changed.`, {
    refs: refs.map((r) => ({ type: r.type, id: r.id, reason: 'NOT_FOUND' })),
  });
}
