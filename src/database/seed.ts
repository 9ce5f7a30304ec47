import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Role } from '../services/auth.service';
import { FileStore, newStorageKey } from '../services/file-store';
import { Database, Sql } from './database';
import { OBJECT_TABLES, ObjectType, TaskStatus } from './object-tables';

/** The demo users; `npm start` prints tokens for the first admin and the first member. */
export const DEMO_USERS = {
  acme: [
    { name: 'Alice Admin', email: 'alice@acme.test', role: Role.ADMIN },
    { name: 'Bob Admin', email: 'bob@acme.test', role: Role.ADMIN },
    { name: 'Carol Member', email: 'carol@acme.test', role: Role.MEMBER },
    { name: 'Dave Member', email: 'dave@acme.test', role: Role.MEMBER },
    { name: 'Erin Member', email: 'erin@acme.test', role: Role.MEMBER },
  ],
  globex: [
    { name: 'Grace Admin', email: 'grace@globex.test', role: Role.ADMIN },
    { name: 'Heidi Member', email: 'heidi@globex.test', role: Role.MEMBER },
  ],
};

export const DEMO_ADMIN_EMAIL = 'alice@acme.test';
export const DEMO_MEMBER_EMAIL = 'carol@acme.test';
/** Objects per type and workspace in the demo data. */
export const DEMO_OBJECTS_PER_TYPE = 6;

const OWN_VALUES: Record<ObjectType, (i: number) => unknown[]> = {
  [ObjectType.CONTACT]: (i) => [`person${i}@example.test`, `+1 555 010${i}`, 'Initech'],
  [ObjectType.ACTIVITY]: (i) => ['MEETING', new Date(Date.UTC(2026, 0, 1 + i))],
  [ObjectType.OBJECT]: (i) => ['Equipment', `Demo business object ${i}`],
  [ObjectType.DEAL]: (i) => [100_000 * (i + 1), 'EUR', 'NEGOTIATION'],
  [ObjectType.TASK]: (i) => [Object.values(TaskStatus)[i % 5], new Date(Date.UTC(2026, 11, 1 + i))],
  [ObjectType.EMAIL]: (i) => ['sales@acme.test', `lead${i}@example.test`, new Date(Date.UTC(2026, 1, 1 + i))],
  [ObjectType.CALL]: (i) => [`+1 555 020${i}`, 60 * (i + 1), i % 2 ? 'INBOUND' : 'OUTBOUND'],
};

/** True when the demo workspace exists already. */
export async function isSeeded(db: Sql): Promise<boolean> {
  return (await db.one('SELECT 1 FROM users WHERE email = $1', [DEMO_ADMIN_EMAIL])) !== undefined;
}

/**
 * Creates two workspaces with users, objects of every type (tasks in every status), attachments
 * whose bytes really are in the file store, and some archived objects. Does nothing if seeded.
 */
export async function seedDemoData(db: Database, files: FileStore): Promise<boolean> {
  if (await isSeeded(db)) return false;
  const written: string[] = [];
  try {
    await db.transaction(async (tx) => {
      for (const [name, users] of Object.entries(DEMO_USERS)) {
        const workspace = await tx.one<{ id: string }>('INSERT INTO workspaces (name) VALUES ($1) RETURNING id', [
          name,
        ]);
        const ids: string[] = [];
        for (const user of users) {
          const row = await tx.one<{ id: string }>(
            'INSERT INTO users (workspace_id, name, email, role) VALUES ($1, $2, $3, $4) RETURNING id',
            [workspace!.id, user.name, user.email, user.role],
          );
          ids.push(row!.id);
        }
        await seedObjects(tx, files, workspace!.id, ids, written);
      }
    });
  } catch (error) {
    await Promise.all(written.map((key) => files.delete(key)));
    throw error;
  }
  return true;
}

async function seedObjects(
  tx: Sql,
  files: FileStore,
  workspaceId: string,
  userIds: string[],
  written: string[],
): Promise<void> {
  for (const { type, table, own } of OBJECT_TABLES) {
    for (let i = 0; i < DEMO_OBJECTS_PER_TYPE; i++) {
      const creator = userIds[i % userIds.length];
      // Every other object is archived (by its creator), so the archive and the overview have content.
      const archived = i % 2 === 1;
      const columns = own.map((c) => c.column);
      const values = OWN_VALUES[type](i);
      const placeholders = values.map((_, n) => `$${n + 6}`);
      const object = await tx.one<{ id: string }>(
        `INSERT INTO ${table} (workspace_id, title, created_by, archived_at, archived_by, ${columns.join(', ')})
         VALUES ($1, $2, $3, $4, $5, ${placeholders.join(', ')}) RETURNING id`,
        [
          workspaceId,
          `${type.toLowerCase()} #${i + 1}`,
          creator,
          archived ? new Date() : null,
          archived ? creator : null,
          ...values,
        ],
      );
      const size = 1024 * (i + 1);
      const key = newStorageKey(randomUUID());
      await files.put(key, Readable.from(Buffer.alloc(size, i + 65)), size);
      written.push(key);
      await tx.rows(
        `INSERT INTO attachments (workspace_id, object_type, object_id, file_name, mime_type, size_bytes, storage_key, created_by)
         VALUES ($1, $2, $3, $4, 'text/plain', $5, $6, $7)`,
        [workspaceId, type, object!.id, `${type.toLowerCase()}-${i + 1}.txt`, size, key, creator],
      );
      await tx.rows(`UPDATE ${table} SET attachment_bytes = attachment_bytes + $2 WHERE id = $1`, [object!.id, size]);
    }
  }
}
