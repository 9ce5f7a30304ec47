import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, parseDuration } from '../src/config';
import { ensureDevSecret } from '../src/startup';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-config-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The problems loadConfig reports for an environment, or [] when it accepts it. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: dataDir, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('configuration', () => {
  it('has defaults for everything outside production', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config).toMatchObject({
      port: 4000,
      databaseUrl: undefined,
      nodeEnv: 'development',
      deletionGracePeriodMs: 7 * 86_400_000,
      schedulerIntervalMs: 30_000,
      deletionChunkSize: 1000,
      logLevel: 'info',
    });
  });

  it('generates a JWT secret once at start and keeps it in the data folder', () => {
    const secretDir = path.join(dataDir, 'secret');
    const config = loadConfig({ DATA_DIR: secretDir });
    // Reading the configuration writes nothing; the start step does.
    expect(existsSync(secretDir)).toBe(false);
    const first = ensureDevSecret(config).jwtSecret;
    expect(first).toHaveLength(64);
    expect(readFileSync(path.join(secretDir, 'jwt-secret'), 'utf8')).toBe(first);
    expect(ensureDevSecret(loadConfig({ DATA_DIR: secretDir })).jwtSecret).toBe(first);
    expect(ensureDevSecret(loadConfig({ DATA_DIR: secretDir, JWT_SECRET: 'a-secret-long-enough' })).jwtSecret).toBe(
      'a-secret-long-enough',
    );
  });

  it('accepts durations such as 7d, 10s and 500ms', () => {
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(loadConfig({ DATA_DIR: dataDir, DELETION_GRACE_PERIOD: '30s' }).deletionGracePeriodMs).toBe(30_000);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be an integer from 0 to 65535, got "eighty"'],
    [{ PORT: '70000' }, 'PORT must be an integer from 0 to 65535, got "70000"'],
    [
      { DELETION_GRACE_PERIOD: 'a week' },
      'DELETION_GRACE_PERIOD must be a positive duration such as 7d, 12h, 30s or 500ms, got "a week"',
    ],
    [
      { DELETION_GRACE_PERIOD: '0s' },
      'DELETION_GRACE_PERIOD must be a positive duration such as 7d, 12h, 30s or 500ms, got "0s"',
    ],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV must be one of development, production, test, got "staging"'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of debug, info, warn, error, silent, got "loud"'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must be a postgres:// URL, got "mysql://x"'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 16 characters long'],
    [
      { NODE_ENV: 'production' },
      'NODE_ENV=production needs AUTH_ISSUER and AUTH_AUDIENCE (your OpenID provider) or JWT_SECRET',
    ],
    [
      { AUTH_ISSUER: 'http://idp.example.com/', AUTH_AUDIENCE: 'api' },
      'AUTH_ISSUER must be an https:// URL (http:// only on a loopback address), got "http://idp.example.com/"',
    ],
    [
      { AUTH_ISSUER: 'https://idp.example.com/' },
      'AUTH_AUDIENCE is required with AUTH_ISSUER: the API identifier tokens are issued for',
    ],
    [{ AUTH_AUDIENCE: 'api' }, 'AUTH_AUDIENCE set without AUTH_ISSUER: set AUTH_ISSUER too'],
    [{ DELETION_CHUNK_SIZE: '0' }, 'DELETION_CHUNK_SIZE must be an integer from 1 to 100000, got "0"'],
    [{ DELETION_LEASE: '500ms' }, 'DELETION_LEASE must be at least 1s (it is renewed every third of it), got 500ms'],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });

  it('lists every bad value at once', () => {
    expect(problemsOf({ PORT: '-1', LOG_LEVEL: 'x', SCHEDULER_INTERVAL: 'soon' })).toHaveLength(3);
  });
});

describe('HOST and PLAYGROUND', () => {
  const production = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-long-enough' };

  it('binds to loopback and serves the playground outside production', () => {
    for (const NODE_ENV of ['development', 'test']) {
      expect(loadConfig({ DATA_DIR: dataDir, NODE_ENV })).toMatchObject({ host: '127.0.0.1', playground: true });
    }
  });

  it('binds to every interface without playground in production', () => {
    expect(loadConfig({ DATA_DIR: dataDir, ...production })).toMatchObject({ host: '0.0.0.0', playground: false });
  });

  it('takes HOST and PLAYGROUND from the environment', () => {
    expect(loadConfig({ DATA_DIR: dataDir, ...production, HOST: '::1', PLAYGROUND: 'true' })).toMatchObject({
      host: '::1',
      playground: true,
    });
    expect(loadConfig({ DATA_DIR: dataDir, HOST: 'localhost', PLAYGROUND: 'false' })).toMatchObject({
      host: 'localhost',
      playground: false,
    });
  });

  it.each([
    [
      { HOST: 'http://example.test' },
      'HOST must be an IP address or a host name such as 127.0.0.1, 0.0.0.0 or localhost, got "http://example.test"',
    ],
    [
      { HOST: '127.0.0.1:4000' },
      'HOST must be an IP address or a host name such as 127.0.0.1, 0.0.0.0 or localhost, got "127.0.0.1:4000"',
    ],
    [{ PLAYGROUND: 'yes' }, 'PLAYGROUND must be one of true, false, got "yes"'],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });
});

describe('CORS_ORIGINS', () => {
  it('allows localhost and 127.0.0.1 on any port outside production, nothing in production', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).corsOrigins).toEqual(['http://localhost:*', 'http://127.0.0.1:*']);
    const production = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-long-enough' };
    expect(loadConfig({ DATA_DIR: dataDir, ...production }).corsOrigins).toEqual([]);
  });

  it('takes a comma-separated list of origins, with port wildcards', () => {
    const CORS_ORIGINS = 'https://App.example.com, http://localhost:*,http://[::1]:5173';
    expect(loadConfig({ DATA_DIR: dataDir, CORS_ORIGINS }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:*',
      'http://[::1]:5173',
    ]);
  });

  it.each([
    'https://app.example.com/',
    'app.example.com',
    'https://app.example.com/path',
    '*',
    'ftp://x.test',
    'http://x.test:port',
  ])('refuses %j with a message naming the variable and the entry', (entry) => {
    expect(problemsOf({ CORS_ORIGINS: `http://localhost:5173,${entry}` })).toEqual([
      `CORS_ORIGINS must be comma-separated origins such as https://app.example.com or http://localhost:* (no path, no trailing slash), got "${entry}"`,
    ]);
  });
});

describe('CONSOLE_ENABLED', () => {
  const production = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-long-enough' };

  it('serves the admin console outside production by default, in production only when enabled', () => {
    expect(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'development' }).console).toBe(true);
    expect(loadConfig({ DATA_DIR: dataDir, ...production }).console).toBe(false);
    expect(loadConfig({ DATA_DIR: dataDir, ...production, CONSOLE_ENABLED: 'true' }).console).toBe(true);
    expect(loadConfig({ DATA_DIR: dataDir, CONSOLE_ENABLED: 'false' }).console).toBe(false);
  });

  it('refuses a value other than true or false', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, CONSOLE_ENABLED: 'yes' })).toThrow(
      'CONSOLE_ENABLED must be one of true, false, got "yes"',
    );
  });
});

describe('limits for hostile clients', () => {
  it('runs 4 exports per process, 2 per workspace, closes idle transfers after 30 s, and has no metrics token by default', () => {
    expect(loadConfig({ DATA_DIR: dataDir })).toMatchObject({
      exportsMax: 4,
      exportsPerWorkspace: 2,
      transferIdleTimeoutMs: 30_000,
      metricsToken: undefined,
    });
  });

  it('keeps one workspace’s share below the whole: half of EXPORTS_MAX by default, never all of it', () => {
    const share = (max: string) => loadConfig({ DATA_DIR: dataDir, EXPORTS_MAX: max }).exportsPerWorkspace;
    expect([share('2'), share('3'), share('5'), share('10')]).toEqual([1, 2, 3, 5]);
    expect(problemsOf({ EXPORTS_MAX: '4', EXPORTS_PER_WORKSPACE: '4' })).toEqual([
      'EXPORTS_PER_WORKSPACE must be an integer from 1 to 3, got "4"',
    ]);
    expect(problemsOf({ EXPORTS_MAX: '1' })).toEqual(['EXPORTS_MAX must be an integer from 2 to 1000, got "1"']);
  });

  it('refuses a short METRICS_TOKEN and a TRANSFER_IDLE_TIMEOUT that is not a duration', () => {
    expect(problemsOf({ METRICS_TOKEN: 'short', TRANSFER_IDLE_TIMEOUT: 'soon' })).toEqual([
      'METRICS_TOKEN must be at least 16 characters long',
      'TRANSFER_IDLE_TIMEOUT must be a positive duration such as 7d, 12h, 30s or 500ms, got "soon"',
    ]);
  });
});
