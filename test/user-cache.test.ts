import {
  ArchivedObjectsDocument,
  ArchiveObjectsDocument,
  DeletionOverviewDocument,
  DeletionsDocument,
  LegalHoldsDocument,
} from '../operations/generated';
import { errorCode, mustRequest, request } from './support/clients';
import { changeUnheard as changeUnheardIn, createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { createObject } from './support/objects';
import { startTestServer, TestServer } from './support/servers';
import { waitFor } from './support/wait-for';

let server: TestServer;
let ws: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
  ws = await createWorkspace(server.database.db, 4, 1);
  // One deal archived by its creator, a member: every admin sees it, another member would not.
  const ref = await createObject(server.url, ws.members[0], 'DEAL');
  await mustRequest(server.url, ArchiveObjectsDocument, { refs: [ref] }, ws.members[0].token);
});
afterAll(() => server.close());

const dealsSeenBy = async (user: TestUser) =>
  (await mustRequest(server.url, ArchivedObjectsDocument, { type: 'DEAL', first: 10 }, user.token)).archivedObjects
    .edges.length;

/** Changes a user's row without the trigger's NOTIFY, so the cache still holds the old row. */
const changeUnheard = (user: TestUser, change: string) => changeUnheardIn(server.database.db, user, change);

describe('the signed-in user, cached between requests', () => {
  it('runs no statement for a user it already knows: a browse page is one statement', async () => {
    const db = server.app.services.db;
    const page = async () => {
      const before = db.statementCount;
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.admins[0].token}` },
        body: JSON.stringify({
          query: `{ archivedObjects(type: DEAL, first: 50) { edges { cursor node { id ...F } } pageInfo { hasNextPage } } }
            fragment F on Deal { who: archivedBy { id name } attachments { id fileName sizeBytes } }`,
        }),
      });
      const body = (await response.json()) as { data: { archivedObjects: { edges: { node: { who: unknown } }[] } } };
      return { statements: db.statementCount - before, archiver: body.data.archivedObjects.edges[0].node.who };
    };
    await page();
    // The page, its archivers (through a fragment and an alias) and attachments in one statement.
    expect(await page()).toEqual({ statements: 1, archiver: { id: ws.members[0].id, name: 'MEMBER 0' } });
  });

  it('a demotion shows on the next page even before its NOTIFY: the page checks the role in its statement', async () => {
    const admin = ws.admins[1];
    expect(await dealsSeenBy(admin)).toBe(1);
    await changeUnheard(admin, "role = 'MEMBER'");
    // As a member now: the member's deal is hidden, and the cache holds the new row from then on.
    expect(await dealsSeenBy(admin)).toBe(0);
    expect(errorCode(await request(server.url, DeletionOverviewDocument, {}, admin.token))).toBe('FORBIDDEN');
  });

  it('an admin-only list refuses a demoted admin on the next request, even before its NOTIFY', async () => {
    const admin = ws.admins[3];
    expect(errorCode(await request(server.url, DeletionsDocument, {}, admin.token))).toBeUndefined();
    expect(errorCode(await request(server.url, LegalHoldsDocument, {}, admin.token))).toBeUndefined();
    await changeUnheard(admin, "role = 'MEMBER'");
    expect(errorCode(await request(server.url, DeletionsDocument, {}, admin.token))).toBe('FORBIDDEN');
    expect(errorCode(await request(server.url, LegalHoldsDocument, {}, admin.token))).toBe('FORBIDDEN');
  });

  it('a deactivation refuses the next page, even before its NOTIFY', async () => {
    const member = ws.members[0];
    expect(await dealsSeenBy(member)).toBe(1);
    await changeUnheard(member, 'active = false');
    const refused = await request(server.url, ArchivedObjectsDocument, { type: 'DEAL', first: 10 }, member.token);
    expect(errorCode(refused)).toBe('UNAUTHENTICATED');
    expect(errorCode(await request(server.url, DeletionOverviewDocument, {}, member.token))).toBe('UNAUTHENTICATED');
  });

  it('hears a demotion through NOTIFY: an admin-only request is refused once it arrives', async () => {
    const admin = ws.admins[2];
    expect(errorCode(await request(server.url, DeletionOverviewDocument, {}, admin.token))).toBeUndefined();
    await server.database.db.rows("UPDATE users SET role = 'MEMBER' WHERE id = $1", [admin.id]);
    await waitFor(
      async () => errorCode(await request(server.url, DeletionOverviewDocument, {}, admin.token)) === 'FORBIDDEN',
      { what: 'the demoted admin to be refused the overview' },
    );
  });
});
