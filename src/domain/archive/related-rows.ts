import { ObjectTable } from '../../database/object-tables';
import { UserRow } from '../domain-types';
import { AttachmentRow } from '../files/attachment.service';
import { ObjectRow } from './object-rows';

/** Which rows related to each object a page reads in its own statement; the rest come through the loaders. */
export interface RelatedSelection {
  createdBy?: boolean;
  archivedBy?: boolean;
  attachments?: boolean;
}

/** What a page read beside an object: present keys were read (null: no archiver), absent ones were not. */
export interface RelatedRows {
  createdBy?: UserRow | null;
  archivedBy?: UserRow | null;
  attachments?: AttachmentRow[];
}

/** An object of a list, with the related rows its page read. */
export type ListedObject = ObjectRow & { related?: RelatedRows };

/** A user row as JSON with UserRow's keys (`u`: the users row). */
const USER_JSON = `json_build_object('id', u.id, 'workspaceId', u.workspace_id, 'name', u.name, 'email', u.email,
  'role', u.role, 'externalId', u.external_id, 'active', u.active)`;

/** An attachment row as JSON with AttachmentRow's keys (`a`: the attachments row). */
const ATTACHMENT_JSON = `json_build_object('id', a.id, 'objectType', a.object_type, 'objectId', a.object_id,
  'fileName', a.file_name, 'mimeType', a.mime_type, 'sizeBytes', a.size_bytes::float8, 'storageKey', a.storage_key,
  'createdById', a.created_by, 'createdAt', a.created_at)`;

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
  if (wanted.createdBy) parts.push(`'createdBy', (SELECT ${USER_JSON} FROM users u WHERE u.id = ${t}.created_by)`);
  if (wanted.archivedBy) parts.push(`'archivedBy', (SELECT ${USER_JSON} FROM users u WHERE u.id = ${t}.archived_by)`);
  if (wanted.attachments) {
    parts.push(`'attachments', (SELECT coalesce(json_agg(${ATTACHMENT_JSON} ORDER BY a.created_at, a.id), '[]')
      FROM attachments a WHERE a.object_type = '${table.type}' AND a.object_id = ${t}.id)`);
  }
  return parts.length > 0 ? `json_build_object(${parts.join(', ')}) AS related` : undefined;
}

/** The `related` column as rows: JSON has no dates, so the attachments' instants become Dates again. */
export function relatedRows(related: RelatedRows): RelatedRows {
  for (const attachment of related.attachments ?? []) attachment.createdAt = new Date(attachment.createdAt);
  return related;
}
