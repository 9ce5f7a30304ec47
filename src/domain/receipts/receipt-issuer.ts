import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Sql } from '../../database/database';
import { DeletionEventType } from '../deletion/deletion-events';
import { effectOn, InternalEventType, TransitionEffect } from '../deletion/lifecycle/lifecycle-event';
import { FileStore } from '../files/file-store';
import { S3FileStore } from '../files/s3-file-store';
import { jose } from '../jose';
import { ReceiptKeys } from './receipt-keys';
import { LEAF_HASH_DESCRIPTION, RECEIPT_TYP, ReceiptPayload } from './receipt-payload';
import { recordedBatchSet, RemovedSummary, summariseRemoved } from './removed-batches';
import { RemovedFold } from './removed-fold';

/** The ended deletion as the receipt reads it, in the transaction that ended it. */
interface EndedDeletion {
  workspaceId: string;
  status: ReceiptPayload['status'];
  activatedAt: Date;
  activatedBy: string;
  startedAt: Date | null;
  filesPending: number;
}

/** The hex SHA-256 of a receipt's compact JWS: what the workspace's next receipt names as previousReceiptHash. */
export function receiptHash(jws: string): string {
  return createHash('sha256').update(jws, 'ascii').digest('hex');
}

/**
 * Issues the signed receipt of a deletion that has just become COMPLETED or FAILED, inside the
 * transaction that made it so: the receipt commits with the transition or not at all, and the
 * primary key on `deletion_receipts` makes a second one impossible. It states what the executor
 * recorded as removed (deletion_removed, committed with each chunk), so after any crash its counts
 * are exactly what was removed. The workspace's chain row is locked first, so two deletions of
 * one workspace ending at once get one after the other in the chain, never the same predecessor.
 */
export class ReceiptIssuer {
  constructor(
    private readonly keys: ReceiptKeys,
    /** Where the deletion's files were removed from, as the receipt names it. */
    private readonly fileStore: string,
    /** The executor's fold of the removed batches, when this process ran the chunks (removed-fold.ts). */
    private readonly fold?: RemovedFold,
  ) {}

  /** Issues the receipt of `deletionId` at `at`; a no-op when it already has one. */
  async issue(tx: Sql, deletionId: string, at: Date): Promise<void> {
    const deletion = await endedDeletion(tx, deletionId);
    if (!deletion) return;
    const chain = await lockChain(tx, deletion.workspaceId);
    if (await tx.one('SELECT 1 FROM deletion_receipts WHERE deletion_id = $1', [deletionId])) return;
    const folded = await this.fold?.take(deletionId, await recordedBatchSet(tx, deletionId));
    const removed = folded ?? (await summariseRemoved(tx, deletionId, chain.salt));
    const payload = this.payload(deletionId, deletion, removed, chain.lastReceiptHash, at);
    const key = await this.keys.active(tx);
    const jws = await new jose.CompactSign(Buffer.from(JSON.stringify(payload)))
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: RECEIPT_TYP })
      .sign(key.privateKey);
    await tx.rows(
      `INSERT INTO deletion_receipts (deletion_id, workspace_id, receipt_id, kid, jws, objects_root, leaf_count,
         previous_receipt_hash, verified, issued_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        deletionId,
        deletion.workspaceId,
        payload.receiptId,
        key.kid,
        jws,
        payload.objectsRoot,
        payload.leafCount,
        payload.previousReceiptHash,
        payload.verified,
        at,
      ],
    );
    await tx.rows('UPDATE receipt_chains SET last_receipt_hash = $2 WHERE workspace_id = $1', [
      deletion.workspaceId,
      receiptHash(jws),
    ]);
  }

  private payload(
    deletionId: string,
    deletion: EndedDeletion,
    removed: RemovedSummary,
    previousReceiptHash: string | null,
    at: Date,
  ): ReceiptPayload {
    const total = removed.byType.reduce((sum, t) => ({ count: sum.count + t.count, bytes: sum.bytes + t.bytes }), {
      count: 0,
      bytes: 0,
    });
    return {
      version: 1,
      receiptId: randomUUID(),
      deletionId,
      workspaceId: deletion.workspaceId,
      activatedBy: deletion.activatedBy,
      activatedAt: deletion.activatedAt.toISOString(),
      startedAt: deletion.startedAt?.toISOString() ?? null,
      completedAt: at.toISOString(),
      status: deletion.status,
      method: {
        database: 'PostgreSQL: object rows and attachment rows deleted',
        fileStore: this.fileStore,
        tombstonesDrained: deletion.filesPending === 0,
      },
      total,
      byType: removed.byType,
      filesRemoved: removed.filesRemoved,
      filesPending: deletion.filesPending,
      objectsRoot: removed.objectsRoot,
      leafCount: removed.leafCount,
      leafHash: LEAF_HASH_DESCRIPTION,
      previousReceiptHash,
      // Erasure holds when no removed object or attachment row remains and every file removal was done.
      verified: removed.survivors === 0 && deletion.filesPending === 0,
      issuedAt: at.toISOString(),
    };
  }
}

async function endedDeletion(tx: Sql, deletionId: string): Promise<EndedDeletion | undefined> {
  return tx.one<EndedDeletion>(
    `SELECT workspace_id AS "workspaceId", status, activated_at AS "activatedAt", activated_by AS "activatedBy",
       started_at AS "startedAt",
       (SELECT count(*) FROM file_tombstones t WHERE t.deletion_id = d.id)::int AS "filesPending"
     FROM deletions d WHERE id = $1 AND status IN ('COMPLETED', 'FAILED')`,
    [deletionId],
  );
}

/** The workspace's chain row (made with a fresh secret salt on first use), locked until the transaction ends. */
async function lockChain(tx: Sql, workspaceId: string): Promise<{ salt: Buffer; lastReceiptHash: string | null }> {
  await ensureChain(tx, workspaceId);
  const row = await tx.one<{ salt: Buffer; lastReceiptHash: string | null }>(
    `SELECT salt, last_receipt_hash AS "lastReceiptHash" FROM receipt_chains WHERE workspace_id = $1 FOR UPDATE`,
    [workspaceId],
  );
  return row!;
}

/** How a receipt names a file store: the kind only (a bucket or folder name could say more than needed). */
function fileStoreName(files: FileStore): string {
  return files instanceof S3FileStore ? 'S3-compatible object storage' : 'local file folder';
}

/** The app's issuer: keys in the database (or the key file), the store named by its kind, the executor's fold. */
export function defaultReceiptIssuer(files: FileStore, keyFile?: string, fold?: RemovedFold): ReceiptIssuer {
  return new ReceiptIssuer(new ReceiptKeys(keyFile), fileStoreName(files), fold);
}

/**
 * The lifecycle effect (docs/deletion-lifecycle.md) that issues a deletion's receipt in the
 * transaction of its COMPLETED or FAILED transition; a throw rolls the transition back, so a
 * deletion never ends without its receipt.
 */
export function receiptEffect(issuer: ReceiptIssuer): TransitionEffect {
  const { CLAIMED } = InternalEventType;
  const { COMPLETED, FAILED } = DeletionEventType;
  return effectOn([CLAIMED, COMPLETED, FAILED], async (tx, event) => {
    // The salt exists before the first chunk, so the executor's fold can hash each chunk's leaves.
    if (event.type === CLAIMED) return ensureChain(tx, event.workspaceId);
    if (event.deletionId) await issuer.issue(tx, event.deletionId, event.occurredAt);
  });
}

/** Makes the workspace's chain row, with a fresh 32-byte secret salt, unless it exists. */
async function ensureChain(tx: Sql, workspaceId: string): Promise<void> {
  await tx.rows('INSERT INTO receipt_chains (workspace_id, salt) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    workspaceId,
    randomBytes(32),
  ]);
}
