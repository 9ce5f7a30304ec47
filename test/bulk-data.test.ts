import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BulkWorkspace, generateBulkData } from '../src/cli/bulk-data';
import { OBJECT_TABLES } from '../src/database/object-tables';
import { LocalFileStore } from '../src/domain/files/file-store';
import { runVerifyChecks } from '../src/domain/verify/verify-checks';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Objects per type of a workspace of 600 (the large one, 30% of 2,000) and of 700 (the others). */
const PER_TYPE_OF_600 = [86, 86, 86, 86, 86, 85, 85];
const PER_TYPE_OF_700 = [100, 100, 100, 100, 100, 100, 100];

async function rowCounts(): Promise<{ workspaces: number; users: number }> {
  const row = await server.database.db.one<{ workspaces: number; users: number }>(
    'SELECT (SELECT count(*) FROM workspaces)::int AS workspaces, (SELECT count(*) FROM users)::int AS users',
  );
  return row!;
}

describe('generateBulkData', () => {
  let created: BulkWorkspace[];
  const progress: [number, number][] = [];

  beforeAll(async () => {
    const { db, files } = server.app.services;
    created = await generateBulkData(db, files, {
      objects: 2_000,
      workspaces: 3,
      archivedShare: 0.9,
      onProgress: (done, total) => progress.push([done, total]),
    });
  });

  it('puts 30% in the first workspace and spreads the rest evenly, every type in each', async () => {
    expect(created.map((w) => w.objects)).toEqual([600, 700, 700]);
    const db = server.database.db;
    for (const [index, workspace] of created.entries()) {
      const perType = index === 0 ? PER_TYPE_OF_600 : PER_TYPE_OF_700;
      for (const [typeIndex, { table }] of OBJECT_TABLES.entries()) {
        const count = perType[typeIndex];
        const row = await db.one(
          `SELECT count(*)::int AS all, (count(*) FILTER (WHERE archived_at IS NOT NULL))::int AS archived,
             (count(*) FILTER (WHERE attachment_bytes > 0))::int AS "withFile"
           FROM ${table} WHERE workspace_id = $1`,
          [workspace.id],
        );
        expect({ table, ...row }).toEqual({
          table,
          all: count,
          archived: Math.floor(count * 0.9),
          withFile: Math.floor(count * 0.2),
        });
      }
    }
  });

  it('keeps the stats counters, attachment rows and files exactly as `npm run verify` checks them', async () => {
    const results = await runVerifyChecks(server.app.services);
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
    const attachments = await server.database.db.one<{ n: number }>('SELECT count(*)::int AS n FROM attachments');
    const expected = [...PER_TYPE_OF_600, ...PER_TYPE_OF_700, ...PER_TYPE_OF_700].reduce(
      (sum, count) => sum + Math.floor(count * 0.2),
      0,
    );
    expect(attachments!.n).toBe(expected);
    const overview = await server.app.services.stats.overview(created[1].id);
    expect(overview.map((figures) => figures.all.count)).toEqual(PER_TYPE_OF_700);
  });

  it('keeps each workspace to itself: creators, archivers, attachments and their owners', async () => {
    const db = server.database.db;
    for (const { table, type } of OBJECT_TABLES) {
      const leaks = await db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} o
         LEFT JOIN users c ON c.id = o.created_by LEFT JOIN users a ON a.id = o.archived_by
         WHERE c.workspace_id <> o.workspace_id OR a.workspace_id <> o.workspace_id
           OR (o.archived_at IS NOT NULL AND a.id IS NULL)`,
      );
      expect({ table, leaks: leaks!.n }).toEqual({ table, leaks: 0 });
      const attachmentLeaks = await db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM attachments f
         LEFT JOIN ${table} o ON o.id = f.object_id JOIN users u ON u.id = f.created_by
         WHERE f.object_type = $1 AND (o.id IS NULL OR o.workspace_id <> f.workspace_id OR u.workspace_id <> f.workspace_id)`,
        [type],
      );
      expect({ table, attachmentLeaks: attachmentLeaks!.n }).toEqual({ table, attachmentLeaks: 0 });
    }
    for (const workspace of created) {
      const roles = await db.rows<{ id: string; role: string }>('SELECT id, role FROM users WHERE workspace_id = $1', [
        workspace.id,
      ]);
      expect(roles).toContainEqual({ id: workspace.adminId, role: 'ADMIN' });
      expect(roles).toContainEqual({ id: workspace.memberId, role: 'MEMBER' });
    }
  });

  it('archives tasks mostly in the removable statuses, some in others, over a year and several creators', async () => {
    const db = server.database.db;
    const tasks = await db.one<{ removable: number; other: number }>(
      `SELECT (count(*) FILTER (WHERE status IN ('REMOVED', 'VERIFIED')))::int AS removable,
         (count(*) FILTER (WHERE status NOT IN ('REMOVED', 'VERIFIED')))::int AS other
       FROM tasks WHERE archived_at IS NOT NULL`,
    );
    expect(tasks!.other).toBeGreaterThan(0);
    expect(tasks!.removable).toBeGreaterThan(tasks!.other * 3);
    const spread = await db.one<{ days: number; creators: number }>(
      `SELECT extract(day FROM max(archived_at) - min(archived_at))::int AS days,
         count(DISTINCT created_by)::int AS creators FROM deals WHERE workspace_id = $1`,
      [created[0].id],
    );
    expect(spread!.days).toBeGreaterThan(300);
    expect(spread!.creators).toBeGreaterThan(2);
  });

  it('reports progress up to the total', () => {
    expect(progress[progress.length - 1]).toEqual([2_000, 2_000]);
    expect(progress.every(([done], i) => i === 0 || done >= progress[i - 1][0])).toBe(true);
  });

  it('adds further workspaces when called again, rows only if asked to', async () => {
    const before = await rowCounts();
    const folder = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bulk-'));
    try {
      const more = await generateBulkData(server.database.db, new LocalFileStore(folder), {
        objects: 140,
        workspaces: 2,
        largeShare: 0.5,
        files: 'rows-only',
      });
      expect(more.map((w) => w.objects)).toEqual([70, 70]);
      expect(more.map((w) => w.id)).not.toContain(created[0].id);
      expect(await rowCounts()).toEqual({ workspaces: before.workspaces + 2, users: before.users + 10 });
      const rows = await server.database.db.one<{ n: number }>(
        'SELECT count(*)::int AS n FROM attachments WHERE workspace_id = ANY($1::uuid[])',
        [more.map((w) => w.id)],
      );
      expect(rows!.n).toBe(2 * 7 * 2);
      expect(readdirSync(folder)).toEqual([]);
      expect(await server.app.services.stats.recount()).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it.each([
    [{ objects: 10, workspaces: 0 }, 'workspaces must be a whole number ≥ 1'],
    [{ objects: -1, workspaces: 1 }, 'objects must be a whole number ≥ 0'],
    [{ objects: 10, workspaces: 2, largeShare: 1.5 }, 'largeShare must be between 0 and 1'],
    [{ objects: 10, workspaces: 2, attachmentShare: Number.NaN }, 'attachmentShare must be between 0 and 1'],
  ])('refuses %j with a clear message and writes nothing', async (options, message) => {
    const before = await rowCounts();
    const { db, files } = server.app.services;
    await expect(generateBulkData(db, files, options)).rejects.toThrow(message);
    expect(await rowCounts()).toEqual(before);
  });
});
