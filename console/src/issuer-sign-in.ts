import * as oauth from 'oauth4webapi';
import { h } from './dom.js';

/** What the server tells the console about its identity provider (`GET /console/auth-config`). */
export interface AuthConfig {
  issuer: string;
  clientId: string;
  audience: string;
}

/** The tokens of a sign-in through the issuer, kept in this tab only (sessionStorage). */
interface IssuerTokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Milliseconds since 1970. */
  expiresAt: number;
}

const TOKENS_KEY = 'crm-archive-console-issuer';
const PENDING_KEY = 'crm-archive-console-pkce';
/** Renew this long before the access token expires, so no request goes out with an expired one. */
const RENEW_BEFORE_MS = 30_000;

/** The issuer settings, or undefined when the server has none (sign-in by token or demo user only). */
export async function authConfig(): Promise<AuthConfig | undefined> {
  const response = await fetch('/console/auth-config').catch(() => undefined);
  return response?.ok ? ((await response.json()) as AuthConfig) : undefined;
}

/** The console's own address: the redirect URI registered at the provider. */
function redirectUri(): string {
  return new URL('/console/', location.href).href;
}

function options(config: AuthConfig): { [oauth.allowInsecureRequests]: boolean } {
  // The server accepts an http: issuer on loopback only (development and tests).
  return { [oauth.allowInsecureRequests]: config.issuer.startsWith('http:') };
}

async function discover(config: AuthConfig): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(config.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options(config)));
}

/** The button that starts Authorization Code + PKCE at the issuer. */
export function issuerSignInButton(config: AuthConfig, onError: (error: unknown) => void): HTMLElement {
  const start = () => startSignIn(config).catch(onError);
  return h(
    'p',
    {},
    h(
      'button',
      { type: 'button', id: 'issuer-sign-in', onclick: () => void start() },
      'Sign in with your identity provider',
    ),
  );
}

/** Sends the browser to the issuer's authorization endpoint with a fresh PKCE verifier and state. */
async function startSignIn(config: AuthConfig): Promise<void> {
  const as = await discover(config);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    response_type: 'code',
    scope: 'openid offline_access',
    // Auth0 issues a JWT access token for the API only when asked for its audience.
    audience: config.audience,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  }).toString();
  location.assign(url.href);
}

/**
 * Completes a sign-in when the issuer sent the browser back with `?code=…`: the code is exchanged
 * (with the PKCE verifier) for tokens, the address bar is cleaned. Returns the access token, or
 * the stored one of an earlier sign-in in this tab, or undefined.
 */
export async function issuerAccessToken(config: AuthConfig): Promise<string | undefined> {
  const current = new URL(location.href);
  const pending = sessionStorage.getItem(PENDING_KEY);
  if (current.searchParams.has('state') && pending) {
    sessionStorage.removeItem(PENDING_KEY);
    history.replaceState(null, '', redirectUri());
    const { verifier, state } = JSON.parse(pending) as { verifier: string; state: string };
    const as = await discover(config);
    const client = { client_id: config.clientId };
    const params = oauth.validateAuthResponse(as, client, current, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      redirectUri(),
      verifier,
      options(config),
    );
    store(await oauth.processAuthorizationCodeResponse(as, client, response));
  }
  return storedTokens()?.accessToken;
}

/** Whether this tab signed in through the issuer (rather than with a pasted or demo token). */
export function signedInThroughIssuer(): boolean {
  return storedTokens() !== undefined;
}

/**
 * Renews the access token with the refresh token shortly before it expires, and again after each
 * renewal; `onToken` receives each new token. Returns how to stop.
 */
export function keepFresh(
  config: AuthConfig,
  onToken: (token: string) => void,
  onError: (error: unknown) => void,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    const tokens = storedTokens();
    if (!tokens?.refreshToken) return;
    timer = setTimeout(
      () => void renew(tokens.refreshToken!),
      Math.max(0, tokens.expiresAt - Date.now() - RENEW_BEFORE_MS),
    );
  };
  const renew = async (refreshToken: string) => {
    try {
      const as = await discover(config);
      const client = { client_id: config.clientId };
      const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, options(config));
      const tokens = store(await oauth.processRefreshTokenResponse(as, client, response), refreshToken);
      onToken(tokens.accessToken);
      schedule();
    } catch (error) {
      onError(error);
    }
  };
  schedule();
  return () => clearTimeout(timer);
}

/** Forgets the tokens and ends the session at the issuer when it offers an end-session endpoint. */
export async function issuerSignOut(config: AuthConfig): Promise<void> {
  const tokens = storedTokens();
  sessionStorage.removeItem(TOKENS_KEY);
  const as = await discover(config).catch(() => undefined);
  if (!as?.end_session_endpoint) return location.assign(redirectUri());
  const url = new URL(as.end_session_endpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('post_logout_redirect_uri', redirectUri());
  if (tokens?.idToken) url.searchParams.set('id_token_hint', tokens.idToken);
  location.assign(url.href);
}

function store(response: oauth.TokenEndpointResponse, previousRefreshToken?: string): IssuerTokens {
  const tokens: IssuerTokens = {
    accessToken: response.access_token,
    // A provider that does not rotate refresh tokens sends none back: the previous one still holds.
    refreshToken: response.refresh_token ?? previousRefreshToken,
    idToken: response.id_token ?? storedTokens()?.idToken,
    expiresAt: Date.now() + (response.expires_in ?? 300) * 1000,
  };
  sessionStorage.setItem(TOKENS_KEY, JSON.stringify(tokens));
  return tokens;
}

function storedTokens(): IssuerTokens | undefined {
  const text = sessionStorage.getItem(TOKENS_KEY);
  return text ? (JSON.parse(text) as IssuerTokens) : undefined;
}
