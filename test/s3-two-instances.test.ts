import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ArchiveObjectsDocument } from '../operations/generated';
import { mustRequest } from './support/clients';
import { verifyProblems } from './support/deletion';
import { createDueDeletion, testScheduler } from './support/executor-fixtures';
import { createWorkspace } from './support/fixtures';
import { createObject, upload } from './support/objects';
import { startTestS3, TestS3 } from './support/s3-server';
import { startTestServer } from './support/servers';

/**
 * Two machines in miniature: two instances, each with its own DATA_DIR (their local disks), one
 * database and one bucket. What one instance stored, the other serves and deletes.
 */

const DAY_MS = 86_400_000;
let s3: TestS3;

beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(() => s3?.stop());

it('uploads through A, downloads through B, and a deletion B executes removes A’s upload from the bucket', async () => {
  const env = { ...s3.env, SCHEDULER_INTERVAL: '1h' };
  const a = await startTestServer(env);
  const b = await startTestServer(env, { database: a.database });
  expect(a.dataDir).not.toBe(b.dataDir);
  const ws = await createWorkspace(a.database.db, 1, 0);
  const [admin] = ws.admins;

  const bytes = randomBytes(50_000);
  const ref = await createObject(a.url, admin, 'DEAL');
  const stored = await upload(a.url, admin.token, ref, bytes);
  expect(stored.status).toBe(201);
  const id = (stored.body.attachment as { id: string }).id;

  const fromB = await fetch(`${b.url.replace(/\/graphql$/, '')}/attachments/${id}`, {
    headers: { authorization: `Bearer ${admin.token}` },
  });
  expect(fromB.status).toBe(200);
  expect(Buffer.from(await fromB.arrayBuffer()).equals(bytes)).toBe(true);

  await mustRequest(a.url, ArchiveObjectsDocument, { refs: [ref] }, admin.token);
  const deletionId = await createDueDeletion(a.database.db, ws.id, admin.id, [ref], new Date(Date.now() + 7 * DAY_MS));
  expect(await testScheduler(b.app.services).tick(new Date(Date.now() + 8 * DAY_MS))).toEqual([
    { deletionId, outcome: 'COMPLETED' },
  ]);
  expect(await s3.keys()).toEqual([]);
  expect(await a.database.db.rows('SELECT id FROM file_tombstones')).toEqual([]);
  // Neither machine's disk ever held the file.
  for (const server of [a, b]) expect(existsSync(path.join(server.dataDir, 'files'))).toBe(false);
  expect(await verifyProblems(b.app.services)).toEqual([]);
});
