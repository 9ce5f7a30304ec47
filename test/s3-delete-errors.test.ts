import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { loadConfig } from '../src/config';
import { DeletionLifecycle } from '../src/domain/deletion/lifecycle/deletion-lifecycle';
import { newStorageKey } from '../src/domain/files/file-store';
import { S3FileStore } from '../src/domain/files/s3-file-store';
import { ExecutionOutcome } from '../src/scheduler/deletion-executor';
import { FileSweeper } from '../src/scheduler/file-sweeper';
import { createDueDeletion, seedArchivedObjects, testScheduler } from './support/executor-fixtures';
import { createWorkspace } from './support/fixtures';
import { RefusingProxy, startRefusingProxy } from './support/s3-refusing-proxy';
import { startTestS3, TestS3 } from './support/s3-server';
import { createTestDatabase, TestDatabase } from './support/test-database';

/**
 * DeleteObjects answers per key: a call can succeed while some of its keys were not deleted. Those
 * keys, and only those, keep their tombstones, so the sweeper deletes them once the store lets it.
 * s3rver never refuses a single key, so a proxy in front of it does (test/support/s3-refusing-proxy.ts).
 */
let s3: TestS3;
let proxy: RefusingProxy;
let database: TestDatabase;
let files: S3FileStore;

beforeAll(async () => {
  s3 = await startTestS3();
  proxy = await startRefusingProxy(s3.endpoint);
  database = await createTestDatabase();
  const config = loadConfig({ ...s3.env, S3_ENDPOINT: proxy.endpoint, JWT_SECRET: 'unused-but-long-enough' });
  files = await S3FileStore.open(config.s3!);
});
afterEach(() => {
  proxy.refuses = () => false;
});
afterAll(async () => {
  await files?.close();
  await database?.drop();
  await proxy?.stop();
  await s3?.stop();
});

const db = () => database.db;
const tombstoned = () => db().rows<{ key: string }>('SELECT storage_key AS key FROM file_tombstones ORDER BY id');

async function stored(): Promise<string> {
  const key = newStorageKey(randomUUID());
  await files.put(key, Readable.from([Buffer.from(key)]), 100);
  return key;
}

describe('DeleteObjects with errors for some keys', () => {
  it('returns exactly the refused keys, with their code; the others, and missing ones, are gone', async () => {
    const [kept, deleted] = [await stored(), await stored()];
    proxy.refuses = (key) => key === kept;
    const failures = await files.deleteMany([kept, deleted, newStorageKey(randomUUID())]);
    expect(failures.map(({ key, error }) => ({ key, error: String(error) }))).toEqual([
      { key: kept, error: 'Error: AccessDenied: Access Denied' },
    ]);
    expect(await s3.keys()).toEqual([kept]);
    await files.delete(kept);
  });

  it('keeps the tombstones of the refused keys only; the deletion completes and the sweeper retries them', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const refs = await seedArchivedObjects(db(), files, {
      workspaceId: ws.id,
      userId: ws.admins[0].id,
      perType: 3,
      fileEvery: 1,
      fileBytes: 16,
    });
    const keys = (await db().rows<{ key: string }>('SELECT storage_key AS key FROM attachments ORDER BY id')).map(
      (row) => row.key,
    );
    const refused = new Set(keys.filter((_, i) => i % 4 === 0));
    proxy.refuses = (key) => refused.has(key);
    const deletionId = await createDueDeletion(db(), ws.id, ws.admins[0].id, refs, new Date(Date.now() - 1_000));
    const services = { db: db(), files, lifecycle: new DeletionLifecycle() };
    // Chunks of 5 over 21 files: several DeleteObjects calls, each with refused and deleted keys.
    expect(await testScheduler(services, { chunkSize: 5 }).tick(new Date())).toEqual([
      { deletionId, outcome: ExecutionOutcome.COMPLETED },
    ]);
    const left = [...refused].sort();
    expect((await tombstoned()).map((row) => row.key).sort()).toEqual(left);
    expect(await s3.keys()).toEqual(left);

    proxy.refuses = () => false;
    expect(await new FileSweeper(db(), files).sweep(new Date())).toBe(refused.size);
    expect(await tombstoned()).toEqual([]);
    expect(await s3.keys()).toEqual([]);
  });
});
