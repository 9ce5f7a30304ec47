/** What a receipt's JWS payload holds (docs/receipts.md): ids, counts, bytes and hashes, no personal data. */
export interface ReceiptPayload {
  /** The format, so verifiers can tell future versions apart. */
  version: 1;
  receiptId: string;
  deletionId: string;
  workspaceId: string;
  /** The id of the admin who activated the deletion (no name, no e-mail). */
  activatedBy: string;
  activatedAt: string;
  startedAt: string | null;
  completedAt: string;
  status: 'COMPLETED' | 'FAILED';
  method: {
    database: string;
    fileStore: string;
    /** Whether every queued file removal (tombstone) of the deletion was carried out. */
    tombstonesDrained: boolean;
  };
  total: { count: number; bytes: number };
  byType: { type: string; count: number; bytes: number }[];
  filesRemoved: number;
  /** Files whose removal the store has not confirmed yet (their tombstones remain). */
  filesPending: number;
  /** RFC 6962 Merkle root (hex) over the removed objects' salted leaves, in removal order. */
  objectsRoot: string;
  leafCount: number;
  leafHash: string;
  previousReceiptHash: string | null;
  verified: boolean;
  issuedAt: string;
}

/** How the leaves are made, stated in every receipt so a verifier needs nothing else. */
export const LEAF_HASH_DESCRIPTION =
  'RFC 6962 SHA-256; leaf data = HMAC-SHA-256(workspace salt, "TYPE:id"), leaf = SHA-256(0x00 || data), ' +
  'node = SHA-256(0x01 || left || right)';

/** The JWS `typ` header of receipts. */
export const RECEIPT_TYP = 'deletion-receipt+jws';
