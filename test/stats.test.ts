import { Readable } from 'node:stream';
import { OBJECT_TABLES, OBJECT_TYPES, ObjectType } from '../src/database/object-tables';
import { AppError } from '../src/errors';
import { UserRow } from '../src/domain/domain-types';
import { ObjectRef } from '../src/domain/archive/object-rows';
import { heldCountsMatchHolds } from '../src/domain/verify/hold-check';
import { noStaleTombstones } from '../src/domain/verify/tombstone-check';
import {
  attachmentFilesPresent,
  countersMatchRecount,
  noOrphanFiles,
  runVerifyChecks,
} from '../src/domain/verify/verify-checks';
import { VerifyCheck } from '../src/domain/verify/verify-check';
import { createWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { batchVolumesMatchRecount } from '../src/domain/verify/batch-check';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** mulberry32: a small seeded PRNG, so a failing sequence can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function usersOf(ids: string[]): Promise<UserRow[]> {
  return (await server.app.services.users.byIds(ids)) as UserRow[];
}

describe('stats', () => {
  it('overview lists the seven types with zeros where nothing was counted', async () => {
    const ws = await createWorkspace(server.database.db, 1, 0);
    const overview = await server.app.services.stats.overview(ws.id);
    expect(overview.map((t) => t.type)).toEqual(OBJECT_TYPES);
    expect(overview[0]).toEqual({
      type: 'CONTACT',
      all: { count: 0, bytes: 0 },
      archived: { count: 0, bytes: 0 },
      marked: { count: 0, bytes: 0 },
      held: { count: 0, bytes: 0 },
    });
  });

  it('stay equal to a recount after several hundred random creates, uploads, archives and restores', async () => {
    const { objects, attachments, archiving, stats } = server.app.services;
    const workspaces = await Promise.all([
      createWorkspace(server.database.db, 1, 2),
      createWorkspace(server.database.db, 1, 1),
    ]);
    const people = await Promise.all(workspaces.map((w) => usersOf([...w.admins, ...w.members].map((u) => u.id))));
    const refs: { ref: ObjectRef; owner: UserRow }[][] = [[], []];
    const random = prng(20261128);
    const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
    let refused = 0;
    for (let step = 0; step < 400; step++) {
      const w = random() < 0.6 ? 0 : 1;
      const user = pick(people[w]);
      const roll = random();
      try {
        if (roll < 0.3 || refs[w].length === 0) {
          const type = pick(OBJECT_TYPES) as ObjectType;
          const row = await objects.create(user, { type, title: `r${step}` });
          refs[w].push({ ref: { type, id: row.id }, owner: user });
        } else if (roll < 0.55) {
          const { ref } = pick(refs[w]);
          const size = Math.floor(random() * 3000);
          await attachments.upload(
            user,
            ref,
            `f${step}.bin`,
            'application/octet-stream',
            Readable.from([Buffer.alloc(size)]),
          );
        } else {
          const batch = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(refs[w]).ref);
          // Now and then a ref of the other workspace, which must make the whole batch fail.
          if (random() < 0.1 && refs[1 - w].length > 0) batch.push(pick(refs[1 - w]).ref);
          await (roll < 0.8 ? archiving.archive(user, batch) : archiving.restore(user, batch));
        }
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        refused += 1;
      }
      if (step % 100 === 99) {
        // Marking is the deletion module's; flip some archived rows into the selection to cover those counters.
        for (const { table } of OBJECT_TABLES) {
          await server.database.db.rows(
            `UPDATE ${table} SET marked_at = now(), marked_by = archived_by WHERE archived_at IS NOT NULL AND marked_at IS NULL
             AND id IN (SELECT id FROM ${table} WHERE archived_at IS NOT NULL ORDER BY id LIMIT 2)`,
          );
        }
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(await stats.recount()).toEqual([]);
    expect(await stats.attachmentBytesDrift()).toEqual([]);
    const overview = await stats.overview(workspaces[0].id);
    const all = overview.reduce((n, t) => n + t.all.count, 0);
    expect(all).toBe(refs[0].length);
  });

  it('verify checks report drift in counters, missing or resized files and orphan files', async () => {
    const services = server.app.services;
    const clean = await runVerifyChecks(services);
    expect(clean.flatMap((c) => c.problems)).toEqual([]);
    const ws = await createWorkspace(server.database.db, 1, 0);
    const [admin] = await usersOf([ws.admins[0].id]);
    const a = await services.objects.create(admin, { type: ObjectType.DEAL, title: 'a' });
    const first = await services.attachments.upload(
      admin,
      { type: ObjectType.DEAL, id: a.id },
      'a',
      'text/plain',
      Readable.from([Buffer.alloc(10)]),
    );
    const second = await services.attachments.upload(
      admin,
      { type: ObjectType.DEAL, id: a.id },
      'b',
      'text/plain',
      Readable.from([Buffer.alloc(20)]),
    );
    await services.files.delete(first.storageKey);
    await services.db.rows('UPDATE attachments SET size_bytes = 21 WHERE id = $1', [second.id]);
    await services.files.put('zz/orphan', Readable.from([Buffer.alloc(1)]), 10);
    await services.db.rows(
      `UPDATE type_stats SET all_count = all_count + 1 WHERE workspace_id = $1 AND object_type = 'DEAL'`,
      [ws.id],
    );
    // A file whose row is gone but which was never removed (the executor's tombstone check).
    await services.db.rows(
      `INSERT INTO file_tombstones (storage_key, created_at) VALUES ('zz/stuck', now() - interval '1 hour')`,
    );
    // A held_count no legal hold stands behind.
    await services.db.rows('UPDATE deals SET held_count = 1 WHERE id = $1', [a.id]);
    // A pending deletion (in a workspace of its own) whose figures left no longer match its batch.
    const [other] = await usersOf([(await createWorkspace(server.database.db, 1, 0)).admins[0].id]);
    const b = await services.objects.create(other, { type: ObjectType.DEAL, title: 'b' });
    await services.archiving.archive(other, [{ type: ObjectType.DEAL, id: b.id }]);
    await services.selection.mark(other, { refs: [{ type: ObjectType.DEAL, id: b.id }] });
    const pending = await services.deletions.activate(other);
    await services.db.rows('UPDATE deletion_type_volumes SET count = count + 1 WHERE deletion_id = $1', [pending.id]);
    const results = await runVerifyChecks(services);
    expect(results.every((r) => r.problems.length > 0)).toBe(true);
    expect(results.find((r) => r.name === heldCountsMatchHolds.name)?.problems).toEqual([
      `DEAL ${a.id}: held_count 1, active holds 0`,
    ]);
    const problemsOf = (check: VerifyCheck) => results.find((r) => r.name === check.name)?.problems;
    expect(problemsOf(countersMatchRecount)?.[0]).toMatch(/DEAL all_count: stored 2, actual 1/);
    expect(problemsOf(attachmentFilesPresent)).toHaveLength(2);
    expect(problemsOf(attachmentFilesPresent)).toEqual(
      expect.arrayContaining([expect.stringMatching(/is missing/), expect.stringMatching(/has 20 bytes, row says 21/)]),
    );
    expect(problemsOf(noOrphanFiles)).toEqual(['file zz/orphan has no attachment row']);
    expect(problemsOf(batchVolumesMatchRecount)).toEqual([
      `deletion ${pending.id} DEAL: 2 objects / 0 bytes left, batch holds 1 / 0`,
    ]);
    expect(problemsOf(noStaleTombstones)).toEqual([
      expect.stringMatching(/^file zz\/stuck \(deletion none\) awaits removal/),
    ]);
  });
});
