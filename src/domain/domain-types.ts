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
}

/** Who is calling: the user (null when anonymous) and, for sockets, when the token expires. */
export interface Viewer {
  user: UserRow | null;
  tokenExpiresAt: Date | null;
  /** Why a token sent with the request was refused; raised by the first field that needs a user. */
  authError?: AppError;
}
