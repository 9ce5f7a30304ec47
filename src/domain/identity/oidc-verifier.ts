import { AppError, ErrorCode } from '../../errors';
import { IssuerKeys, IssuerUnavailableError } from './issuer-keys';
import { jose, Jose } from '../jose';
import type { OidcSettings } from './oidc-settings';

/**
 * The signature algorithms an issuer token may use. Never `none` nor HS*: a symmetric algorithm
 * would let anyone holding the issuer's public key (everyone) sign tokens with it as the secret.
 */
const ISSUER_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

/**
 * Marks the refusal of a token that verified but names no active user: the provision mutations
 * answer it FORBIDDEN (a valid token without the provision scope), everything else UNAUTHENTICATED.
 */
export const VERIFIED_TOKEN = { tokenVerified: true } as const;

/** Who a verified issuer token names: a user (by external ids) or the CRM backend provisioning. */
export type IssuerPrincipal =
  | { kind: 'user'; userExternalId: string; workspaceExternalId: string; expiresAt: Date | null }
  | { kind: 'provisioner'; clientId: string; expiresAt: Date | null };

/** Most verified tokens remembered (one entry is the token and its principal, about 1 KB). */
const VERIFIED_CACHE_SIZE = 5_000;

/**
 * Checks tokens of the company's OpenID Connect issuer: signature, issuer, audience, times, claims.
 * A client sends the same access token with every request until it renews it, and an asymmetric
 * signature costs 15–30 times an HMAC (bench/identity.bench.ts): a token verified once is
 * remembered by its exact text, and a repeat is accepted only while it has not expired and its
 * key is still in the issuer's set (a removed key refuses its tokens, cached or not).
 */
export class OidcVerifier {
  readonly keys: IssuerKeys;
  private readonly verified = new Map<string, { principal: IssuerPrincipal; kid: string | undefined }>();

  constructor(readonly settings: OidcSettings) {
    this.keys = new IssuerKeys(settings);
  }

  /** The principal a token names; every bad or unverifiable token is UNAUTHENTICATED. */
  async verify(token: string): Promise<IssuerPrincipal> {
    const cached = this.verified.get(token);
    if (cached && this.stillValid(cached.principal, cached.kid)) return cached.principal;
    this.verified.delete(token);
    const principal = await this.verifyAnew(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, kid: jose.decodeProtectedHeader(token).kid });
    return principal;
  }

  /** A remembered principal holds until its token expires (within the tolerance) or its key leaves the set. */
  private stillValid(principal: IssuerPrincipal, kid: string | undefined): boolean {
    const expiresAt = principal.expiresAt?.getTime() ?? 0;
    return Date.now() < expiresAt + this.settings.clockToleranceSeconds * 1000 && this.keys.has(kid);
  }

  private async verifyAnew(token: string): Promise<IssuerPrincipal> {
    let payload: Jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, this.keys.keyFor, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ISSUER_ALGORITHMS,
        clockTolerance: this.settings.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw refusal(error);
    }
    const expiresAt = payload.exp ? new Date(payload.exp * 1000) : null;
    if (scopesOf(payload).includes(this.settings.provisionScope)) {
      return { kind: 'provisioner', clientId: clientIdOf(payload), expiresAt };
    }
    const workspace = payload[this.settings.workspaceClaim];
    if (typeof workspace !== 'string' || !workspace || !payload.sub) {
      throw new AppError(
        ErrorCode.UNAUTHENTICATED,
        `The token carries no workspace claim "${this.settings.workspaceClaim}".`,
        VERIFIED_TOKEN,
      );
    }
    return { kind: 'user', userExternalId: payload.sub, workspaceExternalId: workspace, expiresAt };
  }
}

/** The OAuth scopes of a token: `scope` (space-separated) or `scp` (an array, or a string as Entra ID sends). */
function scopesOf(payload: Jose.JWTPayload): string[] {
  const scopes: string[] = [];
  if (typeof payload.scope === 'string') scopes.push(...payload.scope.split(' '));
  const scp = payload.scp;
  if (Array.isArray(scp)) scopes.push(...scp.filter((entry): entry is string => typeof entry === 'string'));
  else if (typeof scp === 'string') scopes.push(...scp.split(' '));
  return scopes.filter(Boolean);
}

/** Who a provisioning token was issued to (RFC 9068 `client_id`; `azp`, Okta's `cid`, Entra's `appid`, then `sub`). */
function clientIdOf(payload: Jose.JWTPayload): string {
  for (const claim of ['client_id', 'azp', 'cid', 'appid', 'sub']) {
    const value = payload[claim];
    if (typeof value === 'string' && value) return value;
  }
  return 'unknown';
}

function refusal(error: unknown): AppError {
  if (error instanceof jose.errors.JWTExpired) return unauthenticated('The token has expired; get a new one.');
  if (error instanceof IssuerUnavailableError) {
    return unauthenticated('The identity provider’s keys could not be obtained yet; try again shortly.');
  }
  if (error instanceof jose.errors.JOSEError || error instanceof TypeError) {
    return unauthenticated('The token is invalid.');
  }
  // A network failure fetching keys for an unknown kid is an unverifiable token too.
  return unauthenticated('The token could not be verified.');
}

function unauthenticated(message: string): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, message);
}
