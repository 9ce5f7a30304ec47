import { Services } from '../../src/domain/services';
import { UserRow } from '../../src/domain/domain-types';
import { verifyReceipt } from '../../src/domain/receipts/receipt-verifier';

/**
 * What is wrong with an ended deletion's receipt, given what it removed: exactly one receipt, whose
 * signature verifies against the server's key set, whose counts, bytes and files are exactly the
 * batch's, whose Merkle root has one leaf per removed object, and which proves one of them.
 */
export async function receiptProblems(
  services: Services,
  admin: UserRow,
  deletionId: string,
  removed: { refs: { type: string; id: string }[]; bytes: number; files: number },
): Promise<string[]> {
  const problems: string[] = [];
  const rows = await services.db.rows<{ jws: string }>('SELECT jws FROM deletion_receipts WHERE deletion_id = $1', [
    deletionId,
  ]);
  if (rows.length !== 1) return [`${rows.length} receipts, not 1`];
  const recorded = await services.db.one<{ n: number }>(
    'SELECT coalesce(sum(cardinality(ids)), 0)::int AS n FROM deletion_removed WHERE deletion_id = $1',
    [deletionId],
  );
  if (recorded?.n !== removed.refs.length)
    problems.push(`${recorded?.n} removed refs recorded, not ${removed.refs.length}`);
  const ref = removed.refs[Math.floor(Math.random() * removed.refs.length)];
  const proof = await services.receipts.inclusionProof(admin, deletionId, ref);
  if (!proof) problems.push(`no inclusion proof for ${ref.type} ${ref.id}`);
  const verification = await verifyReceipt(rows[0].jws, await services.receipts.jwks(), { proof: proof ?? undefined });
  problems.push(...verification.checks.filter((check) => !check.ok).map((check) => `${check.what}: ${check.detail}`));
  const payload = verification.payload;
  if (!payload) return problems;
  const expected = {
    total: { count: removed.refs.length, bytes: removed.bytes },
    filesRemoved: removed.files,
    leafCount: removed.refs.length,
    verified: true,
  };
  const actual = {
    total: payload.total,
    filesRemoved: payload.filesRemoved,
    leafCount: payload.leafCount,
    verified: payload.verified,
  };
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    problems.push(`receipt says ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  for (const { type, count } of payload.byType) {
    const n = removed.refs.filter((r) => r.type === type).length;
    if (n !== count) problems.push(`receipt counts ${count} ${type}, ${n} were removed`);
  }
  return problems;
}
