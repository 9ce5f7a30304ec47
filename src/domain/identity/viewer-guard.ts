import { PageGuard } from '../../database/keyset';
import { SqlParams } from '../../database/sql';
import { UserRow } from '../domain-types';

/**
 * A statement found that the user it ran for is no longer as the request saw them (role, active or
 * workspace changed, or the row is gone): what it read is dropped, and the request reads the user
 * again (src/graphql/current-viewer.ts). Not an AppError: it never reaches a client as such.
 */
export class StaleViewerError extends Error {
  constructor(readonly userId: string) {
    super(`user ${userId} changed since the request read them`);
  }
}

/**
 * The check that `user`, as the request took them from the user cache, is still the row in the
 * database, run inside a list's own statement (by the users' primary key): the rights the page
 * was filtered with are then those of that instant, with no statement of their own.
 */
export function viewerGuard(user: UserRow, params: SqlParams): PageGuard {
  const condition = `EXISTS (SELECT 1 FROM users WHERE id = ${params.add(user.id)}
    AND workspace_id = ${params.add(user.workspaceId)} AND role = ${params.add(user.role)} AND active IS NOT FALSE)`;
  return { condition, refused: () => new StaleViewerError(user.id) };
}
