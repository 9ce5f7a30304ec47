import { AuthChecker } from 'type-graphql';
import { AppError, ErrorCode } from '../errors';
import { Role, UserRow, Viewer } from '../services/auth.service';
import { Services } from '../services/services';
import { createLoaders, Loaders } from './loaders';
import { newRequestId } from './request-id';

/** What every resolver receives: who calls, the shared services and this request's loaders. */
export interface Context {
  viewer: Viewer;
  services: Services;
  loaders: Loaders;
  /** Names this request (HTTP) or operation (WebSocket) in logs and in internal errors. */
  requestId: string;
}

/** Builds a request's context; loaders are new per request so no cache outlives it. */
export function createContext(services: Services, viewer: Viewer, requestId = newRequestId()): Context {
  return { viewer, services, loaders: createLoaders(services), requestId };
}

/** The signed-in user, or UNAUTHENTICATED. */
export function requireUser(context: Context): UserRow {
  if (!context.viewer.user) {
    throw (
      context.viewer.authError ??
      new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first: send "Authorization: Bearer <token>".')
    );
  }
  return context.viewer.user;
}

/** `@Authorized()` needs a user; `@Authorized(Role.ADMIN)` an administrator of the user's workspace. */
export const authChecker: AuthChecker<Context, Role> = ({ context }, roles) => {
  const user = requireUser(context);
  if (roles.length > 0 && !roles.includes(user.role)) {
    throw new AppError(ErrorCode.FORBIDDEN, `Only ${roles.join(' or ').toLowerCase()}s may do this.`);
  }
  return true;
};
