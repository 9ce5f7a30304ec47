import {
  ActivateDeletionDocument,
  ArchiveObjectsDocument,
  CreateObjectDocument,
  MarkForDeletionDocument,
  ObjectType,
  TaskStatus,
} from '../../operations/generated';
import { ObjectType as ObjectTypeEnum } from '../../src/database/object-tables';
import { Services } from '../../src/domain/services';
import { runVerifyChecks } from '../../src/domain/verify/verify-checks';
import { mustRequest } from './clients';
import { TestUser } from './fixtures';
import { upload } from './objects';
import type { TestServer } from './servers';

export type Ref = { type: ObjectTypeEnum & ObjectType; id: string };

/** Creates `n` objects of `type` through the API and archives them; tasks get `status`, the first one `bytes` of attachment. */
export async function archivedObjects(
  url: string,
  user: TestUser,
  type: ObjectType,
  n: number,
  { status, bytes }: { status?: TaskStatus; bytes?: number } = {},
): Promise<Ref[]> {
  const refs: Ref[] = [];
  for (let i = 0; i < n; i++) {
    const input = { type, title: `${type} ${i}`, ...(status ? { status } : {}) };
    const data = await mustRequest(url, CreateObjectDocument, { input }, user.token);
    refs.push({ type: type as ObjectTypeEnum & ObjectType, id: data.createObject.id });
  }
  if (bytes && refs.length > 0) await upload(url, user.token, refs[0], Buffer.alloc(bytes));
  if (refs.length > 0) await mustRequest(url, ArchiveObjectsDocument, { refs }, user.token);
  return refs;
}

/** Activates a deletion of one new archived contact through HTTP, as `admin`; returns its id. */
export async function activateOne(url: string, admin: TestUser): Promise<string> {
  const refs = await archivedObjects(url, admin, 'CONTACT', 1);
  await mustRequest(url, MarkForDeletionDocument, { refs }, admin.token);
  return (await mustRequest(url, ActivateDeletionDocument, {}, admin.token)).activateDeletion.id;
}

/** Marks and activates `refs` as `admin`, then runs the deletion to its end with a tick past its grace period; returns its id. */
export async function deleteNow(
  server: Pick<TestServer, 'url' | 'app'>,
  admin: TestUser,
  refs: Ref[],
): Promise<string> {
  await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
  const activated = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
  await server.app.scheduler.tick(new Date(new Date(activated.executeAfter as string).getTime() + 1_000));
  return activated.id;
}

/** Every verify check's problems, flattened: [] when counters equal a recount and files match rows. */
export async function verifyProblems(services: Services): Promise<string[]> {
  return (await runVerifyChecks(services)).flatMap((check) => check.problems.map((p) => `${check.name}: ${p}`));
}

/** Snapshot of the deletion-side tables a refused request must leave unchanged. */
export async function deletionSnapshot(db: { rows<T extends object>(sql: string, params?: unknown[]): Promise<T[]> }) {
  const parts = await Promise.all(['deletions', 'notifications'].map((t) => db.rows(`SELECT * FROM ${t} ORDER BY id`)));
  return JSON.stringify(parts);
}
