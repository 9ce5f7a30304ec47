import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  ActivateDeletionDocument,
  ArchiveObjectsDocument,
  CancelDeletionDocument,
  MarkForDeletionDocument,
} from '../operations/generated';
import { loadConfig } from '../src/config';
import { newStorageKey } from '../src/domain/files/file-store';
import { S3FileStore } from '../src/domain/files/s3-file-store';
import { UPLOAD_TOMBSTONE_TTL_MS } from '../src/scheduler/file-sweeper';
import { mustRequest } from './support/clients';
import { verifyProblems } from './support/deletion';
import { createDueDeletion, testScheduler } from './support/executor-fixtures';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { createObject, snapshot, upload } from './support/objects';
import { startTestS3, TestS3 } from './support/s3-server';
import { startServerProcess, startTestServer, TEST_JWT_SECRET, TestServer } from './support/servers';
import { unzip } from './support/unzip';
import { runVerifyCommand } from './support/cli-command';

/**
 * Every path that touches files, with the files in a bucket (s3rver over HTTP): upload, download,
 * the executor, the sweeper and `npm run verify`. The rest of the suite runs them on the local folder.
 */

const DAY_MS = 86_400_000;
let s3: TestS3;
let server: TestServer;
let ws: TestWorkspace;

beforeAll(async () => {
  s3 = await startTestS3();
  server = await startTestServer({ ...s3.env, SCHEDULER_INTERVAL: '1h', MAX_UPLOAD_BYTES: '100000' });
  ws = await createWorkspace(server.database.db, 1, 1);
});
afterAll(async () => {
  await server?.close();
  await s3?.stop();
});

const db = () => server.database.db;
const files = () => server.app.services.files;
const base = () => server.url.replace(/\/graphql$/, '');
const tombstones = () => db().rows<{ key: string }>('SELECT storage_key AS key FROM file_tombstones ORDER BY id');

/** Uploads `bytes` to a new object of the workspace's admin; returns the attachment id, object and key. */
async function attached(bytes: Buffer) {
  const [admin] = ws.admins;
  const ref = await createObject(server.url, admin, 'DEAL');
  const response = await upload(server.url, admin.token, ref, bytes);
  expect(response.status).toBe(201);
  const id = (response.body.attachment as { id: string }).id;
  const { key } = (await db().one<{ key: string }>('SELECT storage_key AS key FROM attachments WHERE id = $1', [id]))!;
  return { id, ref, key };
}

function download(id: string, headers: Record<string, string> = {}) {
  return fetch(`${base()}/attachments/${id}`, {
    headers: { ...headers, authorization: `Bearer ${ws.admins[0].token}` },
  });
}

describe('files on S3', () => {
  it('opens the bucket, and keeps nothing under DATA_DIR/files', async () => {
    expect(files()).toBeInstanceOf(S3FileStore);
    await attached(randomBytes(1_000));
    expect(existsSync(path.join(server.dataDir, 'files'))).toBe(false);
  });

  it('uploads into the bucket and streams it back whole or by range', async () => {
    const bytes = randomBytes(70_000);
    const { id, key } = await attached(bytes);
    expect(await s3.keys()).toContain(key);
    const whole = await download(id);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    const part = await download(id, { range: 'bytes=100-199' });
    expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 100-199/${bytes.length}`]);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
  });

  it('answers 404 NOT_FOUND, for GET and HEAD, when the object is gone from the bucket', async () => {
    const { id, key } = await attached(randomBytes(500));
    await files().delete(key);
    const response = await download(id);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const head = await fetch(`${base()}/attachments/${id}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${ws.admins[0].token}` },
    });
    expect(head.status).toBe(404);
    await files().put(key, Readable.from([randomBytes(500)]), 500);
  });

  it('refuses an upload past MAX_UPLOAD_BYTES with 413, changing nothing and leaving no object', async () => {
    const [admin] = ws.admins;
    const ref = await createObject(server.url, admin, 'CONTACT');
    const before = { rows: await snapshot(db()), keys: await s3.keys() };
    const refused = await upload(server.url, admin.token, ref, randomBytes(150_000));
    expect(refused.status).toBe(413);
    expect(refused.body.error?.code).toBe('BAD_USER_INPUT');
    expect({ rows: await snapshot(db()), keys: await s3.keys() }).toEqual(before);
    expect(await tombstones()).toEqual([]);
  });

  it('executes a deletion: its objects’ files leave the bucket in DeleteObjects batches, tombstones and all', async () => {
    const [admin] = ws.admins;
    const uploads: Awaited<ReturnType<typeof attached>>[] = [];
    for (let i = 0; i < 5; i++) uploads.push(await attached(randomBytes(200 + i)));
    const kept = await attached(randomBytes(300));
    const refs = uploads.map((u) => u.ref);
    await mustRequest(server.url, ArchiveObjectsDocument, { refs }, admin.token);
    const deletionId = await createDueDeletion(db(), ws.id, admin.id, refs, new Date(Date.now() + 7 * DAY_MS));
    const outcomes = await testScheduler(server.app.services, { chunkSize: 2 }).tick(new Date(Date.now() + 8 * DAY_MS));
    expect(outcomes).toEqual([{ deletionId, outcome: 'COMPLETED' }]);
    const left = await s3.keys();
    expect(left.filter((key) => uploads.some((u) => u.key === key))).toEqual([]);
    expect(left).toContain(kept.key);
    expect(await tombstones()).toEqual([]);
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });

  it('exports a pending deletion with its files read from the bucket', async () => {
    const fresh = await createWorkspace(db(), 1, 0);
    const [admin] = fresh.admins;
    const ref = await createObject(server.url, admin, 'DEAL');
    const bytes = randomBytes(30_000);
    expect((await upload(server.url, admin.token, ref, bytes, 'plan.pdf')).status).toBe(201);
    await mustRequest(server.url, ArchiveObjectsDocument, { refs: [ref] }, admin.token);
    await mustRequest(server.url, MarkForDeletionDocument, { refs: [ref] }, admin.token);
    const { id } = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
    const response = await fetch(`${base()}/deletions/${id}/export`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(response.status).toBe(200);
    const files = (await unzip(Buffer.from(await response.arrayBuffer()))).filter((e) => e.name.startsWith('files/'));
    expect(files.map((e) => e.data.equals(bytes))).toEqual([true]);
    await mustRequest(server.url, CancelDeletionDocument, { id }, admin.token);
  });

  it('runs `npm run verify` on the bucket: no drift, exit 0', async () => {
    const { code, stdout } = await runVerifyCommand({
      ...s3.env,
      DATABASE_URL: server.database.url,
      DATA_DIR: server.dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
    });
    expect({ code, last: stdout.trim().split('\n').at(-1) }).toEqual({ code: 0, last: 'no drift' });
  });

  it('sweeps the object of an upload that died before its row', async () => {
    const key = newStorageKey(randomUUID());
    await db().rows(`INSERT INTO file_tombstones (storage_key, created_at) VALUES ($1, now() - $2 * interval '1 ms')`, [
      key,
      UPLOAD_TOMBSTONE_TTL_MS + 60_000,
    ]);
    await files().put(key, Readable.from([Buffer.from('orphan')]), 100);
    await testScheduler(server.app.services, { chunkSize: 100 }).tick(new Date());
    expect(await s3.keys()).not.toContain(key);
    expect(await tombstones()).toEqual([]);
  });

  it('verifies rows against the bucket listing: a missing object and an orphan object are both reported', async () => {
    expect(await verifyProblems(server.app.services)).toEqual([]);
    const { id, key } = await attached(randomBytes(400));
    await files().delete(key);
    const orphan = newStorageKey(randomUUID());
    await files().put(orphan, Readable.from([Buffer.from('nobody’s')]), 100);
    const problems = await verifyProblems(server.app.services);
    expect(problems).toEqual([
      expect.stringContaining(`attachment ${id}: file ${key} is missing`),
      expect.stringContaining(`file ${orphan} has no attachment row`),
    ]);
    await files().delete(orphan);
    await files().put(key, Readable.from([randomBytes(400)]), 400);
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });
});

describe('starting with S3_*', () => {
  /** `npm start` on the test database with the bucket settings and `env` on top: its exit code and error. */
  async function failedStart(env: Record<string, string>) {
    const main = startServerProcess({ ...s3.env, ...env }, { database: server.database });
    const code = await main.exit();
    // Its last line: the SDK may warn about the Node version before.
    return { code, stderr: main.output.stderr.trim().split('\n').at(-1) };
  }

  it('stops with a clear message when the bucket does not exist', async () => {
    expect(await failedStart({ S3_BUCKET: 'no-such-bucket' })).toEqual({
      code: 1,
      stderr: `crm-archive cannot start: S3_BUCKET "no-such-bucket" at ${s3.endpoint} does not exist: create it, or set S3_BUCKET to an existing bucket`,
    });
  });

  it('stops with a clear message when the credentials are refused', async () => {
    // An access key the store does not know (s3rver checks the key id, not version 4 signatures).
    expect(await failedStart({ AWS_ACCESS_KEY_ID: 'NOT-A-KNOWN-KEY' })).toEqual({
      code: 1,
      stderr: `crm-archive cannot start: S3_BUCKET "${s3.bucket}" at ${s3.endpoint} refused the credentials: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and that they may use this bucket)`,
    });
  });

  it('refuses S3_ settings without a bucket, and half a key pair, before starting anything', () => {
    expect(() =>
      loadConfig({ S3_ENDPOINT: s3.endpoint, S3_FORCE_PATH_STYLE: 'true', JWT_SECRET: TEST_JWT_SECRET }),
    ).toThrow('S3_ENDPOINT, S3_FORCE_PATH_STYLE set without S3_BUCKET: set S3_BUCKET to use object storage');
    expect(() => loadConfig({ S3_BUCKET: 'b', AWS_ACCESS_KEY_ID: 'id', JWT_SECRET: TEST_JWT_SECRET })).toThrow(
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together',
    );
    expect(() => loadConfig({ S3_BUCKET: 'b', S3_ENDPOINT: 'minio:9000', JWT_SECRET: TEST_JWT_SECRET })).toThrow(
      'S3_ENDPOINT must be an http(s):// URL such as https://minio.example.com:9000, got "minio:9000"',
    );
  });
});
