import { ArchivedObjectsDocument, DeletionsDocument, NotificationsDocument } from '../operations/generated';
import { GraphQLResponse, request } from './support/clients';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;
let ws: TestWorkspace;

beforeAll(async () => {
  // Development mode: an unmasked database error would show its SQL text, so its absence is visible.
  server = await startTestServer({ NODE_ENV: 'development', SCHEDULER_INTERVAL: '1h' });
  ws = await createWorkspace(server.database.db, 1, 0);
});
afterAll(() => server.close());

const UUID = '0b6c3a52-4b0e-4f43-9d4a-2f1e8f0e6a11';
const encode = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

/** The three time-and-id ordered lists, each asked for the page after `after`. */
const LISTS: [string, (after: string) => Promise<GraphQLResponse<unknown>>][] = [
  [
    'archivedObjects',
    (after) => request(server.url, ArchivedObjectsDocument, { type: 'DEAL', after }, ws.admins[0].token),
  ],
  ['deletions', (after) => request(server.url, DeletionsDocument, { after }, ws.admins[0].token)],
  ['notifications', (after) => request(server.url, NotificationsDocument, { after }, ws.admins[0].token)],
];

const HOSTILE: [string, string][] = [
  ['a number beyond bigint', encode(['99999999999999999999', UUID])],
  ['the largest bigint (beyond any interval and timestamp)', encode(['9223372036854775807', UUID])],
  ['the smallest bigint', encode(['-9223372036854775808', UUID])],
  ['one microsecond after the last instant a JS Date holds', encode(['8640000000000000001', UUID])],
  ["one microsecond before PostgreSQL's first timestamptz", encode(['-210866803200000001', UUID])],
  ['NaN text', encode(['NaN', UUID])],
  ['an exponent', encode(['1e6', UUID])],
  ['a leading zero', encode(['0123', UUID])],
  ['minus zero', encode(['-0', UUID])],
  ['a JSON number instead of text', encode([1764300000000000, UUID])],
  ['a malformed id', encode(['1764300000000000', 'not-a-uuid'])],
  ['one part', encode(['1764300000000000'])],
  ['three parts', encode(['1764300000000000', UUID, 'x'])],
  ['an object', encode({ micros: '1764300000000000', id: UUID })],
  ['valid base64 of bytes that are not text', Buffer.from([0xff, 0xfe, 0x00, 0x9c, 0x22]).toString('base64url')],
  ['characters outside base64', '!!!'],
];

describe.each(LISTS)('%s cursors', (_, page) => {
  it.each(HOSTILE)('refuses %s with BAD_USER_INPUT and no SQL text', async (_what, after) => {
    const refused = await page(after);
    expect(refused.data).toBeNull();
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors?.[0]).toMatchObject({
      message: 'The cursor is not one this API gave out.',
      extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
    });
  });

  it('accepts the first and last instants both PostgreSQL and a JS Date hold', async () => {
    for (const micros of ['-210866803200000000', '8640000000000000000']) {
      const answer = await page(encode([micros, UUID]));
      expect(answer.errors).toBeUndefined();
    }
  });
});
