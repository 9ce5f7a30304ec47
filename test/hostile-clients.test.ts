import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ActivateDeletionDocument,
  ArchiveObjectsDocument,
  MarkForDeletionDocument,
  ObjectType,
} from '../operations/generated';
import { ExportManifest } from '../src/domain/deletion/export-manifest';
import { mustRequest } from './support/clients';
import { deletionSnapshot, Ref } from './support/deletion';
import { createWorkspace, TestUser } from './support/fixtures';
import { LogCapture } from './support/log-capture';
import { createObject, snapshot, upload } from './support/objects';
import { startServerProcess, startTestServer, TestServer } from './support/servers';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { unzip } from './support/unzip';
import { STALL_GUARDED_TIMEOUT_MS, waitFor } from './support/wait-for';

/**
 * What slow, stalled or prying clients can hold and provoke: export slots shared per workspace,
 * stalled downloads and exports closed after the idle timeout with their files, slots and
 * connections back, clean 400s for undecodable paths, /metrics closed in production.
 */

jest.setTimeout(STALL_GUARDED_TIMEOUT_MS);

const BIG = 8 << 20;
const log = new LogCapture();
let server: TestServer;
let base: string;

beforeAll(async () => {
  // Long enough that stalled clients stay stalled for the whole test; the idle timeout is tested below.
  server = await startTestServer(
    { MAX_UPLOAD_BYTES: String(16 << 20), EXPORTS_MAX: '4', TRANSFER_IDLE_TIMEOUT: '10m' },
    { logger: log.logger },
  );
  base = server.url.replace(/\/graphql$/, '');
});
afterAll(() => server.close());

const auth = (user?: TestUser): Record<string, string> => (user ? { authorization: `Bearer ${user.token}` } : {});

/** A pending deletion of one contact with `files` attached, in `admin`'s workspace, on `url`. */
async function pendingDeletion(url: string, admin: TestUser, files: [string, Buffer][]): Promise<string> {
  const contact: Ref = await createObject(url, admin, 'CONTACT' as ObjectType);
  for (const [name, bytes] of files) expect((await upload(url, admin.token, contact, bytes, name)).status).toBe(201);
  await mustRequest(url, ArchiveObjectsDocument, { refs: [contact] }, admin.token);
  await mustRequest(url, MarkForDeletionDocument, { refs: [contact] }, admin.token);
  return (await mustRequest(url, ActivateDeletionDocument, {}, admin.token)).activateDeletion.id;
}

/** Starts a download and reads one chunk of it, then reads no more: a stalled client. */
async function stalled(url: string, user: TestUser, signal: AbortSignal): Promise<ReadableStreamDefaultReader> {
  const response = await fetch(url, { headers: auth(user), signal });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  expect((await reader.read()).done).toBe(false);
  return reader;
}

/** Reads what is left; resolves 'complete' or rejects when the server cut the stream. */
async function drain(reader: ReadableStreamDefaultReader): Promise<'complete'> {
  for (;;) if ((await reader.read()).done) return 'complete';
}

async function idleInTransaction(database: TestDatabase): Promise<number> {
  const row = await database.db.one<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND state = 'idle in transaction'`,
  );
  return row!.n;
}

describe('exports under stalled clients', () => {
  it('two stalled exports of one workspace hold neither a transaction nor the other workspaces’ slots', async () => {
    const a = await createWorkspace(server.database.db, 1, 0);
    const b = await createWorkspace(server.database.db, 1, 0);
    const big = await pendingDeletion(server.url, a.admins[0], [
      ['one.bin', randomBytes(BIG)],
      ['two.bin', randomBytes(BIG)],
    ]);
    const risky = ['con.txt', 'aux', 'C:evil.txt', 'trailing. ', 'LPT1.tar.gz', 'a<b>|?*.txt'];
    const small = await pendingDeletion(
      server.url,
      b.admins[0],
      risky.map((name) => [name, Buffer.from(name)]),
    );
    const leaving = new AbortController();
    const readers = [
      await stalled(`${base}/deletions/${big}/export`, a.admins[0], leaving.signal),
      await stalled(`${base}/deletions/${big}/export`, a.admins[0], leaving.signal),
    ];
    try {
      // While both wait for their client, no snapshot is held: the rows were staged before the first byte.
      await waitFor(async () => (await idleInTransaction(server.database)) === 0, {
        what: 'no transaction to stay open for the stalled exports',
      });
      const third = await fetch(`${base}/deletions/${big}/export`, { headers: auth(a.admins[0]) });
      const refused = (await third.json()) as { error: { code: string; reason: string; scope: string } };
      expect([third.status, refused.error]).toMatchObject([
        409,
        { code: 'CONFLICT', reason: 'EXPORTS_BUSY', scope: 'workspace' },
      ]);
      // HEAD needs no slot: it answers from the deletion row while the workspace's share is taken.
      const head = await fetch(`${base}/deletions/${big}/export`, { method: 'HEAD', headers: auth(a.admins[0]) });
      expect([head.status, head.headers.get('content-type')]).toEqual([200, 'application/zip']);
      expect(server.app.services.deletionExport.slots.inUse()).toBe(2);

      const other = await fetch(`${base}/deletions/${small}/export`, { headers: auth(b.admins[0]) });
      expect(other.status).toBe(200);
      const entries = await unzip(Buffer.from(await other.arrayBuffer()));
      const manifest = JSON.parse(entries.at(-1)!.data.toString('utf8')) as ExportManifest;
      // Names Windows treats specially are made plain; the manifest keeps the uploaded name.
      const names = Object.fromEntries(manifest.files.map((f) => [f.fileName, f.path.split('/').at(-1)]));
      expect(names).toEqual({
        'con.txt': '_con.txt',
        aux: '_aux',
        'C:evil.txt': 'C_evil.txt',
        'trailing. ': 'trailing__',
        'LPT1.tar.gz': '_LPT1.tar.gz',
        'a<b>|?*.txt': 'a_b____.txt',
      });
      for (const file of manifest.files) {
        expect(entries.find((e) => e.name === file.path)!.data.toString()).toBe(file.fileName);
      }
    } finally {
      leaving.abort();
    }
    await Promise.allSettled(readers.map(drain));
    await waitFor(() => server.app.services.deletionExport.slots.inUse() === 0, { what: 'the slots to be released' });
  });

  it('HEAD of an export refuses as GET does and builds nothing', async () => {
    const ws = await createWorkspace(server.database.db, 1, 1);
    const id = await pendingDeletion(server.url, ws.admins[0], [['x.bin', randomBytes(100)]]);
    const before = [await snapshot(server.database.db), await deletionSnapshot(server.database.db)];
    const cases: [TestUser | undefined, string, number][] = [
      [undefined, id, 401],
      [ws.members[0], id, 403],
      [ws.admins[0], '00000000-0000-4000-8000-000000000000', 404],
    ];
    for (const [user, target, status] of cases) {
      const head = await fetch(`${base}/deletions/${target}/export`, { method: 'HEAD', headers: auth(user) });
      expect([target, head.status]).toEqual([target, status]);
    }
    expect([await snapshot(server.database.db), await deletionSnapshot(server.database.db)]).toEqual(before);
  });
});

describe('idle timeout', () => {
  it('closes stalled exports and downloads, giving back their slots, files and connections', async () => {
    const quick = await startTestServer(
      { MAX_UPLOAD_BYTES: String(16 << 20), TRANSFER_IDLE_TIMEOUT: '1s' },
      { database: server.database },
    );
    const quickBase = quick.url.replace(/\/graphql$/, '');
    const ws = await createWorkspace(server.database.db, 1, 0);
    const [admin] = ws.admins;
    const id = await pendingDeletion(quick.url, admin, [['big.bin', randomBytes(BIG)]]);
    const controller = new AbortController();
    const readers = [
      await stalled(`${quickBase}/deletions/${id}/export`, admin, controller.signal),
      await stalled(`${quickBase}/deletions/${id}/export`, admin, controller.signal),
    ];
    // The server ends each stalled stream and frees its slot; then the client sees a cut-off download.
    await waitFor(async () => quick.app.services.deletionExport.slots.inUse() === 0, { what: 'the slots to return' });
    expect(await idleInTransaction(server.database)).toBe(0);
    for (const reader of readers) await expect(drain(reader)).rejects.toThrow();
    const again = await fetch(`${quickBase}/deletions/${id}/export`, { headers: auth(admin) });
    expect(again.status).toBe(200);
    await again.arrayBuffer();
    await quick.close();
  });

  it('a stalled download costs the server process one file and one socket until the timeout, never a connection', async () => {
    const database = await createTestDatabase();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-stalled-'));
    try {
      const child = startServerProcess(
        { MAX_UPLOAD_BYTES: String(16 << 20), TRANSFER_IDLE_TIMEOUT: '1s' },
        { database, dataDir },
      );
      const url = await child.ready();
      const childBase = url.replace(/\/graphql$/, '');
      const ws = await createWorkspace(database.db, 1, 0);
      const [admin] = ws.admins;
      const contact = await createObject(url, admin, 'CONTACT' as ObjectType);
      const uploaded = await upload(url, admin.token, contact, randomBytes(BIG), 'big.bin');
      const download = `${childBase}/attachments/${(uploaded.body.attachment as { id: string }).id}`;
      const fdFolder = `/proc/${child.child.pid}/fd`;
      const fds = () => readdirSync(fdFolder).length;
      /** The server's open files under its data folder (the stored attachments it is sending). */
      const openFiles = () =>
        readdirSync(fdFolder).filter((fd) => {
          try {
            return readlinkSync(path.join(fdFolder, fd)).startsWith(dataDir);
          } catch {
            return false; // closed meanwhile
          }
        }).length;
      const connections = async () =>
        (
          await database.db.rows<{ state: string }>(
            `SELECT state FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
             AND state <> 'idle'`,
          )
        ).length;
      // Warm: one whole download, so the pool and the file store have opened what they keep.
      await (await fetch(download, { headers: auth(admin) })).arrayBuffer();
      const baseline = fds();
      const controller = new AbortController();
      const readers = await Promise.all(Array.from({ length: 4 }, () => stalled(download, admin, controller.signal)));
      // Each stalled download holds its socket and its open file, nothing in the database.
      await waitFor(() => openFiles() === 4, { what: 'the stalled downloads to hold their files' });
      const during = { fds: fds(), files: openFiles(), busyConnections: await connections() };
      expect(during.busyConnections).toBe(0);
      await waitFor(() => openFiles() === 0 && fds() <= baseline, {
        what: 'the server’s fds to return to their baseline',
      });
      for (const reader of readers) await expect(drain(reader)).rejects.toThrow();
      process.stdout.write(
        `stalled downloads: fds baseline ${baseline}, with 4 stalled ${during.fds} (${during.files} files), ` +
          `after the timeout ${fds()}; ` +
          `busy connections while stalled ${during.busyConnections}\n`,
      );
      expect(child.output.stderr).not.toMatch(/"level":"error"/);
      expect(await child.stop()).toBe(0);
    } finally {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('clean refusals', () => {
  it('answers an undecodable % in a path with 400 BAD_USER_INPUT, logged at info without a stack', async () => {
    const ws = await createWorkspace(server.database.db, 1, 0);
    const before = [await snapshot(server.database.db), await deletionSnapshot(server.database.db)];
    const from = log.lines().length;
    for (const path of ['/attachments/%', '/attachments/%ff%fe', '/deletions/%/export', '/deletions/%E0%A4%A/export'])
      for (const method of ['GET', 'HEAD'])
        for (const user of [undefined, ws.admins[0]]) {
          const response = await fetch(`${base}${path}`, { method, headers: auth(user) });
          expect([path, method, response.status]).toEqual([path, method, 400]);
          if (method === 'GET') {
            const body = (await response.json()) as { error: { code: string } };
            expect(body.error.code).toBe('BAD_USER_INPUT');
          }
        }
    const lines = log.lines().slice(from);
    expect(lines.filter((line) => line.level !== 'info' && line.level !== 'debug')).toEqual([]);
    expect(JSON.stringify(lines)).not.toMatch(/stack|URIError/);
    expect([await snapshot(server.database.db), await deletionSnapshot(server.database.db)]).toEqual(before);
  });
});

describe('/metrics in production', () => {
  const production = { NODE_ENV: 'production', PLAYGROUND: 'false' };

  it('is closed without METRICS_TOKEN', async () => {
    const closed = await startTestServer(production, { database: server.database });
    const response = await fetch(closed.url.replace(/\/graphql$/, '/metrics'));
    expect(response.status).toBe(404);
    expect(await response.text()).not.toMatch(/graphql_operations_total/);
    await closed.close();
  });

  it('answers only the bearer of METRICS_TOKEN', async () => {
    const token = 'scrape-token-0123456789';
    const guarded = await startTestServer({ ...production, METRICS_TOKEN: token }, { database: server.database });
    const metricsUrl = guarded.url.replace(/\/graphql$/, '/metrics');
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${token}`, `Bearer ${token}x`]) {
      const response = await fetch(metricsUrl, { headers: authorization ? { authorization } : {} });
      expect([authorization, response.status]).toEqual([authorization, 401]);
    }
    const scraped = await fetch(metricsUrl, { headers: { authorization: `Bearer ${token}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/graphql_operations_total/);
    await guarded.close();
  });
});
