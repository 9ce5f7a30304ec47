import { Sql } from '../../database/database';
import { sqlLiterals } from '../../database/sql';
import { ACTIVE_DELETION_STATUSES } from './deletion-status';

/*
 * Which deletion an object is in, as SQL (docs/deletion-lifecycle.md, "Generations"). A mark
 * carries the workspace's selection generation of its time (`mark_generation`); activation freezes
 * the current generation into the deletion (`deletions.generation`) and moves the workspace on, so
 * no object row is written. An object is in the workspace's active deletion when it is marked with
 * a generation up to the frozen one; in the selection when it is marked otherwise. Once that
 * deletion ends (cancelled, failed), its marks are the selection again, still unwritten.
 * The one active deletion of a workspace is found by `deletions_one_active`.
 */

const ACTIVE = `status IN (${sqlLiterals(ACTIVE_DELETION_STATUSES)})`;

/** The generation the active deletion of workspace `workspace` froze (NULL when none), as a scalar subquery. */
export function activeGenerationSql(workspace: string): string {
  return `(SELECT generation FROM deletions WHERE workspace_id = ${workspace} AND ${ACTIVE})`;
}

/**
 * The generation deletion `deletion` froze while it is active, as a scalar subquery (by primary
 * key); NULL once it has ended, when it holds no object (its marks are the selection again, or gone).
 */
export function deletionGenerationSql(deletion: string): string {
  return `(SELECT generation FROM deletions WHERE id = ${deletion} AND ${ACTIVE})`;
}

/** Rows (of `alias`, if given) in deletion `deletion`'s batch, found from the deletion alone (walks `<table>_marked`). */
export function batchOfSql(deletion: string, alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return `${a}workspace_id = (SELECT workspace_id FROM deletions WHERE id = ${deletion})
    AND ${inBatchSql(deletionGenerationSql(deletion), alias)}`;
}

/** Rows (of `alias`, if given) in the batch that froze generation `generation`. */
export function inBatchSql(generation: string, alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return `${a}marked_at IS NOT NULL AND ${a}mark_generation <= ${generation}`;
}

/** Marked rows (of `alias`, if given) outside the batch that froze `generation` (NULL: no batch). */
export function outsideBatchSql(generation: string, alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return `${a}marked_at IS NOT NULL AND ${a}mark_generation > coalesce(${generation}, -1)`;
}

/** Joins the active deletion (as `deletion`) of each row of `alias`'s workspace, for statements over many workspaces. */
export function activeDeletionJoinSql(alias: string, deletion: string): string {
  return `LEFT JOIN deletions ${deletion} ON ${deletion}.workspace_id = ${alias}.workspace_id AND ${deletion}.${ACTIVE}`;
}

/** The id of the active deletion holding a row of `qualified` (a table name or alias), or NULL: a SELECT-list expression. */
export function batchDeletionIdSql(qualified: string): string {
  return `(SELECT b.id FROM deletions b WHERE b.workspace_id = ${qualified}.workspace_id AND b.${ACTIVE}
    AND ${inBatchSql('b.generation', qualified)})`;
}

/** The workspace's current selection generation, which a new mark carries, as a scalar subquery. */
export function selectionGenerationSql(workspace: string): string {
  return `(SELECT selection_generation FROM workspaces WHERE id = ${workspace})`;
}

/** The workspace's active deletion as a writer of its objects needs it: which one, and the generation it froze. */
export interface ActiveBatch {
  id: string;
  generation: string;
}

/**
 * Locks the workspace's PENDING or EXECUTING deletion row, if any, before any object row: the
 * executor's order, so a restore or a hold and an executing chunk never deadlock, and the deletion
 * can neither end nor hand its objects back to the selection before the caller commits.
 */
export async function lockActiveDeletion(tx: Sql, workspaceId: string): Promise<ActiveBatch | undefined> {
  return tx.one<ActiveBatch>(
    `SELECT id, generation::text FROM deletions WHERE workspace_id = $1 AND ${ACTIVE} FOR UPDATE`,
    [workspaceId],
  );
}
