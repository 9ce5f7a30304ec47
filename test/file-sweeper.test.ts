import { Readable } from 'node:stream';
import { UPLOAD_TOMBSTONE_TTL_MS } from '../src/scheduler/file-sweeper';
import { newStorageKey } from '../src/domain/files/file-store';
import { testScheduler } from './support/executor-fixtures';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { createObject, upload } from './support/objects';
import { startTestServer, TestServer } from './support/servers';
import { verifyProblems } from './support/deletion';

let server: TestServer;
let ws: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h', MAX_UPLOAD_BYTES: '1000' });
  ws = await createWorkspace(server.database.db, 1, 0);
});
afterAll(() => server.close());

const db = () => server.database.db;
const tombstones = () => db().rows<{ key: string }>('SELECT storage_key AS key FROM file_tombstones ORDER BY id');

const scheduler = () => testScheduler(server.app.services, { chunkSize: 100 });

/** What an upload leaves when its process dies after writing the file and before its row commits. */
async function abandonedUpload(ageMs: number): Promise<string> {
  const key = newStorageKey(crypto.randomUUID());
  await db().rows(`INSERT INTO file_tombstones (storage_key, created_at) VALUES ($1, now() - $2 * interval '1 ms')`, [
    key,
    ageMs,
  ]);
  await server.app.services.files.put(key, Readable.from([Buffer.from('orphan')]), 100);
  return key;
}

describe('uploads and the file sweeper', () => {
  it('leaves no tombstone after a stored or a refused upload', async () => {
    const ref = await createObject(server.url, ws.admins[0], 'CONTACT');
    expect((await upload(server.url, ws.admins[0].token, ref, Buffer.alloc(500))).status).toBe(201);
    expect((await upload(server.url, ws.admins[0].token, ref, Buffer.alloc(5000))).status).toBe(413);
    expect(await tombstones()).toEqual([]);
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });

  it('removes the file of an upload that died before its row, once it is older than an upload can take', async () => {
    const dead = await abandonedUpload(UPLOAD_TOMBSTONE_TTL_MS + 60_000);
    // An upload still in flight: its file is being written, its row is not committed yet.
    const inFlight = await abandonedUpload(1_000);
    await scheduler().tick(new Date());
    expect(await server.app.services.files.size(dead)).toBeNull();
    expect(await server.app.services.files.size(inFlight)).not.toBeNull();
    expect(await tombstones()).toEqual([{ key: inFlight }]);
    // Later, the in-flight one is abandoned too.
    await scheduler().tick(new Date(Date.now() + UPLOAD_TOMBSTONE_TTL_MS + 60_000));
    expect(await server.app.services.files.size(inFlight)).toBeNull();
    expect(await tombstones()).toEqual([]);
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });
});
