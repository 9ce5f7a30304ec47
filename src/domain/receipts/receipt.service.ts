import { Database, Sql } from '../../database/database';
import { OBJECT_TYPES } from '../../database/object-tables';
import { AppError, ErrorCode } from '../../errors';
import { UserRow } from '../domain-types';
import { requireAdmin } from '../policy';
import { isUuid } from '../uuid';
import { JSONWebKeySet } from '../jose';
import { rootFromPath, SaltedLeaves, StreamingProof } from './merkle';
import { ReceiptKeys } from './receipt-keys';
import { removedBatches } from './removed-batches';

/** A stored receipt as the API shows it. */
export interface ReceiptRow {
  deletionId: string;
  jws: string;
  receiptId: string;
  objectsRoot: string;
  previousReceiptHash: string | null;
  verified: boolean;
  issuedAt: Date;
}

/** The Merkle path proving one removed object was in a receipt's root (DESIGN §6). */
export interface InclusionProofResult {
  ref: { type: string; id: string };
  leaf: string;
  path: string[];
  objectsRoot: string;
  receiptId: string;
}

const RECEIPT_COLUMNS = `deletion_id AS "deletionId", jws, receipt_id AS "receiptId", objects_root AS "objectsRoot",
  previous_receipt_hash AS "previousReceiptHash", verified, issued_at AS "issuedAt"`;

/** Reads receipts, proofs and the public keys; issuing is a lifecycle effect (receiptEffect, in the ending transition). */
export class ReceiptService {
  readonly keys: ReceiptKeys;

  constructor(
    private readonly db: Database,
    keyFile?: string,
  ) {
    this.keys = new ReceiptKeys(keyFile);
  }

  /** Makes the signing key at first start (or registers the key file's), so the JWKS lists it before any receipt. */
  async ensureKey(): Promise<void> {
    await this.db.transaction(async (tx) => void (await this.keys.active(tx)));
  }

  /** The public keys of every receipt ever signed here (GET /.well-known/jwks.json). */
  jwks(): Promise<JSONWebKeySet> {
    return this.keys.jwks(this.db);
  }

  /** Receipts of deletions, in the order of `ids` (null: none yet); callers have checked the deletions' workspace. */
  async byDeletionIds(ids: readonly string[]): Promise<(ReceiptRow | null)[]> {
    const rows = await this.db.rows<ReceiptRow>(
      `SELECT ${RECEIPT_COLUMNS} FROM deletion_receipts WHERE deletion_id = ANY($1::uuid[])`,
      [ids.filter(isUuid)],
    );
    const found = new Map(rows.map((row) => [row.deletionId, row]));
    return ids.map((id) => found.get(id) ?? null);
  }

  /** The receipt of deletion `id` for an admin of its workspace (GET /deletions/:id/receipt); NOT_FOUND otherwise. */
  async download(user: UserRow, id: string): Promise<ReceiptRow> {
    requireAdmin(user, 'download deletion receipts');
    const row = isUuid(id) ? await receiptOf(this.db, id, user.workspaceId) : undefined;
    if (!row) throw new AppError(ErrorCode.NOT_FOUND, `No receipt for deletion ${id} in your workspace.`);
    return row;
  }

  /**
   * The inclusion proof of `ref` in deletion `deletionId`'s receipt, or null when the ref was not
   * removed by it (or it has no receipt yet). Cost: one pass over the deletion's batches to find the
   * ref, then one streaming pass hashing every leaf, five batches a page (a few seconds per million
   * on this machine), holding O(log² n) hashes; nothing but the path leaves the server.
   */
  async inclusionProof(
    user: UserRow,
    deletionId: string,
    ref: { type: string; id: string },
  ): Promise<InclusionProofResult | null> {
    requireAdmin(user, 'prove erasures');
    if (!isUuid(deletionId) || !isUuid(ref.id) || !OBJECT_TYPES.includes(ref.type as never)) return null;
    return this.db.transaction(async (tx) => {
      await tx.rows('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const receipt = await receiptOf(tx, deletionId, user.workspaceId);
      const found = receipt && (await indexOf(tx, deletionId, ref));
      if (!receipt || !found) return null;
      const salt = (await tx.one<{ salt: Buffer }>('SELECT salt FROM receipt_chains WHERE workspace_id = $1', [
        user.workspaceId,
      ]))!.salt;
      const proof = new StreamingProof(found.index, found.count);
      const leaves = new SaltedLeaves(salt);
      for await (const batch of removedBatches(tx, deletionId)) {
        for (const id of batch.ids) proof.push(leaves.leaf(batch.type, id));
      }
      const leaf = leaves.leaf(ref.type, ref.id);
      const path = proof.path();
      if (rootFromPath(leaf, path).toString('hex') !== receipt.objectsRoot) {
        throw new Error(`deletion ${deletionId}: the recorded removals no longer match the receipt's root`);
      }
      return { ref, leaf: leaf.toString('hex'), path, objectsRoot: receipt.objectsRoot, receiptId: receipt.receiptId };
    });
  }
}

function receiptOf(sql: Sql, deletionId: string, workspaceId: string): Promise<ReceiptRow | undefined> {
  return sql.one<ReceiptRow>(
    `SELECT ${RECEIPT_COLUMNS} FROM deletion_receipts WHERE deletion_id = $1 AND workspace_id = $2`,
    [deletionId, workspaceId],
  );
}

/**
 * The position of `ref` among the deletion's leaves and their number: the batch holding it (a scan
 * of the deletion's own batches, by the primary key's deletion_id prefix), then the sizes of the
 * batches before it and of all of them.
 */
async function indexOf(
  sql: Sql,
  deletionId: string,
  ref: { type: string; id: string },
): Promise<{ index: number; count: number } | undefined> {
  return sql.one<{ index: number; count: number }>(
    `WITH hit AS (
       SELECT seq, array_position(ids, $3::uuid) AS position FROM deletion_removed
       WHERE deletion_id = $1 AND object_type = $2 AND $3::uuid = ANY(ids) LIMIT 1)
     SELECT ((SELECT coalesce(sum(cardinality(b.ids)), 0) FROM deletion_removed b
         WHERE b.deletion_id = $1 AND b.seq < hit.seq) + hit.position - 1)::int AS index,
       (SELECT sum(cardinality(c.ids)) FROM deletion_removed c WHERE c.deletion_id = $1)::int AS count
     FROM hit`,
    [deletionId, ref.type, ref.id],
  );
}
