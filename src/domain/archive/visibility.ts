import { Sql } from '../../database/database';
import { tableOf } from '../../database/object-tables';
import { SqlParams } from '../../database/sql';
import { UserRow } from '../domain-types';
import { can, Operation, Target, visibleArchivedCreator } from '../policy';
import { objectColumns, ObjectRef, ObjectRow, withDeletionState } from './object-rows';
import { isUuid } from '../uuid';

/** Which objects a read looks among: the archive, the active ones, or both (one object by id). */
export type Among = 'archived' | 'active' | 'any';

/**
 * Which objects `user` may see (docs/rules.md rule 12), as conditions to AND into a statement on
 * one object table: everyone in the workspace sees the active ones; of the archived ones a member
 * sees only those they created and an admin all; another workspace's none. Every read of objects
 * on a user's behalf (the lists, `object`, attachment downloads) starts from these, so the rule is
 * written once; who must have created an archived object comes from the policy. Knowing `among`
 * lets a list keep the one condition its index needs.
 */
export function visibleTo(user: UserRow, among: Among, params: SqlParams): string[] {
  const conditions = [`workspace_id = ${params.add(user.workspaceId)}`];
  const creator = visibleArchivedCreator(user);
  if (creator === null || among === 'active') return conditions;
  const own = `created_by = ${params.add(creator)}`;
  conditions.push(among === 'archived' ? own : `(archived_at IS NULL OR ${own})`);
  return conditions;
}

/** One object, archived or not, if `user` may see it; undefined when it is missing, malformed or hidden. */
export async function visibleObject(sql: Sql, user: UserRow, ref: ObjectRef): Promise<ObjectRow | undefined> {
  if (!isUuid(ref.id)) return undefined;
  const table = tableOf(ref.type);
  const params = new SqlParams();
  const conditions = [`id = ${params.add(ref.id)}`, ...visibleTo(user, 'any', params)];
  const row = await sql.one<ObjectRow>(
    `SELECT ${objectColumns(table)} FROM ${table.table} WHERE ${conditions.join(' AND ')}`,
    params.values,
  );
  // The statement already applied the rule; asking the policy too keeps the two from drifting apart.
  return row && can(user, Operation.VIEW_OBJECT, objectTarget(row)) ? withDeletionState(row) : undefined;
}

/** An object as the policy sees it: its workspace, its creator and whether it is archived. */
export function objectTarget(row: Pick<ObjectRow, 'workspaceId' | 'createdById' | 'archivedAt'>): Target {
  return { workspaceId: row.workspaceId, ownerId: row.createdById, archived: row.archivedAt !== null };
}
