import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { jose, Jose } from '../../src/domain/jose';
import { processTreeWork } from './processes';
import { ServerEnv } from './servers';
import { settles, waitFor } from './wait-for';

/**
 * A real OpenID provider (oidc-provider, test/support/oidc-provider-main.mjs) in its own process on
 * a free port of 127.0.0.1: discovery, JWKS, client credentials and code + PKCE, as a company's
 * identity provider would serve them. Its signing keys are made here, so a test can rotate them
 * (`restart` with other keys, on the same port) and sign edge-case tokens with them (`sign`).
 */

export const TEST_AUDIENCE = 'https://api.crm-archive.test';
const PROVISION_SCOPE = 'crm-archive:provision';
/** Client credentials of the CRM's backend (provision scope) and of a reporting job (no provision scope). */
export const BACKEND_CLIENT = { id: 'crm-backend', secret: 'backend-secret-for-tests', scope: PROVISION_SCOPE };
export const REPORTING_CLIENT = { id: 'crm-reporting', secret: 'reporting-secret-for-tests', scope: 'crm-archive:use' };
const CONSOLE_CLIENT_ID = 'crm-console';

/** A signing key pair; the provider publishes the public half under `kid`. */
export interface TestKey {
  kid: string;
  alg: 'ES256' | 'RS256' | 'EdDSA';
  privateKey: Jose.CryptoKey;
  privateJwk: Jose.JWK;
}

/** A new key pair for `alg`. */
export async function createTestKey(alg: TestKey['alg'], kid: string): Promise<TestKey> {
  const { privateKey } = await jose.generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const privateJwk = { ...(await jose.exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, privateJwk };
}

/** A port nothing listens on now (for an issuer started later, or never). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface IssuerOptions {
  /** Published keys, the first signs its tokens; default one ES256 key. */
  keys?: TestKey[];
  /** Default: a free port. */
  port?: number;
  /** Users' workspaces by their login (`sub`): what the workspace claim `org_id` carries. */
  workspaces?: Record<string, string>;
  /** Where the console client may be sent back to after sign-in. */
  consoleRedirectUris?: string[];
  /** Lifetime of access tokens, in seconds (default 300). */
  accessTokenTtl?: number;
}

export interface TestIssuer {
  issuer: string;
  port: number;
  keys: TestKey[];
  /** What a server needs to accept this issuer's tokens (AUTH_*), with a short refetch cooldown. */
  env: ServerEnv;
  /** A client-credentials access token from the token endpoint. */
  clientCredentials(client: { id: string; secret: string; scope: string }): Promise<string>;
  /** Signs `claims` with `key` (default the first published), for tokens the provider would not issue. */
  sign(claims: Jose.JWTPayload, options?: SignOptions): Promise<string>;
  /** How many times its JWKS was fetched. */
  jwksFetches(): Promise<number>;
  /** Stops it and starts it again on the same port with `keys` (rotation), or the same ones. */
  restart(keys?: TestKey[]): Promise<void>;
  /** Stops it (issuer down); `restart` brings it back. */
  stop(): Promise<void>;
}

interface SignOptions {
  key?: TestKey;
  /** Header overrides, e.g. another `kid` or `alg`. */
  header?: Partial<Jose.JWTHeaderParameters>;
  issuer?: string;
  audience?: string;
  /** Seconds from now (negative: already expired); default 300. */
  expiresIn?: number;
  /** Seconds from now before which the token is not valid. */
  notBefore?: number;
}

const MAIN = path.join(__dirname, 'oidc-provider-main.mjs');
const running = new Set<ChildProcessWithoutNullStreams>();

// Registered when a test file imports this module: no provider outlives its file, even a failed one.
afterAll(async () => {
  await Promise.all([...running].map((child) => stopChild(child)));
});

/** Starts a provider; stopped after the file (or by `stop()`). */
export async function startTestIssuer(options: IssuerOptions = {}): Promise<TestIssuer> {
  let keys = options.keys ?? [await createTestKey('ES256', 'key-1')];
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  let child: ChildProcessWithoutNullStreams | undefined = await startChild(port, keys, options);
  const stop = async () => {
    if (child) await stopChild(child);
    child = undefined;
  };
  return {
    issuer,
    port,
    get keys() {
      return keys;
    },
    env: {
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: TEST_AUDIENCE,
      AUTH_JWKS_COOLDOWN: '50ms',
      AUTH_CONSOLE_CLIENT_ID: CONSOLE_CLIENT_ID,
    },
    clientCredentials: (client) => clientCredentials(issuer, client),
    sign: (claims, signOptions = {}) => sign(issuer, keys[0], claims, signOptions),
    jwksFetches: async () => ((await (await fetch(`${issuer}/__test/jwks-fetches`)).json()) as { count: number }).count,
    restart: async (next = keys) => {
      await stop();
      keys = next;
      child = await startChild(port, keys, options);
    },
    stop,
  };
}

async function startChild(
  port: number,
  keys: TestKey[],
  options: IssuerOptions,
): Promise<ChildProcessWithoutNullStreams> {
  const settings = {
    port,
    keys: keys.map((key) => key.privateJwk),
    alg: keys[0].alg,
    audience: TEST_AUDIENCE,
    workspaceClaim: 'org_id',
    workspaces: options.workspaces ?? {},
    apiScopes: [PROVISION_SCOPE, REPORTING_CLIENT.scope],
    accessTokenTtl: options.accessTokenTtl ?? 300,
    clients: clients(options.consoleRedirectUris ?? []),
  };
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, OIDC_TEST_SETTINGS: JSON.stringify(settings) },
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  await waitFor(() => stdout.includes('\n') || ended(), {
    what: 'the OpenID provider to listen',
    progress: () => processTreeWork(child.pid) + stdout.length + stderr.length,
  });
  if (ended()) throw new Error(`The OpenID provider exited: ${stderr}`);
  return child;
}

async function stopChild(child: ChildProcessWithoutNullStreams): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await settles(exited, { what: 'the OpenID provider to exit' });
}

function clients(consoleRedirectUris: string[]): Record<string, unknown>[] {
  const backend = (client: typeof BACKEND_CLIENT) => ({
    client_id: client.id,
    client_secret: client.secret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    scope: client.scope,
  });
  const console = {
    client_id: CONSOLE_CLIENT_ID,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: consoleRedirectUris.length > 0 ? consoleRedirectUris : ['http://127.0.0.1/console/'],
    post_logout_redirect_uris: consoleRedirectUris,
    scope: `openid offline_access ${REPORTING_CLIENT.scope}`,
  };
  return [backend(BACKEND_CLIENT), backend(REPORTING_CLIENT), console];
}

async function clientCredentials(
  issuer: string,
  client: { id: string; secret: string; scope: string },
): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: client.scope, resource: TEST_AUDIENCE }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`No token from the provider: ${JSON.stringify(body)}`);
  return body.access_token;
}

async function sign(issuer: string, fallback: TestKey, claims: Jose.JWTPayload, options: SignOptions): Promise<string> {
  const key = options.key ?? fallback;
  const now = Math.floor(Date.now() / 1000);
  const jwt = new jose.SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...options.header })
    .setIssuer(options.issuer ?? issuer)
    .setAudience(options.audience ?? TEST_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 300));
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  return jwt.sign(key.privateKey);
}
