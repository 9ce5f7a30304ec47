import { isMediaType } from '../src/domain/files/media-type';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { createObject, snapshot } from './support/objects';
import { startTestServer, TestServer } from './support/servers';

/** What an upload must be to be stored: a non-empty body and a Content-Type by RFC 9110's grammar. */

let server: TestServer;
let ws: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer();
  ws = await createWorkspace(server.database.db, 1, 0);
});
afterAll(() => server.close());

async function storedKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of server.app.services.files.list()) keys.push(key);
  return keys;
}

async function tombstones(): Promise<number> {
  return (await server.database.db.one<{ n: number }>('SELECT count(*)::int AS n FROM file_tombstones'))!.n;
}

/** POST /attachments with `body` and `contentType` (none: the header is left out). */
async function post(ref: { type: string; id: string }, body: Uint8Array | undefined, contentType?: string) {
  const query = new URLSearchParams({ type: ref.type, id: ref.id, fileName: 'f.bin' });
  const headers: Record<string, string> = { authorization: `Bearer ${ws.admins[0].token}` };
  if (contentType !== undefined) headers['content-type'] = contentType;
  const response = await fetch(`${server.url.replace(/\/graphql$/, '')}/attachments?${query}`, {
    method: 'POST',
    headers,
    body,
  });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } };
}

describe('POST /attachments validation', () => {
  it('refuses an empty body, sent with a length or chunked, keeping nothing', async () => {
    const ref = await createObject(server.url, ws.admins[0], 'CONTACT');
    const before = [await snapshot(server.database.db), await storedKeys(), await tombstones()];
    const chunkedEmpty = new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
    for (const body of [new Uint8Array(0), undefined]) {
      const refused = await post(ref, body, 'text/plain');
      expect([refused.status, refused.body.error?.code]).toEqual([400, 'BAD_USER_INPUT']);
      expect(refused.body.error?.message).toMatch(/empty/);
    }
    const query = new URLSearchParams({ type: ref.type, id: ref.id, fileName: 'f.bin' });
    const chunked = await fetch(`${server.url.replace(/\/graphql$/, '')}/attachments?${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ws.admins[0].token}`, 'content-type': 'text/plain' },
      body: chunkedEmpty,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(400);
    expect([await snapshot(server.database.db), await storedKeys(), await tombstones()]).toEqual(before);
  });

  it('refuses a Content-Type outside the media-type grammar or over 255 characters, keeping nothing', async () => {
    const ref = await createObject(server.url, ws.admins[0], 'DEAL');
    const before = [await snapshot(server.database.db), await storedKeys(), await tombstones()];
    const bad = [
      'text',
      'text/',
      '/plain',
      'text/plain; charset',
      'text/pl ain',
      'text/plain; a="unterminated',
      `application/${'x'.repeat(8 * 1024)}`,
      `text/plain; p=${'v'.repeat(250)}`,
    ];
    for (const contentType of bad) {
      const refused = await post(ref, new Uint8Array([1, 2, 3]), contentType);
      expect([contentType.slice(0, 40), refused.status, refused.body.error?.code]).toEqual([
        contentType.slice(0, 40),
        400,
        'BAD_USER_INPUT',
      ]);
      expect(refused.body.error?.message).toMatch(/Content-Type must be a media type/);
    }
    expect([await snapshot(server.database.db), await storedKeys(), await tombstones()]).toEqual(before);
  });

  it('stores valid media types as given, and application/octet-stream without a Content-Type', async () => {
    const ref = await createObject(server.url, ws.admins[0], 'TASK');
    for (const contentType of [
      'application/pdf',
      'text/plain; charset=utf-8',
      'text/plain;charset="a b\\"c"',
      undefined,
    ]) {
      const stored = await post(ref, new Uint8Array([1]), contentType);
      expect(stored.status).toBe(201);
      expect((stored.body as { attachment: { mimeType: string } }).attachment.mimeType).toBe(
        contentType ?? 'application/octet-stream',
      );
    }
  });
});

describe('isMediaType', () => {
  it('follows RFC 9110 §8.3.1', () => {
    expect(
      ['a/b', 'application/vnd.api+json', "x-a!#$%&'*+.^_`|~/y", 'a/b ;c=d', 'a/b;c=d;e="f;g"'].map(isMediaType),
    ).toEqual([true, true, true, true, true]);
    expect(['a/b/c', 'a b/c', 'a/b;c=d e', 'a/b;c="\n"', 'ä/b', ''].map(isMediaType)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
