import { UserRow } from '../domain/domain-types';
import { StaleViewerError } from '../domain/identity/viewer-guard';
import { Context, isStillMember, noLongerMember, requireUser } from './context';

/**
 * Runs `read` as the request's user. The user came from the user cache; a list checks in its own
 * statement that the row is unchanged and throws StaleViewerError if not (a demotion a moment
 * before its NOTIFY arrived). The user is then read afresh, replaces the request's viewer, and the
 * read runs again with the rights they have now; a user deactivated, deleted or moved is refused.
 */
export async function asCurrentUser<T>(context: Context, read: (user: UserRow) => Promise<T>): Promise<T> {
  const user = requireUser(context);
  try {
    return await read(user);
  } catch (error) {
    if (!(error instanceof StaleViewerError)) throw error;
    const now = await context.services.auth.users.refresh(user.id);
    if (!isStillMember(user, now)) throw noLongerMember();
    context.viewer.user = now;
    return read(now);
  }
}
