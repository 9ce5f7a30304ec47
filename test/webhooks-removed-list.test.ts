import { ActivateDeletionDocument, MarkForDeletionDocument } from '../operations/generated';
import { mustRequest } from './support/clients';
import { archivedObjects, Ref } from './support/deletion';
import { createWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { startReceiver, WebhookReceiver } from './support/webhook-receiver';
import { registerReceiver } from './support/webhooks';

/**
 * `removedUrl`: the batch of a `deletion.activated`, what was removed for a `deletion.completed`,
 * paged by `next`, readable with the link token or an admin token and nothing else.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
});
afterAll(() => server?.close());

type Page = { refs: { type: string; id: string }[]; next: string | null };

/** Follows `next` from `url` to the end; returns every ref and the number of pages. */
async function readAll(url: string, headers: Record<string, string> = {}): Promise<{ refs: string[]; pages: number }> {
  const refs: string[] = [];
  let pages = 0;
  for (let next: string | null = url; next;) {
    const response = await fetch(next, { headers });
    expect(response.status).toBe(200);
    const page = (await response.json()) as Page;
    refs.push(...page.refs.map((ref) => `${ref.type}:${ref.id}`));
    next = page.next;
    pages += 1;
  }
  return { refs, pages };
}

function removedUrlOf(receiver: WebhookReceiver, type: string): string {
  const message = receiver.received.find((r) => r.payload.type === type);
  if (!message) throw new Error(`no ${type} received`);
  return String(message.payload.data.removedUrl);
}

test('pages exactly the batch after activation and exactly the removed refs after completion', async () => {
  const ws = await createWorkspace(server.database.db, 1, 1);
  const other = await createWorkspace(server.database.db, 1, 0);
  const admin = ws.admins[0];
  const receiver = await startReceiver();
  await registerReceiver(server.url, admin, receiver);
  const refs: Ref[] = [
    ...(await archivedObjects(server.url, admin, 'CONTACT', 3)),
    ...(await archivedObjects(server.url, admin, 'DEAL', 2)),
  ];
  // Archived, never marked: not in the batch, never removed, never listed.
  const kept = await archivedObjects(server.url, admin, 'CONTACT', 1);
  await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
  const deletion = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
  await server.app.scheduler.tick(new Date());
  const expected = refs.map((ref) => `${ref.type}:${ref.id}`).sort();

  const batchUrl = `${removedUrlOf(receiver, 'deletion.activated')}&limit=2`;
  const batch = await readAll(batchUrl);
  expect(batch.refs.sort()).toEqual(expected);
  expect(batch.pages).toBe(3);

  await server.app.scheduler.tick(new Date(new Date(deletion.executeAfter).getTime() + 1_000));
  const removedUrl = removedUrlOf(receiver, 'deletion.completed');
  const removed = await readAll(`${removedUrl}&limit=2`);
  expect(removed.refs.sort()).toEqual(expected);
  expect(removed.refs).not.toContain(`CONTACT:${kept[0].id}`);
  // The admin token reads it as well; the link token is not needed then.
  const plain = `${server.url.replace(/\/graphql$/, '')}/deletions/${deletion.id}/removed`;
  expect((await readAll(plain, { authorization: `Bearer ${admin.token}` })).refs.sort()).toEqual(expected);

  const status = async (url: string, token?: string) =>
    (await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })).status;
  expect(await status(plain)).toBe(401);
  expect(await status(plain.replace(deletion.id, 'nonsense'))).toBe(404);
  expect(await status(plain, ws.members[0].token)).toBe(403);
  expect(await status(plain, other.admins[0].token)).toBe(404);
  const token = new URL(removedUrl).searchParams.get('token')!;
  // One character changed inside the token (its last one may carry unused base64 bits, and may already be 'A').
  const tampered = `${token.slice(0, 4)}${token[4] === 'A' ? 'B' : 'A'}${token.slice(5)}`;
  expect(await status(`${plain}?token=${tampered}`)).toBe(401);
  // A token for one deletion reads no other one.
  const otherDeletion = await server.database.db.one<{ id: string }>(
    'SELECT id FROM deletions WHERE id <> $1 LIMIT 1',
    [deletion.id],
  );
  if (otherDeletion) expect(await status(`${plain.replace(deletion.id, otherDeletion.id)}?token=${token}`)).toBe(401);
});

test('a link token expires after WEBHOOK_LINK_TTL', async () => {
  const ws = await createWorkspace(server.database.db, 1, 0);
  const receiver = await startReceiver();
  await registerReceiver(server.url, ws.admins[0], receiver, ['deletion.activated']);
  const refs = await archivedObjects(server.url, ws.admins[0], 'CONTACT', 1);
  await mustRequest(server.url, MarkForDeletionDocument, { refs }, ws.admins[0].token);
  await mustRequest(server.url, ActivateDeletionDocument, {}, ws.admins[0].token);
  // Sent by an instance whose links last 1 ms: expired by the time anyone follows it.
  const shortLinks = await startTestServer(
    { SCHEDULER_INTERVAL: '1h', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_LINK_TTL: '1ms' },
    { database: server.database },
  );
  await shortLinks.app.scheduler.tick(new Date());
  const url = removedUrlOf(receiver, 'deletion.activated');
  expect((await fetch(url)).status).toBe(401);
  expect(
    (await fetch(url.replace(shortLinks.url.replace(/\/graphql$/, ''), server.url.replace(/\/graphql$/, '')))).status,
  ).toBe(401);
});

test('refuses an `after` that is not a cursor this list gave out with 400 BAD_USER_INPUT, for either phase', async () => {
  const ws = await createWorkspace(server.database.db, 1, 0);
  const admin = ws.admins[0];
  const refs = await archivedObjects(server.url, admin, 'CONTACT', 3);
  await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
  const deletion = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
  await server.app.scheduler.tick(new Date(new Date(deletion.executeAfter).getTime() + 1_000));
  const plain = `${server.url.replace(/\/graphql$/, '')}/deletions/${deletion.id}/removed`;
  const read = async (after: string) => {
    const response = await fetch(`${plain}?limit=1&after=${encodeURIComponent(after)}`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    return { status: response.status, body: (await response.json()) as { error?: { code: string }; refs?: unknown[] } };
  };
  const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  // A cursor it gave out works (the first page's `next`), so the refusals below are about the cursors alone.
  const first = await fetch(`${plain}?limit=1`, { headers: { authorization: `Bearer ${admin.token}` } });
  const next = new URL(((await first.json()) as Page).next!).searchParams.get('after')!;
  expect((await read(next)).body.refs).toHaveLength(1);
  for (const after of [
    'not base64 json!',
    cursor(null),
    cursor(7),
    cursor(['r', '1', 0]),
    cursor({ p: 'r', s: '1' }), // the list's cursor before batches (one row per object) had no position
    cursor({ p: 'r', s: '1', n: -1 }),
    cursor({ p: 'r', s: '1', n: 0.5 }),
    cursor({ p: 'r', s: "1' OR 1=1", n: 0 }),
    cursor({ p: 'b', t: 99, a: 'infinity', id: refs[0].id }),
    cursor({ p: 'b', t: 0, a: 'yesterday', id: refs[0].id }),
    cursor({ p: 'x', s: '1', n: 0 }),
  ]) {
    const { status, body } = await read(after);
    expect({ after, status, code: body.error?.code }).toEqual({ after, status: 400, code: 'BAD_USER_INPUT' });
  }
  // Refusals read nothing and leave the list as it was: all three refs, still.
  const all = await fetch(`${plain}?limit=10`, { headers: { authorization: `Bearer ${admin.token}` } });
  expect(((await all.json()) as Page).refs).toHaveLength(3);
});
