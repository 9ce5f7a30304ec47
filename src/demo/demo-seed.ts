import { Readable } from 'node:stream';
import { USER_COLUMNS } from '../domain/identity/auth.service';
import { Role, UserRow } from '../domain/domain-types';
import type { Services } from '../domain/services';
import { Sql } from '../database/database';
import { OBJECT_TABLES, ObjectType, TaskStatus } from '../database/object-tables';

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

/** A demo user's `sub` at an identity provider: `demo-alice` for alice@acme.test. */
function demoExternalId(email: string): string {
  return `demo-${email.split('@')[0]}`;
}

/** True when the demo workspace exists already. */
export async function isSeeded(db: Sql): Promise<boolean> {
  return (await db.one('SELECT 1 FROM users WHERE email = $1', [DEMO_ADMIN_EMAIL])) !== undefined;
}

/**
 * Creates two workspaces with users, objects of every type (tasks in every status), attachments
 * whose bytes really are in the file store, and some archived objects. Does nothing if seeded.
 * Objects, attachments and archiving go through the services, the same code path as the API.
 */
export async function seedDemoData(services: Services): Promise<boolean> {
  if (await isSeeded(services.db)) return false;
  const workspaces = await services.db.transaction(async (tx) => {
    const created: UserRow[][] = [];
    for (const [name, users] of Object.entries(DEMO_USERS)) {
      // External ids as an identity provider would name them (docs/identity.md, the worked example).
      const workspace = await tx.one<{ id: string }>(
        'INSERT INTO workspaces (name, external_id) VALUES ($1, $1) RETURNING id',
        [name],
      );
      const rows: UserRow[] = [];
      for (const user of users) {
        const row = await tx.one<UserRow>(
          `INSERT INTO users (workspace_id, name, email, role, external_id) VALUES ($1, $2, $3, $4, $5)
           RETURNING ${USER_COLUMNS}`,
          [workspace!.id, user.name, user.email, user.role, demoExternalId(user.email)],
        );
        rows.push(row!);
      }
      created.push(rows);
    }
    return created;
  });
  for (const users of workspaces) await seedObjects(services, users);
  return true;
}

async function seedObjects(services: Services, users: UserRow[]): Promise<void> {
  for (const { type, own } of OBJECT_TABLES) {
    for (let i = 0; i < DEMO_OBJECTS_PER_TYPE; i++) {
      const creator = users[i % users.length];
      const values = OWN_VALUES[type](i);
      const object = await services.objects.create(creator, {
        type,
        title: `${type.toLowerCase()} #${i + 1}`,
        own: Object.fromEntries(own.map((c, n) => [c.field, values[n]])),
      });
      const ref = { type, id: object.id };
      const size = 1024 * (i + 1);
      const body = Readable.from([Buffer.alloc(size, i + 65)]);
      await services.attachments.upload(creator, ref, `${type.toLowerCase()}-${i + 1}.txt`, 'text/plain', body);
      // Every other object is archived (by its creator), so the archive and the overview have content.
      if (i % 2 === 1) await services.archiving.archive(creator, [ref]);
    }
  }
}
