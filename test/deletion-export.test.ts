import { createHash, randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { buffer } from 'node:stream/consumers';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import {
  ActivateDeletionDocument,
  ArchiveObjectsDocument,
  CancelDeletionDocument,
  DeletionExportUrlDocument,
  MarkForDeletionDocument,
  ObjectType,
} from '../operations/generated';
import { OBJECT_TABLES } from '../src/database/object-tables';
import { DeletionLifecycle } from '../src/domain/deletion/lifecycle/deletion-lifecycle';
import { ExportManifest } from '../src/domain/deletion/export-manifest';
import { mustRequest, request } from './support/clients';
import { archivedObjects, deletionSnapshot, Ref } from './support/deletion';
import { createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { createObject, snapshot, upload } from './support/objects';
import { startTestServer, TestServer } from './support/servers';
import { unzip, ZipEntry } from './support/unzip';
import { waitFor } from './support/wait-for';
import { batchOfSql } from '../src/domain/deletion/batch-membership';

let server: TestServer;
let base: string;

beforeAll(async () => {
  server = await startTestServer({ MAX_UPLOAD_BYTES: String(16 * 1024 * 1024) });
  base = server.url.replace(/\/graphql$/, '');
});
afterAll(() => server.close());

/** GET /deletions/:id/export as `user` (or anonymous). */
function exportOf(id: string, user?: TestUser, signal?: AbortSignal) {
  const headers: Record<string, string> = user ? { authorization: `Bearer ${user.token}` } : {};
  return fetch(`${base}/deletions/${encodeURIComponent(id)}/export`, { headers, signal });
}

/** A workspace with a PENDING deletion of `refs` (archived here), plus `files` uploaded first; returns its id. */
async function pendingDeletion(admin: TestUser, refs: Ref[], files: [Ref, string, Buffer][]): Promise<string> {
  for (const [ref, name, bytes] of files)
    expect((await upload(server.url, admin.token, ref, bytes, name)).status).toBe(201);
  await mustRequest(server.url, ArchiveObjectsDocument, { refs }, admin.token);
  await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
  return (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion.id;
}

async function objects(admin: TestUser, type: ObjectType, n: number): Promise<Ref[]> {
  return Promise.all(Array.from({ length: n }, () => createObject(server.url, admin, type)));
}

/** Rows as JSON carries them (dates as ISO strings, bigints as strings), sorted by id. */
function asJson(rows: object[]): Record<string, unknown>[] {
  const parsed = JSON.parse(JSON.stringify(rows)) as Record<string, unknown>[];
  return parsed.sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

function ndjson(entry: ZipEntry | undefined): Record<string, unknown>[] {
  const lines = entry!.data.toString('utf8').split('\n');
  expect(lines.pop()).toBe('');
  return asJson(lines.map((line) => JSON.parse(line) as object));
}

/**
 * Checks an export against the database and the file store: every row of every type and every
 * attachment row, every file's bytes and sha256, and a manifest (the last entry) that counts them.
 */
async function expectExportMatches(deletionId: string, entries: ZipEntry[]): Promise<ExportManifest> {
  const { db } = server.database;
  const byName = new Map(entries.map((e) => [e.name, e]));
  const manifest = JSON.parse(entries.at(-1)!.data.toString('utf8')) as ExportManifest;
  expect(entries.at(-1)!.name).toBe('manifest.json');
  expect(manifest).toMatchObject({ deletionId, status: 'PENDING' });
  for (const { table, type } of OBJECT_TABLES) {
    const rows = asJson(await db.rows(`SELECT * FROM ${table} WHERE ${batchOfSql('$1::uuid')}`, [deletionId]));
    expect(ndjson(byName.get(`${type.toLowerCase()}.ndjson`))).toEqual(rows);
    const bytes = rows.reduce((sum, row) => sum + Number(row.attachment_bytes), 0);
    expect(manifest.types.find((t) => t.type === type)).toEqual({
      type,
      file: `${type.toLowerCase()}.ndjson`,
      count: rows.length,
      bytes,
    });
  }
  const attachments = asJson(
    (
      await Promise.all(
        OBJECT_TABLES.map(({ table }) =>
          db.rows(
            `SELECT a.* FROM attachments a JOIN ${table} o ON o.id = a.object_id WHERE ${batchOfSql('$1::uuid', 'o')}`,
            [deletionId],
          ),
        ),
      )
    ).flat(),
  );
  expect(ndjson(byName.get('attachments.ndjson'))).toEqual(attachments);
  expect(manifest.files.map((f) => f.attachmentId).sort()).toEqual(attachments.map((a) => a.id));
  for (const file of manifest.files) {
    const row = attachments.find((a) => a.id === file.attachmentId)!;
    const stored = await buffer((await server.app.services.files.read(String(row.storage_key)))!);
    expect(file.path.startsWith(`files/${file.attachmentId}/`)).toBe(true);
    expect(byName.get(file.path)!.data.equals(stored)).toBe(true);
    expect([file.size, file.sha256]).toEqual([stored.length, createHash('sha256').update(stored).digest('hex')]);
  }
  expect(entries.filter((e) => e.name.startsWith('files/'))).toHaveLength(attachments.length);
  return manifest;
}

describe('GET /deletions/:id/export', () => {
  it('streams a ZIP of every type, attachment row and file of the deletion, checked against the database and file store', async () => {
    const ws = await createWorkspace(server.database.db, 1, 0);
    const [admin] = ws.admins;
    const contacts = await objects(admin, 'CONTACT', 2);
    const [deal] = await objects(admin, 'DEAL', 1);
    const tasks = await archivedObjects(server.url, admin, 'TASK', 2, { status: 'REMOVED' });
    const uploads: [Ref, string, Buffer][] = [
      [contacts[0], 'notes.txt', randomBytes(3000)],
      [contacts[0], '..', randomBytes(10)],
      [contacts[1], 'a\r\nb "c".txt', randomBytes(20)],
      [deal, 'résumé 日本.pdf', randomBytes(200_000)],
    ];
    const id = await pendingDeletion(admin, [...contacts, deal, ...tasks], uploads);
    // Left out: an archived object that is not in the deletion, and another workspace's pending deletion.
    const [outside] = await objects(admin, 'CONTACT', 1);
    await upload(server.url, admin.token, outside, Buffer.from('not exported'));
    await mustRequest(server.url, ArchiveObjectsDocument, { refs: [outside] }, admin.token);
    const other = await createWorkspace(server.database.db, 1, 0);
    await pendingDeletion(other.admins[0], await objects(other.admins[0], 'CONTACT', 1), []);

    const url = (await mustRequest(server.url, DeletionExportUrlDocument, { id }, admin.token)).deletion!.exportUrl;
    expect(url).toBe(`/deletions/${id}/export`);
    const response = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="deletion-${id}.zip"; filename*=UTF-8''deletion-${id}.zip`,
    });
    const entries = await unzip(Buffer.from(await response.arrayBuffer()));
    expect(entries.slice(0, 8).map((e) => e.name)).toEqual([
      ...OBJECT_TABLES.map((t) => `${t.type.toLowerCase()}.ndjson`),
      'attachments.ndjson',
    ]);
    const manifest = await expectExportMatches(id, entries);
    expect(manifest.types.filter((t) => t.count > 0).map((t) => [t.type, t.count])).toEqual([
      ['CONTACT', 2],
      ['DEAL', 1],
      ['TASK', 2],
    ]);
    // Names are sanitised into one path segment, and the bytes are the uploaded ones.
    for (const [, name, bytes] of uploads) {
      const safe = name === '..' ? '_' : name.replace(/[\r\n"]/g, '_');
      const file = manifest.files.find((f) => f.path.endsWith(`/${safe}`))!;
      expect(file.fileName).toBe(name);
      expect(entries.find((e) => e.name === file.path)!.data.equals(bytes)).toBe(true);
    }
  });

  it('refuses members (403), other workspaces and missing ids (404), anonymous callers (401) and deletions not PENDING (409), changing nothing', async () => {
    const ws = await createWorkspace(server.database.db, 1, 1);
    const [admin] = ws.admins;
    const pending = await pendingDeletion(admin, await objects(admin, 'CONTACT', 1), []);
    const cancelledWs = await createWorkspace(server.database.db, 1, 0);
    const cancelled = await pendingDeletion(cancelledWs.admins[0], await objects(cancelledWs.admins[0], 'DEAL', 1), []);
    await mustRequest(server.url, CancelDeletionDocument, { id: cancelled }, cancelledWs.admins[0].token);
    const other: TestWorkspace = await createWorkspace(server.database.db, 1, 0);
    const before = [await snapshot(server.database.db), await deletionSnapshot(server.database.db)];
    const cases: [string, TestUser | undefined, number, string][] = [
      [pending, ws.members[0], 403, 'FORBIDDEN'],
      [pending, other.admins[0], 404, 'NOT_FOUND'],
      ['00000000-0000-4000-8000-000000000000', admin, 404, 'NOT_FOUND'],
      ['not-a-uuid', admin, 404, 'NOT_FOUND'],
      [pending, undefined, 401, 'UNAUTHENTICATED'],
      [cancelled, cancelledWs.admins[0], 409, 'CONFLICT'],
    ];
    for (const [id, user, status, code] of cases) {
      const response = await exportOf(id, user);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect([id, response.status, body.error.code]).toEqual([id, status, code]);
    }
    const conflict = (await (await exportOf(cancelled, cancelledWs.admins[0])).json()) as {
      error: { message: string };
    };
    expect(conflict.error.message).toMatch(/CANCELLED: only a PENDING deletion can be exported/);
    expect([await snapshot(server.database.db), await deletionSnapshot(server.database.db)]).toEqual(before);
    const urls = await Promise.all([
      mustRequest(server.url, DeletionExportUrlDocument, { id: cancelled }, cancelledWs.admins[0].token),
      request(server.url, DeletionExportUrlDocument, { id: pending }, ws.members[0].token),
    ]);
    expect(urls[0].deletion!.exportUrl).toBeNull();
    expect(urls[1].errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  describe('with files larger than the socket buffers', () => {
    const pool = () => (server.app.services.db.dataSource.driver as PostgresDriver).master as Pool;
    const openTransactions = async () =>
      (
        await server.database.db.rows<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND application_name = 'crm-archive'`,
        )
      )[0].n;

    /** A pending deletion of one contact with `n` files of 8 MB. */
    async function bigDeletion(n: number): Promise<{ id: string; admin: TestUser }> {
      const ws = await createWorkspace(server.database.db, 1, 0);
      const [admin] = ws.admins;
      const [contact] = await objects(admin, 'CONTACT', 1);
      const files = Array.from({ length: n }, (_, i): [Ref, string, Buffer] => [
        contact,
        `big-${i}.bin`,
        randomBytes(8 << 20),
      ]);
      return { id: await pendingDeletion(admin, [contact], files), admin };
    }

    it('a client leaving mid-stream stops the export and frees its connection; the next export works', async () => {
      const { id, admin } = await bigDeletion(3);
      const leaving = new AbortController();
      const response = await exportOf(id, admin, leaving.signal);
      const reader = response.body!.getReader();
      expect((await reader.read()).done).toBe(false);
      // The export waits for the client, but its rows were staged first: no transaction, no connection.
      await waitFor(async () => (await openTransactions()) === 0 && pool().idleCount === pool().totalCount, {
        what: 'the waiting export to hold no connection',
      });
      expect(server.app.services.deletionExport.slots.inUse()).toBe(1);
      leaving.abort();
      await waitFor(async () => server.app.services.deletionExport.slots.inUse() === 0, {
        what: 'the export to stop and release its slot',
      });
      const again = await exportOf(id, admin);
      expect(again.status).toBe(200);
      await expectExportMatches(id, await unzip(Buffer.from(await again.arrayBuffer())));
    });

    it('runs at most its share of exports for one workspace at once; a third is refused as busy', async () => {
      const { id, admin } = await bigDeletion(3);
      const leaving = new AbortController();
      for (let n = 0; n < server.app.services.config.exportsPerWorkspace; n++) {
        const response = await exportOf(id, admin, leaving.signal);
        expect((await response.body!.getReader().read()).done).toBe(false);
      }
      const busy = await exportOf(id, admin);
      const body = (await busy.json()) as { error: { code: string; reason: string } };
      expect([busy.status, body.error.code, body.error.reason]).toEqual([409, 'CONFLICT', 'EXPORTS_BUSY']);
      leaving.abort();
      const slots = server.app.services.deletionExport.slots;
      await waitFor(async () => slots.inUse() === 0 && (await openTransactions()) === 0, {
        what: 'the exports to release their slots',
      });
      const again = await exportOf(id, admin);
      expect(again.status).toBe(200);
      await again.arrayBuffer();
    });

    it('a deletion that starts executing mid-export ends in a cut-off download, never a ZIP that looks complete', async () => {
      const { id, admin } = await bigDeletion(3);
      const response = await exportOf(id, admin);
      const reader = response.body!.getReader();
      expect((await reader.read()).done).toBe(false);
      const others = await server.database.db.rows<{ id: string }>(
        `SELECT id FROM deletions WHERE status = 'PENDING' AND id <> $1`,
        [id],
      );
      const due = await server.database.db.one<{ at: Date }>(
        'SELECT execute_after AS at FROM deletions WHERE id = $1',
        [id],
      );
      const claimed = await new DeletionLifecycle().claim(server.database.db, {
        now: due!.at,
        instanceId: 'test',
        leaseMs: 600_000,
        skip: others.map((d) => d.id),
      });
      expect(claimed?.id).toBe(id);
      const rest = (async () => {
        for (;;) if ((await reader.read()).done) return 'complete';
      })();
      await expect(rest).rejects.toThrow();
      await waitFor(async () => (await openTransactions()) === 0, { what: 'the export to release its connection' });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    });
  });
});
