import { Sql } from '../../database/database';
import { OBJECT_TABLES, ObjectTable } from '../../database/object-tables';
import { deletionGenerationSql, inBatchSql } from './batch-membership';

/** Rows fetched from a cursor per round trip: a few hundred KB at most, whatever the deletion's size. */
const BATCH_ROWS = 500;

/** One row exactly as stored: every column, under its SQL name. */
export type StoredRow = Record<string, unknown>;

/**
 * Every row `query` returns, in batches of BATCH_ROWS, through a cursor of the caller's transaction
 * (it closes with the transaction). A cursor rather than keyset pages: one read-only snapshot for the
 * whole export, and the `<table>_marked` index (workspace_id, archived_at, id) is walked once, in its
 * order, with no page re-reading what the previous one passed.
 */
export async function* cursorBatches(
  tx: Sql,
  name: string,
  query: string,
  params: unknown[],
  signal: AbortSignal,
): AsyncGenerator<StoredRow[]> {
  await tx.rows(`DECLARE ${name} NO SCROLL CURSOR FOR ${query}`, params);
  for (;;) {
    // Checked before each round trip: once the client is gone, the transaction is being rolled back.
    if (signal.aborted) return;
    const rows = await tx.rows<StoredRow>(`FETCH ${BATCH_ROWS} FROM ${name}`);
    if (rows.length === 0) return;
    yield rows;
  }
}

/** Every column of the objects of one type in the deletion ($1 deletion id, $2 workspace id). */
export function objectsQuery({ table }: ObjectTable): string {
  return `SELECT * FROM ${table} WHERE workspace_id = $2 AND ${inBatchSql(deletionGenerationSql('$1::uuid'))}
    ORDER BY archived_at DESC, id DESC`;
}

/**
 * Every column of the attachment rows of the deletion's objects, type by type: each part walks the
 * type's `_marked` index and finds the attachments by `attachments_object` (object_type, object_id).
 */
export function attachmentsQuery(): string {
  return OBJECT_TABLES.map(
    ({ table, type }) =>
      `SELECT a.* FROM ${table} o JOIN attachments a ON a.object_type = '${type}' AND a.object_id = o.id
       WHERE o.workspace_id = $2 AND ${inBatchSql(deletionGenerationSql('$1::uuid'), 'o')}`,
  ).join('\nUNION ALL\n');
}
