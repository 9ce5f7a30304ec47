import { ObjectTable } from '../../database/object-tables';
import { UserRow } from '../domain-types';
import { AttachmentRow } from '../files/attachment.service';
import { ObjectRow } from './object-rows';

/**
 * Which rows related to each object a page reads in its own statement, each as the keys wanted of
 * it (UserRow's or AttachmentRow's; `id` is always read); the rest come through the loaders.
 */
export interface RelatedSelection {
  createdBy?: readonly string[];
  archivedBy?: readonly string[];
  attachments?: readonly string[];
}

/**
 * What a page read beside an object: present keys were read (null: no archiver), absent ones were
 * not. The rows hold only the keys asked for in RelatedSelection.
 */
export interface RelatedRows {
  createdBy?: UserRow | null;
  archivedBy?: UserRow | null;
  attachments?: AttachmentRow[];
}

/** An object of a list, with the related rows its page read. */
export type ListedObject = ObjectRow & { related?: RelatedRows };

/** Each key of a user row as SQL over `u`, the users row. */
const USER_SQL: Record<string, string> = {
  id: 'u.id',
  workspaceId: 'u.workspace_id',
  name: 'u.name',
  email: 'u.email',
  role: 'u.role',
  externalId: 'u.external_id',
  active: 'u.active',
};

/** Each key of an attachment row as SQL over `a`, the attachments row (its storage key never leaves the server). */
const ATTACHMENT_SQL: Record<string, string> = {
  id: 'a.id',
  objectType: 'a.object_type',
  objectId: 'a.object_id',
  fileName: 'a.file_name',
  mimeType: 'a.mime_type',
  sizeBytes: 'a.size_bytes::float8',
  createdById: 'a.created_by',
  createdAt: 'a.created_at',
};

/** `json_build_object` of `id` and the wanted keys that `columns` knows (others are not columns). */
function jsonOf(columns: Record<string, string>, wanted: readonly string[]): string {
  const keys = [...new Set(['id', ...wanted])].filter((key) => key in columns);
  return `json_build_object(${keys.map((key) => `'${key}', ${columns[key]}`).join(', ')})`;
}

/**
 * One column, `related`, holding the selected related rows of each object of `table` as one JSON
 * value: its creator and archiver by the users' primary key, its attachments (oldest first) by
 * `attachments_object (object_type, object_id)`. Correlated subqueries, run for the page's rows
 * only, so a page is one round trip whatever it selects (the shape PostGraphile's look-ahead
 * gives); undefined when nothing is selected.
 */
export function relatedColumn(table: ObjectTable, wanted: RelatedSelection): string | undefined {
  const t = table.table;
  const parts: string[] = [];
  for (const [key, column] of [
    ['createdBy', 'created_by'],
    ['archivedBy', 'archived_by'],
  ] as const) {
    const keys = wanted[key];
    if (keys) parts.push(`'${key}', (SELECT ${jsonOf(USER_SQL, keys)} FROM users u WHERE u.id = ${t}.${column})`);
  }
  if (wanted.attachments) {
    parts.push(`'attachments', (SELECT coalesce(json_agg(${jsonOf(ATTACHMENT_SQL, wanted.attachments)}
      ORDER BY a.created_at, a.id), '[]') FROM attachments a WHERE a.object_type = '${table.type}' AND a.object_id = ${t}.id)`);
  }
  return parts.length > 0 ? `json_build_object(${parts.join(', ')}) AS related` : undefined;
}

/** The `related` column as rows: JSON has no dates, so the attachments' instants become Dates again. */
export function relatedRows(related: RelatedRows): RelatedRows {
  for (const attachment of related.attachments ?? []) {
    if (attachment.createdAt) attachment.createdAt = new Date(attachment.createdAt);
  }
  return related;
}
