import { CreateObjectDocument, ObjectType } from '../../operations/generated';
import { ObjectType as ObjectTypeEnum } from '../../src/database/object-tables';
import { mustRequest } from './clients';
import { TestUser } from './fixtures';

/** Creates an object through the API and returns its ref (usable by the API and the services alike). */
export async function createObject(url: string, user: TestUser, type: ObjectType, title = `${type} object`) {
  const data = await mustRequest(url, CreateObjectDocument, { input: { type, title } }, user.token);
  return { type: type as ObjectTypeEnum & ObjectType, id: data.createObject.id };
}

/** Uploads bytes as an attachment over HTTP. */
export async function upload(
  url: string,
  token: string | undefined,
  ref: { type: string; id: string },
  body: Buffer,
  fileName = 'file.bin',
): Promise<{ status: number; body: Record<string, unknown> & { error?: { code: string; message: string } } }> {
  const base = url.replace(/\/graphql$/, '');
  const query = new URLSearchParams({ type: ref.type, id: ref.id, fileName });
  const response = await fetch(`${base}/attachments?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/pdf', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: new Uint8Array(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A snapshot of every table a refused request must leave unchanged. */
export async function snapshot(db: { rows<T extends object>(sql: string, params?: unknown[]): Promise<T[]> }) {
  const tables = ['contacts', 'activities', 'business_objects', 'deals', 'tasks', 'emails', 'calls', 'attachments'];
  const parts = await Promise.all(
    [...tables, 'type_stats', 'deletion_type_volumes'].map((t) => db.rows(`SELECT * FROM ${t} ORDER BY 1, 2`)),
  );
  return JSON.stringify(parts);
}
