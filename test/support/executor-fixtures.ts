import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { Database, Sql } from '../../src/database/database';
import { OBJECT_TABLES, ObjectType, tableOf } from '../../src/database/object-tables';
import { createLogger } from '../../src/log';
import { DeletionScheduler, SchedulerOptions } from '../../src/scheduler/deletion-scheduler';
import { systemClock } from '../../src/domain/clock';
import {
  DELETION_EVENTS_CHANNEL,
  DeletionEventMessage,
  DeletionEventType,
  parseDeletionEventMessage,
  publishDeletionEvent,
} from '../../src/domain/deletion/deletion-events';
import { FileStore, newStorageKey } from '../../src/domain/files/file-store';
import { SelectionService } from '../../src/domain/deletion/selection.service';
import { ACTIVATE_SQL } from '../../src/domain/deletion/lifecycle/lifecycle-sql';
import { freezeSelection } from '../../src/domain/deletion/lifecycle/object-moves';
import { Services } from '../../src/domain/services';
import { waitFor } from './wait-for';
import { selectionGenerationSql } from '../../src/domain/deletion/batch-membership';

export interface Ref {
  type: ObjectType | `${ObjectType}`;
  id: string;
}

const DAY_MS = 86_400_000;

function byType(refs: readonly Ref[]): Map<ObjectType, string[]> {
  const groups = new Map<ObjectType, string[]>();
  for (const ref of refs) groups.set(ref.type as ObjectType, [...(groups.get(ref.type as ObjectType) ?? []), ref.id]);
  return groups;
}

/** Marks archived objects (adds them to the workspace's selection), as markForDeletion will. */
export async function markObjects(db: Sql, adminId: string, refs: readonly Ref[]): Promise<void> {
  for (const [type, ids] of byType(refs)) {
    await db.rows(
      `UPDATE ${tableOf(type).table} SET marked_at = now(), marked_by = $2,
         mark_generation = ${selectionGenerationSql(`${tableOf(type).table}.workspace_id`)}
       WHERE id = ANY($1::uuid[]) AND archived_at IS NOT NULL AND marked_at IS NULL`,
      [ids, adminId],
    );
  }
}

/**
 * Marks the (archived) objects and freezes the workspace's selection into a PENDING deletion with
 * activation's own statements: the deletion row with the selection's generation, and the per-type
 * counts and bytes moved from the counters, in one transaction.
 * Due at `executeAfter` (default: 7 days from now, so tests tick with a moved clock).
 */
export async function createDueDeletion(
  db: Database,
  workspaceId: string,
  adminId: string,
  refs: readonly Ref[],
  executeAfter = new Date(Date.now() + 7 * DAY_MS),
): Promise<string> {
  return db.transaction(async (tx) => {
    await markObjects(tx, adminId, refs);
    const deletion = await tx.one<{ id: string }>(ACTIVATE_SQL, [workspaceId, new Date(), adminId, executeAfter]);
    await freezeSelection(tx, workspaceId, deletion!.id);
    return deletion!.id;
  });
}

/**
 * Many archived objects at once (for the crash test and the benchmark), `perType` of each type,
 * every `fileEvery`-th with a stored file of `fileBytes` bytes. Rows and files are written as
 * AttachmentService writes them, only in bulk: file first, then the row and attachment_bytes.
 */
export async function seedArchivedObjects(
  db: Database,
  files: FileStore,
  options: { workspaceId: string; userId: string; perType: number; fileEvery: number; fileBytes: number },
): Promise<Ref[]> {
  const { workspaceId, userId, perType, fileEvery, fileBytes } = options;
  const refs: Ref[] = [];
  for (const { table, type } of OBJECT_TABLES) {
    const rows = await db.rows<{ id: string }>(
      `INSERT INTO ${table} (workspace_id, title, created_by, archived_at, archived_by)
       SELECT $1, 'seeded ' || n, $2, now(), $2 FROM generate_series(1, $3) n RETURNING id`,
      [workspaceId, userId, perType],
    );
    const owners = rows.filter((_, i) => i % fileEvery === 0).map((row) => row.id);
    const keys: string[] = [];
    for (const id of owners) {
      const key = newStorageKey(randomUUID());
      await files.put(key, Readable.from([Buffer.alloc(fileBytes, id)]), fileBytes);
      keys.push(key);
    }
    await db.transaction(async (tx) => {
      await tx.rows(
        `INSERT INTO attachments (workspace_id, object_type, object_id, file_name, mime_type, size_bytes, storage_key, created_by)
         SELECT $1, $2, o, 'seeded.bin', 'application/octet-stream', $3, k, $4 FROM unnest($5::uuid[], $6::text[]) AS u(o, k)`,
        [workspaceId, type, fileBytes, userId, owners, keys],
      );
      await tx.rows(`UPDATE ${table} SET attachment_bytes = attachment_bytes + $2 WHERE id = ANY($1::uuid[])`, [
        owners,
        fileBytes,
      ]);
    });
    refs.push(...rows.map((row) => ({ type, id: row.id })));
  }
  return refs;
}

/** A `pg.Client` LISTENing on the deletion events channel, collecting every message it sees. */
export async function listenDeletionEvents(
  url: string,
): Promise<{ messages: DeletionEventMessage[]; settled(db: Sql): Promise<void>; close(): Promise<void> }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const messages: DeletionEventMessage[] = [];
  client.on('notification', (n) => {
    const message = n.channel === DELETION_EVENTS_CHANNEL ? parseDeletionEventMessage(n.payload) : null;
    if (message) messages.push(message);
  });
  await client.query(`LISTEN ${DELETION_EVENTS_CHANNEL}`);
  /**
   * Resolves once every message committed so far has arrived: PostgreSQL delivers notifications in
   * commit order, so a sentinel published now arrives after all of them. The sentinel is then dropped.
   */
  const settled = async (db: Sql): Promise<void> => {
    const sentinel = randomUUID();
    await publishDeletionEvent(db, {
      type: DeletionEventType.PROGRESS,
      workspaceId: sentinel,
      deletionId: sentinel,
      actorId: null,
      occurredAt: new Date().toISOString(),
    });
    await waitFor(() => messages.some((m) => m.deletionId === sentinel), { what: 'the sentinel notification' });
    messages.splice(
      messages.findIndex((m) => m.deletionId === sentinel),
      1,
    );
  };
  return { messages, settled, close: () => client.end() };
}

/** Whether the deletion's lease has lapsed (or was released), by the database's clock: leases never use the app's. */
export async function leaseLapsed(db: Sql, deletionId: string): Promise<boolean> {
  const row = await db.one<{ lapsed: boolean }>(
    'SELECT locked_until IS NULL OR locked_until < now() AS lapsed FROM deletions WHERE id = $1',
    [deletionId],
  );
  return row!.lapsed;
}

/**
 * A fingerprint of everything a deletion must not touch: an md5 of every row of every table
 * except the batch's objects and attachments and the deletion's own bookkeeping (its row, volumes,
 * notifications, tombstones; type_stats of its workspace, checked by the recount instead), plus the
 * md5 of every stored file's bytes except the batch's files.
 */
export async function untouchedChecksum(
  db: Sql,
  files: FileStore,
  batch: { deletionId: string; workspaceId: string; refs: readonly Ref[]; keys: readonly string[] },
): Promise<Record<string, string>> {
  const ids = batch.refs.map((ref) => ref.id);
  const md5 = async (from: string, where: string, params: unknown[]) =>
    (await db.one<{ sum: string }>(
      `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM ${from} t WHERE ${where}`,
      params,
    ))!.sum;
  const sums: Record<string, string> = {};
  for (const { table } of OBJECT_TABLES) sums[table] = await md5(table, 'NOT (t.id = ANY($1::uuid[]))', [ids]);
  sums.attachments = await md5('attachments', 'NOT (t.object_id = ANY($1::uuid[]))', [ids]);
  sums.workspaces = await md5('workspaces', 'true', []);
  sums.users = await md5('users', 'true', []);
  sums.deletions = await md5('deletions', 't.id <> $1', [batch.deletionId]);
  sums.deletion_type_volumes = await md5('deletion_type_volumes', 't.deletion_id <> $1', [batch.deletionId]);
  sums.notifications = await md5('notifications', 't.deletion_id IS DISTINCT FROM $1', [batch.deletionId]);
  sums.file_tombstones = await md5('file_tombstones', 't.deletion_id IS DISTINCT FROM $1', [batch.deletionId]);
  sums.type_stats = await md5('type_stats', 't.workspace_id <> $1', [batch.workspaceId]);
  const skip = new Set(batch.keys);
  for await (const { key } of files.list()) {
    if (skip.has(key)) continue;
    const hash = createHash('md5');
    for await (const chunk of (await files.read(key))!) hash.update(chunk as Buffer);
    sums[`file ${key}`] = hash.digest('hex');
  }
  return sums;
}

/**
 * A scheduler of the test's own over the app's services (or another pool: another "instance"),
 * with a timer that never fires by itself: tests call `tick(now)` with a moved clock.
 */
export function testScheduler(
  services: Pick<Services, 'db' | 'files' | 'lifecycle'>,
  options: Partial<SchedulerOptions> = {},
): DeletionScheduler {
  return new DeletionScheduler({
    db: services.db,
    files: services.files,
    lifecycle: services.lifecycle,
    selection: new SelectionService(services.db, systemClock),
    clock: systemClock,
    logger: createLogger('silent'),
    intervalMs: 3_600_000,
    chunkSize: 2,
    leaseMs: 60_000,
    ...options,
  });
}
