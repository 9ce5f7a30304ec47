import { isIP } from 'node:net';
import path from 'node:path';
import { S3Settings } from './domain/files/s3-file-store';
import { OidcSettings, readOidcSettings } from './domain/identity/oidc-settings';
import { readKeyFile } from './domain/receipts/receipt-keys';

/** Everything the process reads from its environment, validated once at start. */
export interface Config {
  port: number;
  /** Address to bind: `127.0.0.1` outside production, `0.0.0.0` (every interface) in production. */
  host: string;
  /** Whether the playground and introspection are served; in production only with PLAYGROUND=true. */
  playground: boolean;
  /**
   * Origins a browser page may call the API from (CORS): exact origins, or `scheme://host:*` for any
   * port. Outside production `http://localhost:*` and `http://127.0.0.1:*`; in production none unless set.
   */
  corsOrigins: string[];
  /** Whether the reference admin console is served at /console; in production only with CONSOLE_ENABLED=true. */
  console: boolean;
  /** Unset: the server starts an embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /**
   * JWT_SECRET, the HS256 secret of development, tests and the demo; empty when unset outside
   * production until the start (`ensureDevSecret`) puts the one kept in DATA_DIR here, and empty in
   * production when only AUTH_ISSUER is set. Reading the configuration writes nothing.
   */
  jwtSecret: string;
  /** Set (by AUTH_ISSUER): tokens of the company's OpenID Connect issuer are accepted. */
  oidc: OidcSettings | undefined;
  nodeEnv: 'development' | 'production' | 'test';
  /** Milliseconds between activation and execution of a permanent deletion. */
  deletionGracePeriodMs: number;
  /** Milliseconds between two re-reads of the users of open sockets (src/ws/socket-rights-sweep.ts). */
  socketRecheckMs: number;
  /** Milliseconds between two scheduler ticks. */
  schedulerIntervalMs: number;
  /** Objects removed per executor transaction. */
  deletionChunkSize: number;
  /** Milliseconds an executor may hold a deletion without renewing its claim. */
  deletionLeaseMs: number;
  /** Largest attachment upload accepted, in bytes. */
  maxUploadBytes: number;
  /** Set (by S3_BUCKET): attachment files live in this bucket; unset: under `dataDir`/files. */
  s3: S3Settings | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  // Hostile clients (docs/export.md, docs/observability.md): what a slow or prying client may hold.
  /** Exports running at once in this process (EXPORTS_MAX, at least 2). */
  exportsMax: number;
  /** Of those, at most this many for one workspace (EXPORTS_PER_WORKSPACE, below exportsMax). */
  exportsPerWorkspace: number;
  /** A download or export whose client reads nothing for this long is closed (TRANSFER_IDLE_TIMEOUT). */
  transferIdleTimeoutMs: number;
  /** Set: /metrics wants `Authorization: Bearer <it>`. Unset: /metrics is open outside production, closed in it. */
  metricsToken: string | undefined;
  /** Set (by RECEIPT_KEY_FILE, a PKCS#8 PEM): this key signs deletion receipts; unset: keys kept in the database. */
  receiptKeyFile: string | undefined;
  /** Webhook delivery settings (docs/webhooks.md). */
  webhooks: WebhookSettings;
}

/** How webhooks are sent: WEBHOOK_* variables (docs/webhooks.md). */
export interface WebhookSettings {
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS=true admits loopback and private addresses (tests only). */
  allowPrivateNetworks: boolean;
  /** Plain http:// endpoints; outside production only. */
  allowHttp: boolean;
  /** First retry after about this long, doubling, with jitter. */
  retryBaseDelayMs: number;
  /** One attempt's limit, connection to last byte. */
  attemptTimeoutMs: number;
  /** A delivery still failing this long after its event is given up (GAVE_UP). */
  giveUpAfterMs: number;
  /** An endpoint failing without a success for this long is disabled and the admins notified. */
  disableAfterMs: number;
  /** Attempts in flight at once per instance. */
  concurrency: number;
  /** How long the link token in `removedUrl` stays valid. */
  linkTtlMs: number;
  /** How long a rotated-out secret still signs beside the new one. */
  secretOverlapMs: number;
  /** The origin `removedUrl` starts with (PUBLIC_URL); unset: the server's own listening URL. */
  publicUrl: string | undefined;
}

/** A configuration value that cannot be used; the message says which variable and why. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses durations such as `7d`, `10s`, `500ms` or a bare number of milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms'];
  return Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; throws one ConfigError listing every bad value. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'], 'development', problems);
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL must be a postgres:// URL, got "${databaseUrl}"`);
  }
  const jwtSecret = env.JWT_SECRET ?? '';
  if (jwtSecret && jwtSecret.length < 16) problems.push('JWT_SECRET must be at least 16 characters long');
  const oidc = readOidcSettings(env, duration, problems);
  if (!jwtSecret && !oidc && nodeEnv === 'production') {
    problems.push('NODE_ENV=production needs AUTH_ISSUER and AUTH_AUDIENCE (your OpenID provider) or JWT_SECRET');
  }
  const config: Config = {
    port: integer(env, 'PORT', 4000, 0, 65535, problems),
    host: host(env, nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1', problems),
    playground:
      oneOf(env, 'PLAYGROUND', ['true', 'false'], nodeEnv === 'production' ? 'false' : 'true', problems) === 'true',
    corsOrigins: corsOrigins(env, nodeEnv === 'production' ? [] : DEVELOPMENT_CORS_ORIGINS, problems),
    console:
      oneOf(env, 'CONSOLE_ENABLED', ['true', 'false'], nodeEnv === 'production' ? 'false' : 'true', problems) ===
      'true',
    databaseUrl,
    dataDir,
    jwtSecret,
    oidc,
    nodeEnv,
    deletionGracePeriodMs: duration(env, 'DELETION_GRACE_PERIOD', '7d', problems),
    schedulerIntervalMs: duration(env, 'SCHEDULER_INTERVAL', '30s', problems),
    socketRecheckMs: duration(env, 'SOCKET_RECHECK_INTERVAL', '5s', problems),
    deletionChunkSize: integer(env, 'DELETION_CHUNK_SIZE', 1000, 1, 100_000, problems),
    deletionLeaseMs: duration(env, 'DELETION_LEASE', '60s', problems),
    maxUploadBytes: integer(env, 'MAX_UPLOAD_BYTES', 25 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER, problems),
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'], 'info', problems),
    s3: s3Settings(env, problems),
    webhooks: webhookSettings(env, nodeEnv, problems),
    ...hostileClientLimits(env, problems),
    receiptKeyFile: receiptKeyFile(env, problems),
  };
  problems.push(...leaseProblems(config.deletionLeaseMs));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const DEFAULT_EXPORTS_MAX = 4;

/** The limits that keep slow or prying clients from holding what others need; see Config. */
function hostileClientLimits(
  env: Env,
  problems: string[],
): Pick<Config, 'exportsMax' | 'exportsPerWorkspace' | 'transferIdleTimeoutMs' | 'metricsToken'> {
  const exportsMax = integer(env, 'EXPORTS_MAX', DEFAULT_EXPORTS_MAX, 2, 1000, problems);
  // Half, rounded up, but never all: one workspace always leaves a slot to the others.
  const share = Math.min(Math.ceil(exportsMax / 2), exportsMax - 1);
  const exportsPerWorkspace = integer(env, 'EXPORTS_PER_WORKSPACE', share, 1, exportsMax - 1, problems);
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16)
    problems.push('METRICS_TOKEN must be at least 16 characters long');
  const transferIdleTimeoutMs = duration(env, 'TRANSFER_IDLE_TIMEOUT', '30s', problems);
  return { exportsMax, exportsPerWorkspace, transferIdleTimeoutMs, metricsToken };
}

/** RECEIPT_KEY_FILE, resolved, when set; a file that cannot sign is a problem now rather than at the first receipt. */
function receiptKeyFile(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const file = env.RECEIPT_KEY_FILE || undefined;
  if (!file) return undefined;
  try {
    readKeyFile(file);
  } catch (error) {
    problems.push(
      `RECEIPT_KEY_FILE ${file} ${(error as Error).message}: give a PKCS#8 PEM private key file, Ed25519 or P-256`,
    );
  }
  return path.resolve(file);
}

/**
 * The executor renews its lease every third of DELETION_LEASE (see src/scheduler/deletion-lease.ts),
 * so a lease always spans three heartbeats. Below 1 s a heartbeat comes every few hundred
 * milliseconds: a database round trip that stalls that long loses the lease to another instance.
 */
const MIN_DELETION_LEASE_MS = 1_000;

function leaseProblems(leaseMs: number): string[] {
  if (leaseMs === 0 || leaseMs >= MIN_DELETION_LEASE_MS) return [];
  return [`DELETION_LEASE must be at least 1s (it is renewed every third of it), got ${leaseMs}ms`];
}

/** The bucket settings when S3_BUCKET is set; the other S3_ variables without it are a mistake. */
/** The WEBHOOK_* settings; private networks are refused in production whatever the variable says. */
function webhookSettings(env: Env, nodeEnv: Config['nodeEnv'], problems: string[]): WebhookSettings {
  const allowPrivate = oneOf(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', ['true', 'false'], 'false', problems) === 'true';
  if (allowPrivate && nodeEnv === 'production')
    problems.push('WEBHOOK_ALLOW_PRIVATE_NETWORKS=true is for tests only and refused when NODE_ENV=production');
  const publicUrl = env.PUBLIC_URL || undefined;
  if (publicUrl && !/^https?:\/\/[^/\s]+\/?$/.test(publicUrl))
    problems.push(`PUBLIC_URL must be an origin such as https://archive.example.com, got "${publicUrl}"`);
  return {
    allowPrivateNetworks: allowPrivate,
    allowHttp: nodeEnv !== 'production',
    retryBaseDelayMs: duration(env, 'WEBHOOK_RETRY_BASE_DELAY', '30s', problems),
    attemptTimeoutMs: duration(env, 'WEBHOOK_ATTEMPT_TIMEOUT', '10s', problems),
    giveUpAfterMs: duration(env, 'WEBHOOK_GIVE_UP_AFTER', '3d', problems),
    disableAfterMs: duration(env, 'WEBHOOK_DISABLE_AFTER', '5d', problems),
    concurrency: integer(env, 'WEBHOOK_CONCURRENCY', 64, 1, 1000, problems),
    linkTtlMs: duration(env, 'WEBHOOK_LINK_TTL', '7d', problems),
    secretOverlapMs: duration(env, 'WEBHOOK_SECRET_OVERLAP', '24h', problems),
    publicUrl: publicUrl?.replace(/\/$/, ''),
  };
}

function s3Settings(env: Env, problems: string[]): S3Settings | undefined {
  const bucket = env.S3_BUCKET || undefined;
  if (!bucket) {
    const stray = ['S3_ENDPOINT', 'S3_REGION', 'S3_FORCE_PATH_STYLE'].filter((name) => env[name]);
    if (stray.length > 0)
      problems.push(`${stray.join(', ')} set without S3_BUCKET: set S3_BUCKET to use object storage`);
    return undefined;
  }
  const endpoint = env.S3_ENDPOINT || undefined;
  if (endpoint && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) {
    problems.push(`S3_ENDPOINT must be an http(s):// URL such as https://minio.example.com:9000, got "${endpoint}"`);
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID || undefined;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY || undefined;
  if (!accessKeyId !== !secretAccessKey)
    problems.push('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together');
  return {
    bucket,
    endpoint,
    region: env.S3_REGION || env.AWS_REGION || 'us-east-1',
    forcePathStyle: oneOf(env, 'S3_FORCE_PATH_STYLE', ['true', 'false'], 'false', problems) === 'true',
    credentials:
      accessKeyId && secretAccessKey
        ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined }
        : undefined,
  };
}

function integer(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

/** An IP address or a host name such as `localhost`; the listen call reports one that is not this machine's. */
function host(env: Env, fallback: string, problems: string[]): string {
  const raw = env.HOST;
  if (raw === undefined || raw === '') return fallback;
  if (isIP(raw) || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(raw)) return raw;
  problems.push(`HOST must be an IP address or a host name such as 127.0.0.1, 0.0.0.0 or localhost, got "${raw}"`);
  return fallback;
}

const DEVELOPMENT_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];

/** `scheme://host` with an optional `:port` or `:*`, nothing after it: what a browser sends as `Origin`. */
const ORIGIN_PATTERN =
  /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:(\d{1,5}|\*))?$/;

/** CORS_ORIGINS, comma-separated; browsers send origins in lower case, so entries are compared that way. */
function corsOrigins(env: Env, fallback: string[], problems: string[]): string[] {
  const raw = env.CORS_ORIGINS;
  if (raw === undefined || raw.trim() === '') return fallback;
  const entries = raw.split(',').map((entry) => entry.trim().toLowerCase());
  const bad = entries.filter((entry) => !ORIGIN_PATTERN.test(entry));
  if (bad.length === 0) return entries;
  problems.push(
    `CORS_ORIGINS must be comma-separated origins such as https://app.example.com or http://localhost:* (no path, no trailing slash), got ${bad.map((entry) => `"${entry}"`).join(', ')}`,
  );
  return [];
}

function duration(env: Env, name: string, fallback: string, problems: string[]): number {
  const raw = env[name] || fallback;
  const value = parseDuration(raw);
  if (value === undefined) {
    problems.push(`${name} must be a positive duration such as 7d, 12h, 30s or 500ms, got "${raw}"`);
    return 0;
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T, problems: string[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  problems.push(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return fallback;
}
