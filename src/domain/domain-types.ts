import { AppError } from '../errors';

/** What a user may do in their workspace; read from the users table, never from a token. */
export enum Role {
  ADMIN = 'ADMIN',
  MEMBER = 'MEMBER',
}

/** A user as stored; the role always comes from here, never from a token. */
export interface UserRow {
  id: string;
  workspaceId: string;
  name: string;
  email: string;
  role: Role;
  /**
   * The user's id at the company's identity provider (a token's `sub`); null for users made here.
   * Optional, like `active`: code that builds a user by hand (fixtures) need not know of identity.
   */
  externalId?: string | null;
  /** False once deactivated by provisioning: their rows stay, their tokens are refused. */
  active?: boolean;
}

/** Who is calling: the user (null when anonymous) and, for sockets, when the token expires. */
export interface Viewer {
  user: UserRow | null;
  tokenExpiresAt: Date | null;
  /** Why a token sent with the request was refused; raised by the first field that needs a user. */
  authError?: AppError;
  /** Whether `user` came from the user cache rather than a read of this request (identity/user-cache.ts). */
  fromCache?: boolean;
  /** Set for a provisioning token (client credentials): no user, may call only the provision mutations. */
  provisioner?: { clientId: string };
}
