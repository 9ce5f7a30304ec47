import type { DeletionsQuery } from '../operations/generated';
import {
  ActivateDeletionDocument,
  CancelDeletionDocument,
  DeletionDocument,
  DeletionOverviewDocument,
  DeletionsDocument,
  DeletionStatus,
  MarkForDeletionDocument,
} from '../operations/generated';
import { errorCode, mustRequest, request } from './support/clients';
import { archivedObjects, verifyProblems } from './support/deletion';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;
let ws: TestWorkspace;
let other: TestWorkspace;
/** Deletion ids of `ws`, oldest first. */
const ids: string[] = [];
let foreignId: string;

beforeAll(async () => {
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
  ws = await createWorkspace(server.database.db, 1, 1);
  other = await createWorkspace(server.database.db, 1, 0);
  const [admin] = ws.admins;
  const refs = await archivedObjects(server.url, admin, 'CONTACT', 2, { bytes: 33 });
  await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
  for (let i = 0; i < 5; i++) {
    const deletion = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
    ids.push(deletion.id);
    if (i < 4) await mustRequest(server.url, CancelDeletionDocument, { id: deletion.id }, admin.token);
  }
  // The executor is not on this branch: two cancelled ones stand in for a completed and a failed run.
  await server.database.db.rows(
    `UPDATE deletions SET status = 'COMPLETED', started_at = activated_at + interval '7 days',
       completed_at = activated_at + interval '7 days 90 seconds' WHERE id = $1`,
    [ids[0]],
  );
  await server.database.db.rows(
    `UPDATE deletions SET status = 'FAILED', started_at = now(), completed_at = now(), failure_reason = 'disk full' WHERE id = $1`,
    [ids[1]],
  );
  const foreignRefs = await archivedObjects(server.url, other.admins[0], 'DEAL', 1);
  await mustRequest(server.url, MarkForDeletionDocument, { refs: foreignRefs }, other.admins[0].token);
  foreignId = (await mustRequest(server.url, ActivateDeletionDocument, {}, other.admins[0].token)).activateDeletion.id;
});
afterAll(async () => {
  expect(await verifyProblems(server.app.services)).toEqual([]);
  await server.close();
});

async function walk(first: number, status?: DeletionStatus[]) {
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: DeletionsQuery['deletions'] = (
      await mustRequest(server.url, DeletionsDocument, { first, after, status }, ws.admins[0].token)
    ).deletions;
    seen.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) return { seen, totalCount: page.totalCount };
    after = page.pageInfo.endCursor;
  }
}

describe('deletion history', () => {
  it('lists every deletion newest activated first, page by page', async () => {
    const { seen, totalCount } = await walk(2);
    expect(totalCount).toBe(5);
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by status', async () => {
    const cancelled = await walk(1, ['CANCELLED']);
    expect(cancelled).toEqual({ seen: [ids[3], ids[2]], totalCount: 2 });
    const ended = await walk(10, ['COMPLETED', 'FAILED']);
    expect(ended).toEqual({ seen: [ids[1], ids[0]], totalCount: 2 });
    expect((await walk(10, ['PENDING'])).seen).toEqual([ids[4]]);
  });

  it('shows figures, who and when, duration and failure reason; no personal data of the objects', async () => {
    const completed = (await mustRequest(server.url, DeletionDocument, { id: ids[0] }, ws.admins[0].token)).deletion!;
    expect(completed).toMatchObject({ status: 'COMPLETED', durationSeconds: 90, total: { count: 2, bytes: 33 } });
    const failed = (await mustRequest(server.url, DeletionDocument, { id: ids[1] }, ws.admins[0].token)).deletion!;
    expect(failed).toMatchObject({ status: 'FAILED', failureReason: 'disk full' });
    const cancelled = (await mustRequest(server.url, DeletionDocument, { id: ids[2] }, ws.admins[0].token)).deletion!;
    expect(cancelled).toMatchObject({
      status: 'CANCELLED',
      durationSeconds: null,
      cancelledBy: { id: ws.admins[0].id },
    });
    const page = await mustRequest(server.url, DeletionsDocument, { first: 10 }, ws.admins[0].token);
    const text = JSON.stringify(page);
    // The objects' titles are "CONTACT 0"/"CONTACT 1"; their attachments are "file.bin".
    expect(text).not.toMatch(/CONTACT \d|file\.bin/);
    const introspection = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __type(name: "Deletion") { fields { name } } }' }),
    });
    const fields = ((await introspection.json()) as { data: { __type: { fields: { name: string }[] } } }).data.__type
      .fields;
    expect(fields.map((f) => f.name)).not.toEqual(expect.arrayContaining(['title']));
    // `filesPending` is a count of files still to delete from the store, nothing of what they held.
    const personal = fields.map((f) => f.name).filter((n) => /title|name|email|file/i.test(n));
    expect(personal).toEqual(['filesPending']);
  });

  it('answers null for another workspace’s, unknown or malformed ids', async () => {
    for (const id of [foreignId, '00000000-0000-4000-8000-000000000000', 'x']) {
      const response = await mustRequest(server.url, DeletionDocument, { id }, ws.admins[0].token);
      expect(response.deletion).toBeNull();
    }
    const own = await mustRequest(server.url, DeletionDocument, { id: foreignId }, other.admins[0].token);
    expect(own.deletion?.id).toBe(foreignId);
  });

  it('costs a fixed number of statements whatever the page size', async () => {
    const count = async (first: number) => {
      const before = server.app.services.db.statementCount;
      await mustRequest(server.url, DeletionsDocument, { first }, ws.admins[0].token);
      return server.app.services.db.statementCount - before;
    };
    // Page, total, volumes, users; the signed-in user comes from the cache.
    expect(await count(1)).toBe(4);
    expect(await count(5)).toBe(4);
  });

  it('is for admins only, and refuses a cursor it did not give out', async () => {
    const [member] = ws.members;
    expect(errorCode(await request(server.url, DeletionsDocument, {}, member.token))).toBe('FORBIDDEN');
    expect(errorCode(await request(server.url, DeletionDocument, { id: ids[0] }, member.token))).toBe('FORBIDDEN');
    expect(errorCode(await request(server.url, DeletionOverviewDocument, {}, member.token))).toBe('FORBIDDEN');
    const bad = await request(server.url, DeletionsDocument, { after: 'garbage' }, ws.admins[0].token);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    const tooMany = await request(server.url, DeletionsDocument, { first: 201 }, ws.admins[0].token);
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
  });
});
