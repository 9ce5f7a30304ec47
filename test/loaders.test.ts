import { ArchivedObjectsDocument, ArchiveObjectsDocument } from '../operations/generated';
import { errorCode, mustRequest } from './support/clients';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { createObject, upload } from './support/objects';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;
let ws: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
  ws = await createWorkspace(server.database.db, 2, 2);
  // The second member only uploads: uploaders are then never among the creators and archivers
  // already loaded, the worst case for the users loader, whatever the page size.
  const creators = [...ws.admins, ws.members[0]];
  const uploader = ws.members[1];
  for (let i = 0; i < 50; i++) {
    const creator = creators[i % creators.length];
    const ref = await createObject(server.url, creator, 'TASK', `task ${i}`);
    await upload(server.url, uploader.token, ref, Buffer.alloc(10 + i));
    await upload(server.url, creator.token, ref, Buffer.alloc(5));
    // Archived by an admin, so the archivers differ from the creators.
    await mustRequest(server.url, ArchiveObjectsDocument, { refs: [ref] }, ws.admins[i % 2].token);
  }
});
afterAll(() => server.close());

/** SQL statements the server ran for one request (the auth lookup included, when the user cache misses). */
async function statementsFor(first: number): Promise<number> {
  const db = server.app.services.db;
  const before = db.statementCount;
  const data = await mustRequest(server.url, ArchivedObjectsDocument, { type: 'TASK', first }, ws.admins[0].token);
  expect(data.archivedObjects.edges).toHaveLength(first);
  expect(data.archivedObjects.edges.every((e) => e.node.attachments.length === 2 && e.node.archivedBy)).toBe(true);
  return db.statementCount - before;
}

describe('DataLoaders', () => {
  it('serve a page of 50 with attachments, createdBy and archivedBy in as many statements as a page of 1', async () => {
    const one = await statementsFor(1);
    const fifty = await statementsFor(50);
    // The page (with its creators, archivers and attachments; the signed-in user from the cache),
    // totalCount, and the attachments' uploaders through the users loader.
    expect(one).toBe(3);
    expect(fifty).toBe(one);
  });

  it('runs no statement for totalCount unless the query selects it', async () => {
    const db = server.app.services.db;
    const page = async (fields: string) => {
      const before = db.statementCount;
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.admins[0].token}` },
        body: JSON.stringify({ query: `{ archivedObjects(type: TASK, first: 50) { ${fields} } }` }),
      });
      const body = (await response.json()) as { data?: { archivedObjects: { totalCount?: number } } };
      return { statements: db.statementCount - before, totalCount: body.data?.archivedObjects.totalCount };
    };
    // The page alone (the user from the cache); the total adds one statement (here the workspace's
    // counter), and only once.
    expect(await page('edges { node { id } }')).toEqual({ statements: 1, totalCount: undefined });
    expect(await page('edges { node { id } } totalCount')).toEqual({ statements: 2, totalCount: 50 });
    expect(await page('edges { node { id } } totalCount again: totalCount')).toEqual({
      statements: 2,
      totalCount: 50,
    });
  });
});

describe('depth limit', () => {
  // The schema has no cycle through lists (User has no objects), so the deepest possible path,
  // archivedObjects > edges > node > attachments > createdBy > id, stays under the limit of 10:
  // a too-deep query cannot be written against this schema, and the deepest legal one must pass.
  it('accepts the deepest query the schema allows, through fragments', async () => {
    const query = `query Deep { archivedObjects(type: TASK) { edges { node { ...N } } } }
      fragment N on CrmObject { attachments { createdBy { id } } ... on Task { archivedBy { id } } }`;
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.admins[0].token}` },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { errors?: { message: string; extensions: { code: string } }[] };
    expect(errorCode({ status: response.status, errors: body.errors })).toBeUndefined();
  });
});
