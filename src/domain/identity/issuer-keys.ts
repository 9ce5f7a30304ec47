import type { Logger } from '../../log';
import { jose, Jose } from '../jose';
import type { OidcSettings } from './oidc-settings';

type RemoteKeys = ReturnType<typeof Jose.createRemoteJWKSet>;

/** Why an issuer key could not be had: the issuer was never reached, or its discovery is unusable. */
export class IssuerUnavailableError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'IssuerUnavailableError';
  }
}

/**
 * The issuer's signing keys: discovery (`/.well-known/openid-configuration` → `jwks_uri`), then
 * jose's remote key set, cached without expiry so that no request waits on the network.
 * - An unknown `kid` fetches the set again, at most once per AUTH_JWKS_COOLDOWN (rotation without
 *   restart); the attempts are counted from the last one, so an issuer that is down is not hammered.
 * - Every AUTH_JWKS_REFRESH the set is fetched again in the background, so a removed key stops
 *   working; while the issuer is unreachable the cached keys keep serving and the log says so.
 * - Until a first set is obtained, the background retries every AUTH_JWKS_COOLDOWN and `/readyz` says so.
 */
export class IssuerKeys {
  private remote: RemoteKeys | undefined;
  private pending: Promise<void> | undefined;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private unreachable = false;
  private timer: NodeJS.Timeout | undefined;
  private logger: Logger | undefined;
  private stopped = false;

  constructor(private readonly settings: OidcSettings) {}

  /** Fetches the keys now and keeps them fresh in the background until `stop()`. */
  start(logger: Logger): void {
    this.logger = logger;
    void this.refresh().finally(() => this.schedule());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Whether a key set was ever obtained (`/readyz`). */
  get obtained(): boolean {
    return this.remote?.jwks() !== undefined;
  }

  /** The key for a token's header, as `jwtVerify` asks for it; throws when none can be had. */
  readonly keyFor = async (
    header: Jose.JWSHeaderParameters,
    token: Jose.FlattenedJWSInput,
  ): Promise<Jose.CryptoKey> => {
    // A fetch under way (the first one at start, on a slow issuer) is waited for rather than failed
    // without: it is shared, never started per request.
    if (this.pending) await this.pending;
    // jose would fetch again itself for an unknown kid; the attempts are rate-limited here instead.
    if (!this.knows(header.kid) && Date.now() - this.lastAttempt >= this.settings.jwksCooldownMs) await this.refresh();
    if (!this.remote || !this.obtained) throw new IssuerUnavailableError('No key of the issuer has been obtained yet.');
    if (!this.knows(header.kid)) throw new jose.errors.JWKSNoMatchingKey();
    return this.remote(header, token);
  };

  /** Whether the cached set still has the key `kid` (a token verified before is remembered only while it does). */
  has(kid: string | undefined): boolean {
    return kid !== undefined && this.knows(kid);
  }

  /** Whether the cached set has a key for `kid`; a token without one is matched by jose by type. */
  private knows(kid: string | undefined): boolean {
    const keys = this.remote?.jwks()?.keys;
    if (!keys) return false;
    return kid === undefined || keys.some((key) => key.kid === kid);
  }

  /** Fetches discovery (until it succeeded once) and the key set; one at a time, failures logged. */
  refresh(): Promise<void> {
    this.pending ??= this.fetchKeys().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetchKeys(): Promise<void> {
    this.lastAttempt = Date.now();
    try {
      this.remote ??= await this.discover();
      await this.remote.reload();
      if (this.unreachable) this.logger?.info('identity provider reachable again; keys refreshed');
      this.unreachable = false;
    } catch (error) {
      this.unreachable = true;
      const cached = this.remote?.jwks()?.keys.length ?? 0;
      this.logger?.warn(
        cached > 0
          ? `identity provider unreachable; the ${cached} cached keys keep serving`
          : 'identity provider unreachable and no key obtained yet: its tokens are refused until it answers',
        { issuer: this.settings.issuer, error: String(error) },
      );
    }
  }

  /** The key set named by the issuer's discovery document, which must name this very issuer. */
  private async discover(): Promise<RemoteKeys> {
    const base = this.settings.issuer.replace(/\/$/, '');
    const response = await fetch(`${base}/.well-known/openid-configuration`, {
      redirect: 'error',
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new IssuerUnavailableError(`discovery answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== this.settings.issuer) {
      throw new IssuerUnavailableError(`discovery names issuer ${String(document.issuer)}, not AUTH_ISSUER`);
    }
    if (typeof document.jwks_uri !== 'string') throw new IssuerUnavailableError('discovery names no jwks_uri');
    return jose.createRemoteJWKSet(new URL(document.jwks_uri), {
      cacheMaxAge: Number.POSITIVE_INFINITY,
      cooldownDuration: this.settings.jwksCooldownMs,
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    const wait = this.obtained ? this.settings.jwksRefreshMs : this.settings.jwksCooldownMs;
    this.timer = setTimeout(() => void this.refresh().finally(() => this.schedule()), wait);
    this.timer.unref();
  }
}
