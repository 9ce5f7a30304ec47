import { AuthChecker } from 'type-graphql';
import { AppError, ErrorCode } from '../errors';
import { UserRow, Viewer } from '../domain/domain-types';
import { Operation, requireMayAttempt } from '../domain/policy';
import { Services } from '../domain/services';
import { StaleViewerError } from '../domain/identity/viewer-guard';
import { createLoaders, Loaders } from './loaders';
import { newRequestId } from './operation-report';

/** What every resolver receives: who calls, the shared services and this request's loaders. */
export interface Context {
  viewer: Viewer;
  services: Services;
  loaders: Loaders;
  /** Names this request (HTTP) or operation (WebSocket) in logs and in internal errors. */
  requestId: string;
  /**
   * Over a WebSocket: closes it with 4401, for a user found deleted or moved to another workspace
   * while connected. Absent over HTTP, where every request authenticates afresh.
   */
  endSession?: () => void;
  /** Set once a mutation has read the signed-in user afresh (see `authChecker`). */
  userReadAgain?: Promise<void>;
}

/**
 * Builds a request's context; loaders are new per request so no cache outlives it. They are made
 * on first use: a subscription's context lives as long as its socket and never uses its own (each
 * event brings its loaders), and thousands of idle subscribers should not each hold four.
 */
export function createContext(
  services: Services,
  viewer: Viewer,
  { requestId = newRequestId(), endSession }: { requestId?: string; endSession?: () => void } = {},
): Context {
  let loaders: Loaders | undefined;
  return {
    viewer,
    services,
    get loaders() {
      return (loaders ??= createLoaders(services));
    },
    requestId,
    endSession,
  };
}

/**
 * Whether `now` (the user's row read again) is still the user a socket signed in as: not deleted,
 * not deactivated and in the same workspace. A role change is not a sign-out: it only changes what they may do.
 */
export function isStillMember(signedIn: UserRow, now: UserRow | null | undefined): now is UserRow {
  return !!now && now.workspaceId === signedIn.workspaceId && now.active !== false;
}

/** The refusal for a socket whose user fails `isStillMember`; the socket closes with 4401 too. */
export function noLongerMember(): AppError {
  return new AppError(
    ErrorCode.UNAUTHENTICATED,
    'This user no longer exists, was deactivated or has left the workspace.',
  );
}

/** The signed-in user, or UNAUTHENTICATED. */
export function requireUser(context: Context): UserRow {
  if (context.viewer.provisioner) {
    throw new AppError(
      ErrorCode.FORBIDDEN,
      'A provisioning token may call provisionWorkspaces and provisionUsers only.',
    );
  }
  if (!context.viewer.user) {
    throw (
      context.viewer.authError ??
      new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first: send "Authorization: Bearer <token>".')
    );
  }
  return context.viewer.user;
}

/**
 * `@Authorized()` needs a user; `@Authorized(Operation.X)` also one the policy lets attempt X (for
 * the admin operations, an administrator of the user's workspace), before anything is read. A
 * mutation whose user came from the user cache reads them afresh first (once per request): the
 * cache hears of a demotion by NOTIFY, and a write must not slip into the instant before it.
 */
export const authChecker: AuthChecker<Context, Operation> = async ({ context, info }, operations) => {
  if (info.operation.operation === 'mutation' && context.viewer.fromCache) {
    await (context.userReadAgain ??= readUserAgain(context));
  }
  const user = requireUser(context);
  for (const operation of operations) requireMayAttempt(user, operation);
  return true;
};

/** Replaces the request's user with their row as it is now; refuses one deactivated, deleted or moved. */
async function readUserAgain(context: Context): Promise<void> {
  const user = requireUser(context);
  const now = await context.services.auth.users.refresh(user.id);
  if (!isStillMember(user, now)) throw noLongerMember();
  context.viewer.user = now;
  context.viewer.fromCache = false;
}

/**
 * Runs `read` as the request's user. The user came from the user cache; a list checks in its own
 * statement that the row is unchanged and throws StaleViewerError if not (a demotion a moment
 * before its NOTIFY arrived). The user is then read afresh, replaces the request's viewer, and the
 * read runs again with the rights they have now; a user deactivated, deleted or moved is refused.
 */
export async function asCurrentUser<T>(context: Context, read: (user: UserRow) => Promise<T>): Promise<T> {
  try {
    return await read(requireUser(context));
  } catch (error) {
    if (!(error instanceof StaleViewerError)) throw error;
    await readUserAgain(context);
    return read(requireUser(context));
  }
}
