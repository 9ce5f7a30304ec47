import { randomBytes } from 'node:crypto';
import {
  ActivateDeletionDocument,
  ArchiveObjectsDocument,
  ArchivedAttachmentUrlsDocument,
  MarkForDeletionDocument,
} from '../operations/generated';
import { DeletionLifecycle } from '../src/domain/deletion/lifecycle/deletion-lifecycle';
import { mustRequest } from './support/clients';
import { createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { createObject, snapshot, upload } from './support/objects';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;
let base: string;
let ws: TestWorkspace;
let other: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer();
  base = server.url.replace(/\/graphql$/, '');
  ws = await createWorkspace(server.database.db, 1, 2);
  other = await createWorkspace(server.database.db, 1, 1);
});
afterAll(() => server.close());

/** GET (or HEAD) /attachments/:id as `user` (or anonymous, or with a raw Authorization value). */
function download(id: string, user?: TestUser | string, headers: Record<string, string> = {}, method = 'GET') {
  const token = typeof user === 'string' ? user : user?.token;
  return fetch(`${base}/attachments/${encodeURIComponent(id)}`, {
    method,
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
}

/** Uploads `bytes` named `fileName` to a new object of `owner`; returns the attachment id and the object. */
async function attached(owner: TestUser, bytes: Buffer, fileName = 'report.pdf') {
  const ref = await createObject(server.url, owner, 'DEAL');
  const response = await upload(server.url, owner.token, ref, bytes, fileName);
  expect(response.status).toBe(201);
  return { id: (response.body.attachment as { id: string }).id, ref };
}

/** The filename* parameter of a Content-Disposition, decoded. */
function extendedName(disposition: string): string {
  return decodeURIComponent(/filename\*=UTF-8''([^;\s]+)/.exec(disposition)![1]);
}

describe('GET /attachments/:id', () => {
  it('streams the uploaded bytes with their type, length, a safe disposition and nosniff; Attachment.url points here', async () => {
    const [member] = ws.members;
    const bytes = randomBytes(70_000);
    const { id, ref } = await attached(member, bytes);
    const response = await download(id, member);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'application/pdf',
      'content-length': String(bytes.length),
      'content-disposition': `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
      'x-content-type-options': 'nosniff',
      'accept-ranges': 'bytes',
    });
    await mustRequest(server.url, ArchiveObjectsDocument, { refs: [ref] }, member.token);
    const listed = await mustRequest(server.url, ArchivedAttachmentUrlsDocument, { type: 'DEAL' }, member.token);
    const node = listed.archivedObjects.edges.find((e) => e.node.id === ref.id)!.node;
    expect(node.attachments.map((a) => a.url)).toEqual([`/attachments/${id}`]);
    const head = await download(id, member, {}, 'HEAD');
    expect([head.status, head.headers.get('content-length'), (await head.arrayBuffer()).byteLength]).toEqual([
      200,
      String(bytes.length),
      0,
    ]);
  });

  it('names tricky files safely: quotes, CR/LF, non-ASCII, dots, percent signs and semicolons cannot inject headers', async () => {
    const [member] = ws.members;
    const names: [string, string][] = [
      ['say "hi".txt', 'say _hi_.txt'],
      ['a\r\nSet-Cookie: stolen=1.txt', 'a__Set-Cookie: stolen=1.txt'],
      ['résumé 日本.pdf', 'r_sum_ __.pdf'],
      ['..', '..'],
      ['100%;x=y.txt', '100_;x=y.txt'],
      ["it's (1)*.txt", "it's (1)*.txt"],
    ];
    for (const [name, fallback] of names) {
      const { id } = await attached(member, Buffer.from(name), name);
      const response = await download(id, member);
      const disposition = response.headers.get('content-disposition')!;
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(disposition.startsWith(`attachment; filename="${fallback}"; filename*=UTF-8''`)).toBe(true);
      expect(extendedName(disposition)).toBe(name);
      // The extended value holds only RFC 5987 attr-chars and percent escapes.
      expect(/filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]+)$/.test(disposition)).toBe(true);
      expect(await response.text()).toBe(name);
    }
  });

  it('answers a single Range with 206 (a suffix longer than the file: all of it), an unsatisfiable one with 416, and several or a stale If-Range with the whole file', async () => {
    const [member] = ws.members;
    const bytes = randomBytes(1000);
    const { id } = await attached(member, bytes);
    const part = await download(id, member, { range: 'bytes=10-19' });
    expect([part.status, part.headers.get('content-range'), part.headers.get('content-length')]).toEqual([
      206,
      'bytes 10-19/1000',
      '10',
    ]);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
    const tail = await download(id, member, { range: 'bytes=-5', 'if-range': part.headers.get('etag')! });
    expect([tail.status, tail.headers.get('content-range')]).toEqual([206, 'bytes 995-999/1000']);
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(995))).toBe(true);
    // A suffix longer than the file selects all of it (RFC 9110 §14.1.2), as does one of exactly its size.
    for (const suffix of ['bytes=-1000', 'bytes=-5000', 'bytes=-99999999999']) {
      const all = await download(id, member, { range: suffix });
      expect([suffix, all.status, all.headers.get('content-range'), all.headers.get('content-length')]).toEqual([
        suffix,
        206,
        'bytes 0-999/1000',
        '1000',
      ]);
      expect(Buffer.from(await all.arrayBuffer()).equals(bytes)).toBe(true);
    }
    const past = await download(id, member, { range: 'bytes=1000-' });
    expect([past.status, past.headers.get('content-range')]).toEqual([416, 'bytes */1000']);
    expect(((await past.json()) as { error: { code: string } }).error.code).toBe('BAD_USER_INPUT');
    const wholeFile: Record<string, string>[] = [
      { range: 'bytes=0-1,5-6' },
      { range: 'bytes=0-1', 'if-range': '"stale"' },
    ];
    for (const headers of wholeFile) {
      const whole = await download(id, member, headers);
      expect(whole.status).toBe(200);
      expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    }
  });

  it('refuses with 401 or a 404 indistinguishable from a missing id, and changes nothing', async () => {
    const [creator, otherMember] = ws.members;
    const { id: archivedId, ref } = await attached(creator, Buffer.from('private'));
    await mustRequest(server.url, ArchiveObjectsDocument, { refs: [ref] }, creator.token);
    const { id: activeId } = await attached(creator, Buffer.from('shared'));
    const { id: foreignId } = await attached(other.admins[0], Buffer.from('foreign'));
    const before = await snapshot(server.database.db);
    const cases: [string, TestUser | string | undefined, number][] = [
      [archivedId, otherMember, 404],
      [foreignId, creator, 404],
      [foreignId, ws.admins[0], 404],
      ['00000000-0000-4000-8000-000000000000', creator, 404],
      ['not-a-uuid', creator, 404],
      [activeId, undefined, 401],
      [activeId, 'garbage', 401],
    ];
    for (const [id, user, status] of cases) {
      const response = await download(id, user);
      const body = (await response.json()) as { error: { code: string } };
      expect([id, response.status, body.error.code]).toEqual([
        id,
        status,
        status === 401 ? 'UNAUTHENTICATED' : 'NOT_FOUND',
      ]);
    }
    const missing = (await (await download('00000000-0000-4000-8000-000000000000', creator)).json()) as object;
    const foreign = (await (await download(foreignId, creator)).json()) as object;
    expect(JSON.stringify(foreign).replace(foreignId, 'ID')).toBe(
      JSON.stringify(missing).replace('00000000-0000-4000-8000-000000000000', 'ID'),
    );
    // Whoever may see the object gets it: any member an active one, the creator and admins an archived one.
    expect((await download(activeId, otherMember)).status).toBe(200);
    expect((await download(archivedId, creator)).status).toBe(200);
    expect((await download(archivedId, ws.admins[0])).status).toBe(200);
    expect(await snapshot(server.database.db)).toBe(before);
  });

  it('answers 404, not 500, when the file is gone or the object’s deletion is executing', async () => {
    const ws2 = await createWorkspace(server.database.db, 1, 0);
    const [admin] = ws2.admins;
    const { id: goneId, ref: goneRef } = await attached(admin, Buffer.from('gone'));
    const key = await server.database.db.one<{ key: string }>(
      'SELECT storage_key AS key FROM attachments WHERE id = $1',
      [goneId],
    );
    await server.app.services.files.delete(key!.key);
    expect((await download(goneId, admin)).status).toBe(404);
    expect((await download(goneId, admin, {}, 'HEAD')).status).toBe(404);
    const { id, ref } = await attached(admin, Buffer.from('doomed'));
    await mustRequest(server.url, ArchiveObjectsDocument, { refs: [ref, goneRef] }, admin.token);
    await mustRequest(server.url, MarkForDeletionDocument, { refs: [ref] }, admin.token);
    const deletion = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
    // Pending: admins still open its files to decide.
    expect((await download(id, admin)).status).toBe(200);
    // The executor's own claim, as the scheduler runs it once the grace period is over.
    const claimed = await new DeletionLifecycle().claim(server.database.db, {
      now: new Date(deletion.executeAfter),
      instanceId: 'test',
      leaseMs: 600_000,
      skip: [],
    });
    expect(claimed?.id).toBe(deletion.id);
    const response = await download(id, admin);
    expect([response.status, ((await response.json()) as { error: { code: string } }).error.code]).toEqual([
      404,
      'NOT_FOUND',
    ]);
  });
});
