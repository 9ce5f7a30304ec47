import { Sql } from '../../database/database';
import { AppError, ErrorCode } from '../../errors';
import { UserRow, Viewer } from '../domain-types';
import { jose } from '../jose';
import { OidcVerifier, VERIFIED_TOKEN } from './oidc-verifier';

const EXTERNAL_USER_COLUMNS =
  'u.id, u.workspace_id AS "workspaceId", u.name, u.email, u.role, u.external_id AS "externalId", u.active';

/**
 * Viewers of tokens from the company's OpenID Connect issuer. A user token names a provisioned,
 * active user by `sub` (their externalId) and the workspace claim (their workspace's externalId);
 * the role comes from the database. A token with the provision scope is no user: a provisioner.
 */
export class IssuerAuthenticator {
  constructor(
    private readonly db: Sql,
    readonly verifier: OidcVerifier,
  ) {}

  /** Whether a token is the issuer's to check: any asymmetric or malformed one; HS* stay with the secret. */
  handles(token: string): boolean {
    try {
      return !jose.decodeProtectedHeader(token).alg?.startsWith('HS');
    } catch {
      return true;
    }
  }

  /** The viewer a token names; a bad token or an unknown or deactivated user is UNAUTHENTICATED. */
  async authenticate(token: string): Promise<Viewer> {
    const principal = await this.verifier.verify(token);
    if (principal.kind === 'provisioner') {
      return { user: null, tokenExpiresAt: principal.expiresAt, provisioner: { clientId: principal.clientId } };
    }
    const user = await userByExternalIds(this.db, principal.workspaceExternalId, principal.userExternalId);
    if (!user || user.active === false) {
      throw new AppError(
        ErrorCode.UNAUTHENTICATED,
        'This token names no active user here: the CRM must provision the user and their workspace first.',
        VERIFIED_TOKEN,
      );
    }
    return { user, tokenExpiresAt: principal.expiresAt };
  }
}

/**
 * A user by their workspace's and their own external id: two unique-index lookups
 * (`workspaces_external_id`, `users_workspace_external_id`), whatever the table sizes.
 */
function userByExternalIds(db: Sql, workspaceExternalId: string, externalId: string): Promise<UserRow | undefined> {
  return db.one<UserRow>(
    `SELECT ${EXTERNAL_USER_COLUMNS} FROM users u JOIN workspaces w ON w.id = u.workspace_id
      WHERE w.external_id = $1 AND u.external_id = $2`,
    [workspaceExternalId, externalId],
  );
}
