import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { MeDocument } from '../operations/generated';
import { startApp } from '../src/app';
import { loadConfig } from '../src/config';
import { StartError } from '../src/startup';
import { createLogger } from '../src/log';
import { request } from './support/clients';
import { killProcessesUsing, processesUsing } from './support/processes';
import { ServerProcess, startServerProcess, TEST_JWT_SECRET } from './support/servers';
import { createTestDatabase } from './support/test-database';
import { settles, STALL_GUARDED_TIMEOUT_MS, waitFor } from './support/wait-for';

// Every wait below ends at the process's banner or exit, or fails once it stopped making progress
// (CPU time of it, its initdb and PostgreSQL, or output): initdb alone takes long on a busy machine.

let folders: string[] = [];
let held: Server | undefined;

/** A fresh folder under the OS temp folder the postgres OS user can reach (tests may run as root). */
function reachableFolder(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-startfail-'));
  chmodSync(folder, 0o755);
  folders.push(folder);
  return folder;
}

/**
 * `npm start` as a developer runs it, on the embedded database under `dataDir`, on `port`: no
 * DATABASE_URL (whatever database the test run uses) and no JWT_SECRET (made and kept in DATA_DIR).
 */
function start(dataDir: string, port = 0, env: Record<string, string> = {}): ServerProcess {
  return startServerProcess(
    { PORT: String(port), NODE_ENV: 'development', JWT_SECRET: undefined, LOG_LEVEL: undefined, ...env },
    { dataDir },
  );
}

/** The lines the process wrote on stderr. */
const stderrLines = (main: ServerProcess) => main.output.stderr.trim().split('\n');

// The server processes are SIGKILLed and awaited first, by support/servers.
afterEach(async () => {
  // Whatever the outcome, no PostgreSQL of ours outlives the test.
  for (const folder of folders) killProcessesUsing(path.join(folder, 'postgres'));
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  await new Promise<void>((resolve) => (held ? held.close(() => resolve()) : resolve()));
  [folders, held] = [[], undefined];
});

it(
  'exits 1 with one line when the port is taken, and stops the embedded database it had started',
  async () => {
    held = createServer();
    await new Promise<void>((resolve) => held!.listen(0, '0.0.0.0', resolve));
    const port = (held.address() as { port: number }).port;
    const dataDir = reachableFolder();

    const main = start(dataDir, port, { LOG_LEVEL: 'warn' });

    expect(await main.exit()).toBe(1);
    expect(stderrLines(main)).toEqual([
      `crm-archive cannot start: port ${port} is in use: stop the other process or set PORT`,
    ]);
    expect(processesUsing(path.join(dataDir, 'postgres'))).toEqual([]);
    expect(existsSync(path.join(dataDir, 'embedded-url'))).toBe(false);
  },
  STALL_GUARDED_TIMEOUT_MS,
);

it('in process: a taken port rejects startApp with a StartError and closes every database session it opened', async () => {
  held = createServer();
  await new Promise<void>((resolve) => held!.listen(0, '0.0.0.0', resolve));
  const port = (held.address() as { port: number }).port;
  const database = await createTestDatabase();
  const probe = new Client({ connectionString: database.url });
  await probe.connect();
  try {
    const since = (await probe.query<{ at: Date }>('SELECT clock_timestamp() AS at')).rows[0].at;
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      DATABASE_URL: database.url,
      DATA_DIR: reachableFolder(),
      JWT_SECRET: TEST_JWT_SECRET,
    });

    const failed = startApp(config, createLogger('silent'));

    const error = await settles(
      failed.then(
        () => undefined,
        (reason: unknown) => reason,
      ),
      { what: 'startApp to settle' },
    );
    expect(error).toBeInstanceOf(StartError);
    expect((error as StartError).message).toBe(`port ${port} is in use: stop the other process or set PORT`);
    // The pool and the LISTEN connection it had opened are closed (their backends go away shortly after).
    await waitFor(
      async () => {
        const sessions = await probe.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND backend_start >= $1 AND pid <> pg_backend_pid()`,
          [since],
        );
        return sessions.rows[0].n === 0;
      },
      { what: 'the sessions startApp opened to close' },
    );
  } finally {
    await probe.end();
    await database.drop();
  }
});

it(
  'exits 1 with one line naming the running instance when its data directory is in use, and leaves that one serving',
  async () => {
    const dataDir = reachableFolder();
    const first = start(dataDir);
    const url = await first.ready();
    const adminToken = /admin token \(\S+\): Bearer (\S+)/.exec(first.output.stdout)![1];

    const second = start(dataDir, 0, { LOG_LEVEL: 'warn' });

    expect(await second.exit()).toBe(1);
    expect(stderrLines(second)).toEqual([
      `crm-archive cannot start: the embedded database in ${path.join(dataDir, 'postgres')} is in use by another crm-archive (pid ${first.child.pid}): stop it or set DATA_DIR`,
    ]);
    // The refused start changed nothing: the first instance still serves and its URL file is still there.
    expect((await request(url, MeDocument, {}, adminToken)).data?.me.email).toBe('alice@acme.test');
    expect(existsSync(path.join(dataDir, 'embedded-url'))).toBe(true);
    expect(await first.stop()).toBe(0);
    expect(processesUsing(path.join(dataDir, 'postgres'))).toEqual([]);
  },
  STALL_GUARDED_TIMEOUT_MS,
);

it(
  'exits 1 with one line naming the PostgreSQL a killed instance left running on its data directory',
  async () => {
    const dataDir = reachableFolder();
    const clusterFolder = path.join(dataDir, 'postgres');
    const crashed = start(dataDir);
    await crashed.ready();
    crashed.kill();
    await crashed.exited;
    // Killed at once, the instance could not stop its PostgreSQL: it runs on, orphaned.
    const [orphan] = processesUsing(clusterFolder);
    expect(orphan).toBeDefined();

    const next = start(dataDir, 0, { LOG_LEVEL: 'warn' });

    expect(await next.exit()).toBe(1);
    expect(stderrLines(next)).toEqual([
      `crm-archive cannot start: the embedded database in ${clusterFolder} is in use by a PostgreSQL (pid ${orphan}) whose crm-archive is gone: stop it (kill ${orphan}) or set DATA_DIR`,
    ]);
    expect(processesUsing(clusterFolder)).toEqual([orphan]);
  },
  STALL_GUARDED_TIMEOUT_MS,
);

it(
  'starts and serves with DATA_DIR a new folder under a parent the postgres OS user cannot traverse',
  async () => {
    // As `mktemp -d` makes it: mode 700, so the postgres OS user (when we run as root) cannot pass it.
    const parent = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-private-'));
    folders.push(parent);
    const dataDir = path.join(parent, 'data');
    // With JWT_SECRET set, nothing creates DATA_DIR before the embedded database starts.
    const main = start(dataDir, 0, { JWT_SECRET: 'a-secret-long-enough-for-the-test' });
    // Where the embedded database went instead (as root); removed after the test like the rest.
    const movedTo = () => /keeping the embedded database in ([^\s"]+)/.exec(main.output.stderr)?.[1];
    try {
      const url = await main.ready();
      const adminToken = /admin token \(\S+\): Bearer (\S+)/.exec(main.output.stdout)![1];
      expect((await request(url, MeDocument, {}, adminToken)).data?.me.role).toBe('ADMIN');
      // stdout and stderr are separate pipes: the banner can arrive before the earlier 'keeping …' line.
      const clusterFolder = () => movedTo() ?? path.join(dataDir, 'postgres');
      await waitFor(() => processesUsing(clusterFolder()).length === 1, {
        what: 'one PostgreSQL in the cluster folder',
      });
      expect(await main.stop()).toBe(0);
      expect(processesUsing(clusterFolder())).toEqual([]);
    } finally {
      const moved = movedTo();
      if (moved) {
        killProcessesUsing(moved);
        rmSync(moved, { recursive: true, force: true });
      }
    }
  },
  STALL_GUARDED_TIMEOUT_MS,
);
