import { Sql } from '../../database/database';

/** One recorded provisioning change, as a workspace's admins read it. */
export interface ProvisioningChangeRow {
  id: string;
  /** The provisioning token's client id: who made the change. */
  clientId: string;
  /** `workspace.created`, `workspace.updated`, `user.created` or `user.updated`. */
  kind: string;
  /** The externalId of the workspace or user changed. */
  subjectExternalId: string;
  /** Created: the values set; updated: `{ field: { from, to } }` for each field that changed. */
  changes: Record<string, unknown>;
  changedAt: Date;
}

/** A change about to be recorded. */
export interface ProvisioningChange {
  workspaceId: string;
  kind: string;
  subjectExternalId: string;
  changes: Record<string, unknown>;
}

type Fields = Record<string, string | boolean>;

/**
 * What an upsert changed: a creation with every value, an update with the fields that differ, or
 * nothing when the entry was already so (a repeated batch records nothing).
 */
export function changesOf(
  entity: 'workspace' | 'user',
  workspaceId: string,
  subjectExternalId: string,
  before: Fields | undefined,
  after: Fields,
): ProvisioningChange[] {
  if (!before) return [{ workspaceId, kind: `${entity}.created`, subjectExternalId, changes: after }];
  const changed = Object.keys(after).filter((field) => before[field] !== after[field]);
  if (changed.length === 0) return [];
  const changes = Object.fromEntries(changed.map((field) => [field, { from: before[field], to: after[field] }]));
  return [{ workspaceId, kind: `${entity}.updated`, subjectExternalId, changes }];
}

/** Writes the changes in the provisioning transaction: one statement for the whole batch. */
export async function recordChanges(tx: Sql, clientId: string, changes: ProvisioningChange[]): Promise<void> {
  if (changes.length === 0) return;
  await tx.rows(
    `INSERT INTO provisioning_changes (workspace_id, client_id, kind, subject_external_id, changes)
     SELECT w, $1, k, s, c FROM unnest($2::uuid[], $3::text[], $4::text[], $5::jsonb[]) AS t(w, k, s, c)`,
    [
      clientId,
      changes.map((change) => change.workspaceId),
      changes.map((change) => change.kind),
      changes.map((change) => change.subjectExternalId),
      changes.map((change) => JSON.stringify(change.changes)),
    ],
  );
}
