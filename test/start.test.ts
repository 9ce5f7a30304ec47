import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { MeDocument } from '../operations/generated';
import { DEMO_OBJECTS_PER_TYPE, DEMO_USERS } from '../src/demo/demo-seed';
import { request } from './support/clients';
import { isRunning } from './support/processes';
import { ServerProcess, startServerProcess } from './support/servers';
import { STALL_GUARDED_TIMEOUT_MS } from './support/wait-for';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-start-'));
// The postgres OS user (when tests run as root) must be able to reach the data folder.
chmodSync(dataDir, 0o755);
// Registered after support/servers' hooks, so a process still running is killed before its folder goes.
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/**
 * Runs `npm start`'s entry point as a developer does (embedded database under DATA_DIR, a secret
 * made there, info logs) and waits for its banner.
 */
async function start(): Promise<ServerProcess> {
  const main = startServerProcess(
    { NODE_ENV: 'development', JWT_SECRET: undefined, LOG_LEVEL: undefined },
    { dataDir },
  );
  await main.ready();
  return main;
}

describe('npm start on the embedded database', () => {
  it(
    'creates, seeds and serves a database, prints working tokens, and stops cleanly',
    async () => {
      const first = await start();
      expect(first.output.stderr).toContain('applied migrations: InitialSchema');
      expect(first.output.stderr).toContain('created the demo data');
      const url = /GraphQL \+ playground: (\S+)/.exec(first.output.stdout)![1];
      const adminToken = /admin token \(alice@acme.test\): Bearer (\S+)/.exec(first.output.stdout)![1];
      const memberToken = /member token \(carol@acme.test\): Bearer (\S+)/.exec(first.output.stdout)![1];
      expect((await request(url, MeDocument, {}, adminToken)).data?.me).toMatchObject({
        email: 'alice@acme.test',
        role: 'ADMIN',
      });
      expect((await request(url, MeDocument, {}, memberToken)).data?.me).toMatchObject({ role: 'MEMBER' });

      // The demo data: its row counts, and every attachment's bytes really in the file store.
      const db = new Client({ connectionString: readFileSync(path.join(dataDir, 'embedded-url'), 'utf8') });
      await db.connect();
      const users = await db.query('SELECT count(*)::int AS n FROM users');
      expect(users.rows[0].n).toBe(DEMO_USERS.acme.length + DEMO_USERS.globex.length);
      const tasks = await db.query('SELECT DISTINCT status FROM tasks ORDER BY status');
      expect(tasks.rows.map((r: { status: string }) => r.status)).toEqual([
        'DONE',
        'IN_PROGRESS',
        'OPEN',
        'REMOVED',
        'VERIFIED',
      ]);
      const archived = await db.query('SELECT count(*)::int AS n FROM contacts WHERE archived_at IS NOT NULL');
      expect(archived.rows[0].n).toBeGreaterThan(0);
      const attachments = await db.query<{ storage_key: string; size_bytes: string }>(
        'SELECT storage_key, size_bytes FROM attachments',
      );
      expect(attachments.rowCount).toBe(2 * 7 * DEMO_OBJECTS_PER_TYPE);
      for (const { storage_key, size_bytes } of attachments.rows) {
        expect(statSync(path.join(dataDir, 'files', storage_key)).size).toBe(Number(size_bytes));
      }
      await db.end();

      const postmasterPid = Number(
        readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      expect(isRunning(postmasterPid)).toBe(true);
      expect(await first.stop()).toBe(0);
      expect(isRunning(postmasterPid)).toBe(false);
      expect(existsSync(path.join(dataDir, 'embedded-url'))).toBe(false);

      // A restart reuses the data: no migration to apply, nothing to seed, same tokens still valid.
      const second = await start();
      expect(second.output.stderr).not.toContain('applied migrations');
      expect(second.output.stderr).not.toContain('created the demo data');
      const url2 = /GraphQL \+ playground: (\S+)/.exec(second.output.stdout)![1];
      expect((await request(url2, MeDocument, {}, adminToken)).data?.me.email).toBe('alice@acme.test');
      expect(await second.stop()).toBe(0);
    },
    STALL_GUARDED_TIMEOUT_MS,
  );
});
