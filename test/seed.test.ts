import { DEMO_OBJECTS_PER_TYPE, DEMO_USERS, seedDemoData } from '../src/demo/demo-seed';
import { OBJECT_TABLES } from '../src/database/object-tables';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('seedDemoData', () => {
  it('creates the demo rows through the services, with every file in the store at its recorded size', async () => {
    const { services } = server.app;
    expect(await seedDemoData(services)).toBe(true);
    expect(await seedDemoData(services)).toBe(false);
    const db = server.database.db;
    const workspaces = Object.keys(DEMO_USERS).length;
    const users = Object.values(DEMO_USERS).flat().length;
    expect(await db.one('SELECT count(*)::int AS n FROM users')).toEqual({ n: users });
    for (const { table } of OBJECT_TABLES) {
      const counts = await db.one(
        `SELECT count(*)::int AS n, (count(*) FILTER (WHERE archived_at IS NOT NULL))::int AS archived FROM ${table}`,
      );
      expect(counts).toEqual({
        n: workspaces * DEMO_OBJECTS_PER_TYPE,
        archived: (workspaces * DEMO_OBJECTS_PER_TYPE) / 2,
      });
    }
    const statuses = await db.rows<{ status: string }>('SELECT DISTINCT status FROM tasks ORDER BY status');
    expect(statuses.map((r) => r.status)).toEqual(['DONE', 'IN_PROGRESS', 'OPEN', 'REMOVED', 'VERIFIED']);
    const attachments = await db.rows<{ key: string; size: number }>(
      'SELECT storage_key AS key, size_bytes::int AS size FROM attachments',
    );
    expect(attachments).toHaveLength(OBJECT_TABLES.length * workspaces * DEMO_OBJECTS_PER_TYPE);
    for (const { key, size } of attachments) expect(await services.files.size(key)).toBe(size);
    expect(await services.stats.recount()).toEqual([]);
    expect(await services.stats.attachmentBytesDrift()).toEqual([]);
  });
});
