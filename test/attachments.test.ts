import { Readable } from 'node:stream';
import { ArchiveObjectsDocument, ArchivedObjectsDocument } from '../operations/generated';
import { mustRequest } from './support/clients';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { createObject, snapshot, upload } from './support/objects';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;
let ws: TestWorkspace;
let other: TestWorkspace;
const MAX = 4096;

beforeAll(async () => {
  server = await startTestServer({ MAX_UPLOAD_BYTES: String(MAX) });
  ws = await createWorkspace(server.database.db, 1, 2);
  other = await createWorkspace(server.database.db, 1, 1);
});
afterAll(() => server.close());

/** Every stored file key. */
async function storedKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of server.app.services.files.list()) keys.push(key);
  return keys.sort();
}

describe('POST /attachments', () => {
  it('streams the body to the file store and adds its size to the object, in one transaction', async () => {
    const [member] = ws.members;
    const ref = await createObject(server.url, member, 'DEAL');
    const response = await upload(server.url, member.token, ref, Buffer.alloc(1000, 7), 'offer.pdf');
    expect(response.status).toBe(201);
    expect(response.body.attachment).toMatchObject({
      fileName: 'offer.pdf',
      mimeType: 'application/pdf',
      sizeBytes: 1000,
      createdBy: member.id,
    });
    await upload(server.url, ws.admins[0].token, ref, Buffer.alloc(MAX, 1));
    const row = await server.database.db.one<{ bytes: string }>(
      'SELECT attachment_bytes AS bytes FROM deals WHERE id = $1',
      [ref.id],
    );
    expect(Number(row!.bytes)).toBe(1000 + MAX);
    const key = await server.database.db.one<{ storage_key: string }>(
      'SELECT storage_key FROM attachments WHERE file_name = $1',
      ['offer.pdf'],
    );
    expect(await server.app.services.files.size(key!.storage_key)).toBe(1000);
    await mustRequest(server.url, ArchiveObjectsDocument, { refs: [ref] }, member.token);
    const listed = await mustRequest(server.url, ArchivedObjectsDocument, { type: 'DEAL' }, member.token);
    const node = listed.archivedObjects.edges.find((e) => e.node.id === ref.id)!.node;
    expect(node.attachmentBytes).toBe(1000 + MAX);
    expect(node.attachments.map((a) => a.sizeBytes)).toEqual([1000, MAX]);
    expect(node.attachments[1].createdBy.id).toBe(ws.admins[0].id);
  });

  it('refuses, with the right status and nothing kept: too large, archived, other workspace, anonymous, bad input', async () => {
    const [member, otherMember] = ws.members;
    const active = await createObject(server.url, member, 'CONTACT');
    const archived = await createObject(server.url, member, 'CONTACT');
    await mustRequest(server.url, ArchiveObjectsDocument, { refs: [archived] }, member.token);
    const foreign = await createObject(server.url, other.admins[0], 'CONTACT');
    const cases: [string | undefined, { type: string; id: string }, number, number, string][] = [
      [member.token, active, MAX + 1, 413, 'BAD_USER_INPUT'],
      [member.token, archived, 10, 409, 'CONFLICT'],
      [member.token, foreign, 10, 404, 'NOT_FOUND'],
      [member.token, { type: 'CONTACT', id: 'nope' }, 10, 404, 'NOT_FOUND'],
      [member.token, { type: 'PLANET', id: active.id }, 10, 400, 'BAD_USER_INPUT'],
      [undefined, active, 10, 401, 'UNAUTHENTICATED'],
      ['garbage', active, 10, 401, 'UNAUTHENTICATED'],
    ];
    const before = await snapshot(server.database.db);
    const keysBefore = await storedKeys();
    for (const [token, ref, size, status, code] of cases) {
      const response = await upload(server.url, token, ref, Buffer.alloc(size));
      expect([response.status, response.body.error?.code]).toEqual([status, code]);
    }
    // A member may attach to anyone's active object in the workspace; the limit counts bytes actually sent.
    expect((await upload(server.url, otherMember.token, active, Buffer.alloc(MAX))).status).toBe(201);
    await server.database.db.rows(`DELETE FROM attachments WHERE object_id = $1`, [active.id]);
    await server.database.db.rows(`UPDATE contacts SET attachment_bytes = 0 WHERE id = $1`, [active.id]);
    const after = await storedKeys();
    expect(after.length).toBe(keysBefore.length + 1);
    for (const key of after.filter((k) => !keysBefore.includes(k))) await server.app.services.files.delete(key);
    expect(await snapshot(server.database.db)).toBe(before);
    expect(await storedKeys()).toEqual(keysBefore);
  });

  it('deletes the written file when the transaction fails (the object vanished during the upload)', async () => {
    const ref = await createObject(server.url, ws.admins[0], 'CALL');
    const keysBefore = await storedKeys();
    const user = (await server.app.services.users.byIds([ws.admins[0].id]))[0]!;
    const body = new Readable({ read() {} });
    const pending = server.app.services.attachments.upload(user, ref, 'x.txt', 'text/plain', body);
    // Once the file is being written the first check has passed: remove the object before the body ends.
    while ((await storedKeys()).length === keysBefore.length) await new Promise((resolve) => setImmediate(resolve));
    await server.database.db.rows('DELETE FROM calls WHERE id = $1', [ref.id]);
    body.push(Buffer.alloc(10));
    body.push(null);
    await expect(pending).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await storedKeys()).toEqual(keysBefore);
  });
});

describe('AttachmentService.upload', () => {
  it('stops a streamed body past the limit (no Content-Length) and keeps nothing', async () => {
    const ref = await createObject(server.url, ws.admins[0], 'EMAIL');
    const user = (await server.app.services.users.byIds([ws.admins[0].id]))[0]!;
    const keysBefore = await storedKeys();
    const chunks = [Buffer.alloc(MAX / 2), Buffer.alloc(MAX / 2), Buffer.alloc(1)];
    const refused = server.app.services.attachments.upload(
      user,
      ref,
      'big.bin',
      'application/octet-stream',
      Readable.from(chunks),
    );
    await expect(refused).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { reason: 'TOO_LARGE' } });
    expect(await storedKeys()).toEqual(keysBefore);
    const row = await server.database.db.one('SELECT count(*)::int AS n FROM attachments WHERE object_id = $1', [
      ref.id,
    ]);
    expect(row).toEqual({ n: 0 });
  });
});
