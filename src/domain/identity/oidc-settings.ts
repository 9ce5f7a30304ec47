import { isIP } from 'node:net';

/** How tokens from a company's OpenID Connect issuer are checked (docs/identity.md). */
export interface OidcSettings {
  /** AUTH_ISSUER: the `iss` every token must carry; discovery is read below it. */
  issuer: string;
  /** AUTH_AUDIENCE: the `aud` every token must carry (the API's identifier at the issuer). */
  audience: string;
  /** AUTH_WORKSPACE_CLAIM (default `org_id`): the claim holding the workspace's externalId. */
  workspaceClaim: string;
  /** AUTH_PROVISION_SCOPE (default `crm-archive:provision`): the scope of the CRM backend's tokens. */
  provisionScope: string;
  /** AUTH_CONSOLE_CLIENT_ID: the public client the console signs in with (code + PKCE); unset: no sign-in. */
  consoleClientId: string | undefined;
  /** AUTH_CLOCK_TOLERANCE (default 5s): leeway on `exp`, `nbf` and `iat`, in seconds. */
  clockToleranceSeconds: number;
  /** AUTH_JWKS_COOLDOWN (default 30s): least time between two key fetches caused by an unknown `kid`. */
  jwksCooldownMs: number;
  /** AUTH_JWKS_REFRESH (default 10m): how often the keys are fetched again, so removed keys stop working. */
  jwksRefreshMs: number;
}

type Env = Record<string, string | undefined>;
type Duration = (env: Env, name: string, fallback: string, problems: string[]) => number;

/** The issuer settings when AUTH_ISSUER is set (undefined otherwise); problems are pushed, not thrown. */
export function readOidcSettings(env: Env, duration: Duration, problems: string[]): OidcSettings | undefined {
  const issuer = env.AUTH_ISSUER || undefined;
  if (!issuer) {
    const stray = ['AUTH_AUDIENCE', 'AUTH_CONSOLE_CLIENT_ID'].filter((name) => env[name]);
    if (stray.length > 0) problems.push(`${stray.join(', ')} set without AUTH_ISSUER: set AUTH_ISSUER too`);
    return undefined;
  }
  const issuerProblem = checkIssuerUrl(issuer);
  if (issuerProblem) problems.push(issuerProblem);
  const audience = env.AUTH_AUDIENCE || '';
  if (!audience) problems.push('AUTH_AUDIENCE is required with AUTH_ISSUER: the API identifier tokens are issued for');
  return {
    issuer,
    audience,
    workspaceClaim: env.AUTH_WORKSPACE_CLAIM || 'org_id',
    provisionScope: env.AUTH_PROVISION_SCOPE || 'crm-archive:provision',
    consoleClientId: env.AUTH_CONSOLE_CLIENT_ID || undefined,
    clockToleranceSeconds: Math.round(duration(env, 'AUTH_CLOCK_TOLERANCE', '5s', problems) / 1000),
    jwksCooldownMs: duration(env, 'AUTH_JWKS_COOLDOWN', '30s', problems),
    jwksRefreshMs: duration(env, 'AUTH_JWKS_REFRESH', '10m', problems),
  };
}

/** Why an issuer URL cannot be used, or undefined. `http:` only on loopback: keys fetched in the clear could be swapped. */
function checkIssuerUrl(issuer: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return `AUTH_ISSUER must be a URL such as https://login.example.com/, got "${issuer}"`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return undefined;
  return `AUTH_ISSUER must be an https:// URL (http:// only on a loopback address), got "${issuer}"`;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
