import { Database, Sql } from '../../database/database';
import { KeysetPage, readTimeIdPage, TimeIdKey } from '../../database/keyset';
import { SqlParams } from '../../database/sql';
import { AppError, ErrorCode } from '../../errors';
import { Role, UserRow } from '../domain-types';
import { USER_COLUMNS } from './auth.service';
import { changesOf, ProvisioningChangeRow, recordChanges } from './provisioning-changes';

/** Most entries one provisioning call takes. */
const MAX_PROVISION_BATCH = 1000;

export interface WorkspaceProvision {
  externalId: string;
  name: string;
}

export interface UserProvision {
  externalId: string;
  workspaceExternalId: string;
  email: string;
  name: string;
  role: Role;
  /** Omitted or null: active (the schema's `active: Boolean = true`). */
  active?: boolean | null;
}

export interface WorkspaceRow {
  id: string;
  externalId: string | null;
  name: string;
}

const WORKSPACE_COLUMNS = 'id, external_id AS "externalId", name';

/**
 * Upserts the workspaces and users the CRM's backend sends, by external id, all or nothing: a batch
 * is one transaction, and any refused entry refuses the batch before anything is written. Each
 * change is recorded with the provisioning client (provisioning-changes.ts). A user's rows are never
 * removed here: deactivation (`active: false`) only stops their tokens.
 */
export class ProvisioningService {
  constructor(private readonly db: Database) {}

  /** Creates or renames workspaces by externalId; returns them in the order given. */
  provisionWorkspaces(clientId: string, inputs: WorkspaceProvision[]): Promise<WorkspaceRow[]> {
    checkBatch(
      inputs.map((input) => input.externalId),
      inputs.length,
    );
    for (const input of inputs) requireText({ externalId: input.externalId, name: input.name });
    const ids = inputs.map((input) => input.externalId);
    return this.db.transaction(async (tx) => {
      const before = await workspacesByExternalIds(tx, ids, true);
      const rows = await tx.rows<WorkspaceRow>(
        `INSERT INTO workspaces (external_id, name) SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO UPDATE SET name = EXCLUDED.name
         RETURNING ${WORKSPACE_COLUMNS}`,
        [ids, inputs.map((input) => input.name)],
      );
      const byId = new Map(rows.map((row) => [row.externalId, row]));
      const changes = inputs.flatMap((input) => {
        const row = byId.get(input.externalId)!;
        const was = before.get(input.externalId);
        return changesOf('workspace', row.id, input.externalId, was && { name: was.name }, { name: input.name });
      });
      await recordChanges(tx, clientId, changes);
      return inputs.map((input) => byId.get(input.externalId)!);
    });
  }

  /** Creates or updates users by (workspace, externalId); every workspace must exist. Returns them in order. */
  provisionUsers(clientId: string, inputs: UserProvision[]): Promise<UserRow[]> {
    checkBatch(
      inputs.map((input) => JSON.stringify([input.workspaceExternalId, input.externalId])),
      inputs.length,
    );
    for (const input of inputs) {
      const { externalId, workspaceExternalId, email, name } = input;
      requireText({ externalId, workspaceExternalId, email, name });
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) badInput(`"${email}" is not an e-mail address.`, { email });
    }
    return this.db.transaction(async (tx) => {
      const workspaces = await workspacesByExternalIds(tx, [...new Set(inputs.map((i) => i.workspaceExternalId))]);
      const missing = inputs.filter((input) => !workspaces.has(input.workspaceExternalId));
      if (missing.length > 0) {
        const names = [...new Set(missing.map((input) => input.workspaceExternalId))];
        badInput(`Provision these workspaces first: ${names.join(', ')}.`, { workspaceExternalIds: names });
      }
      const values = inputs.map((input) => ({ ...input, workspaceId: workspaces.get(input.workspaceExternalId)!.id }));
      const before = await usersByExternalIds(tx, values);
      const rows = await upsertUsers(tx, values);
      const key = (workspaceId: string, externalId: string | null | undefined) => `${workspaceId} ${externalId}`;
      const byKey = new Map(rows.map((row) => [key(row.workspaceId, row.externalId), row]));
      const changes = values.flatMap((input) => {
        const row = byKey.get(key(input.workspaceId, input.externalId))!;
        const was = before.get(key(input.workspaceId, input.externalId));
        const fields = (user: Pick<UserRow, 'email' | 'name' | 'role'> & { active?: boolean | null }) => ({
          email: user.email,
          name: user.name,
          role: user.role,
          active: user.active !== false,
        });
        return changesOf('user', row.workspaceId, input.externalId, was && fields(was), fields(input));
      });
      await recordChanges(tx, clientId, changes);
      return values.map((input) => byKey.get(key(input.workspaceId, input.externalId))!);
    });
  }

  /** A page of a workspace's provisioning changes, newest first (index provisioning_changes_workspace). */
  changes(workspaceId: string, limit: number, after: TimeIdKey | null): Promise<KeysetPage<ProvisioningChangeRow>> {
    const params = new SqlParams();
    return readTimeIdPage<ProvisioningChangeRow>(
      this.db,
      {
        table: 'provisioning_changes',
        columns: `id, client_id AS "clientId", kind, subject_external_id AS "subjectExternalId", changes,
          changed_at AS "changedAt"`,
        timeColumn: 'changed_at',
        filter: { conditions: [`workspace_id = ${params.add(workspaceId)}`], params },
      },
      limit,
      after,
    );
  }
}

/**
 * One statement for the batch; an e-mail address another user of the workspace has already is a
 * unique violation of `users_workspace_email`, which rolls the whole batch back as a CONFLICT.
 */
async function upsertUsers(tx: Sql, values: (UserProvision & { workspaceId: string })[]): Promise<UserRow[]> {
  try {
    return await tx.rows<UserRow>(
      `INSERT INTO users (workspace_id, external_id, email, name, role, active)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[])
       ON CONFLICT (workspace_id, external_id) WHERE external_id IS NOT NULL DO UPDATE
         SET email = EXCLUDED.email, name = EXCLUDED.name, role = EXCLUDED.role, active = EXCLUDED.active
       RETURNING ${USER_COLUMNS}`,
      [
        values.map((v) => v.workspaceId),
        values.map((v) => v.externalId),
        values.map((v) => v.email),
        values.map((v) => v.name),
        values.map((v) => v.role),
        values.map((v) => v.active !== false),
      ],
    );
  } catch (error) {
    if ((error as { constraint?: string }).constraint === 'users_workspace_email') {
      throw new AppError(
        ErrorCode.CONFLICT,
        'Another user of the workspace has this e-mail address: provision that user with a different one first.',
        { detail: (error as { detail?: string }).detail },
      );
    }
    throw error;
  }
}

/** Workspaces by externalId (index workspaces_external_id), locked when `lock` so concurrent batches queue. */
async function workspacesByExternalIds(tx: Sql, ids: string[], lock = false): Promise<Map<string, WorkspaceRow>> {
  const rows = await tx.rows<WorkspaceRow>(
    `SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE external_id = ANY($1::text[])${lock ? ' FOR UPDATE' : ''}`,
    [ids],
  );
  return new Map(rows.map((row) => [row.externalId!, row]));
}

/** The users already there, by "workspaceId externalId" (index users_workspace_external_id), locked. */
async function usersByExternalIds(
  tx: Sql,
  values: { workspaceId: string; externalId: string }[],
): Promise<Map<string, UserRow>> {
  const rows = await tx.rows<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users
      WHERE (workspace_id, external_id) IN (SELECT * FROM unnest($1::uuid[], $2::text[])) FOR UPDATE`,
    [values.map((v) => v.workspaceId), values.map((v) => v.externalId)],
  );
  return new Map(rows.map((row) => [`${row.workspaceId} ${row.externalId}`, row]));
}

/** Refuses an oversized batch, or one naming the same entry twice; an empty one changes nothing. */
function checkBatch(keys: string[], size: number): void {
  if (size > MAX_PROVISION_BATCH) {
    badInput(`At most ${MAX_PROVISION_BATCH} entries per call, got ${size}: split the batch.`, { size });
  }
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) badInput(`The batch names ${key} twice.`, { duplicate: key });
    seen.add(key);
  }
}

function requireText(fields: Record<string, string>): void {
  for (const [field, value] of Object.entries(fields)) {
    if (!value.trim() || value.length > 320) badInput(`${field} must be 1 to 320 characters.`, { field });
  }
}

function badInput(message: string, details: Record<string, unknown>): never {
  throw new AppError(ErrorCode.BAD_USER_INPUT, message, details);
}
