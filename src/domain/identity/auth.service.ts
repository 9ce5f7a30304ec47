import { createSecretKey, KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Sql } from '../../database/database';
import { AppError, ErrorCode } from '../../errors';
import { UserRow, Viewer } from '../domain-types';
import { isUuid } from '../uuid';
import { CurrentUserReader } from './current-user-reader';
import type { IssuerAuthenticator } from './issuer-auth';
import { UserCache } from './user-cache';

export const USER_COLUMNS = 'id, workspace_id AS "workspaceId", name, email, role, external_id AS "externalId", active';

/**
 * Signs and checks bearer tokens (HS256, `sub` = user id) and loads the user they name; with an
 * issuer (AUTH_ISSUER), its asymmetric tokens go to `issuer` (issuer-auth.ts).
 */
export class AuthService {
  /**
   * The secret as a KeyObject, made once: given a string, jsonwebtoken builds a new KeyObject on
   * every call, which costs about 50 times the HMAC itself (~0.4 ms against ~8 µs per verify).
   */
  private readonly key: KeyObject | undefined;
  /** The users tokens name, kept while the database can tell of their changes (the wiring LISTENs). */
  readonly users: UserCache;

  constructor(
    db: Sql,
    secret: string,
    /** Shared with UserService.current in the wiring, so both batch into one read. */
    private readonly currentUsers: CurrentUserReader = new CurrentUserReader((ids) => usersByIds(db, ids)),
    readonly issuer?: IssuerAuthenticator,
  ) {
    // No secret (production with only AUTH_ISSUER): HS256 tokens are refused, never checked with an empty key.
    this.key = secret ? createSecretKey(Buffer.from(secret)) : undefined;
    this.users = new UserCache((id) => this.currentUsers.read(id));
  }

  /** Mints a token for a user id; used by `npm run token` and the tests. */
  sign(userId: string, expiresInSeconds = 7 * 24 * 3600): string {
    if (!this.key) throw new Error('No JWT_SECRET: HS256 tokens are off; sign in through AUTH_ISSUER.');
    return jwt.sign({}, this.key, { algorithm: 'HS256', subject: userId, expiresIn: expiresInSeconds });
  }

  /**
   * Resolves an `Authorization` value ("Bearer <jwt>") to a viewer. No header: anonymous.
   * A header that is malformed, badly signed, expired or names no user: UNAUTHENTICATED. The user
   * comes from the user cache unless `fresh` (routes outside GraphQL, whose statements do not
   * check the user again: downloads, uploads, exports).
   */
  async authenticate(authorization: string | undefined | null, { fresh = false } = {}): Promise<Viewer> {
    if (!authorization) return { user: null, tokenExpiresAt: null };
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
    if (this.issuer?.handles(match[1])) return this.issuer.authenticate(match[1]);
    if (!this.key) throw unauthenticated('The token is invalid.');
    let claims: jwt.JwtPayload;
    try {
      const decoded = jwt.verify(match[1], this.key, { algorithms: ['HS256'] });
      if (typeof decoded === 'string') throw new Error('string payload');
      claims = decoded;
    } catch (error) {
      const expired = error instanceof jwt.TokenExpiredError;
      throw unauthenticated(expired ? 'The token has expired; get a new one.' : 'The token is invalid.');
    }
    if (!isUuid(claims.sub)) throw unauthenticated('The token names no user.');
    const cached = fresh ? undefined : this.users.cached(claims.sub);
    const user = cached ?? (await (fresh ? this.users.refresh(claims.sub) : this.users.get(claims.sub)));
    if (!user || user.active === false)
      throw unauthenticated('The user of this token no longer exists or was deactivated.');
    return { user, tokenExpiresAt: claims.exp ? new Date(claims.exp * 1000) : null, fromCache: !!cached };
  }
}

/** Users by id, in the order asked (null where missing): one statement, by primary key. */
export async function usersByIds(db: Sql, ids: readonly string[]): Promise<(UserRow | null)[]> {
  const rows = await db.rows<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [ids]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

function unauthenticated(message: string): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, message);
}
