import { jose, JSONWebKeySet } from '../jose';
import { rootFromPath } from './merkle';
import { receiptHash } from './receipt-issuer';
import { RECEIPT_TYP, ReceiptPayload } from './receipt-payload';

/** One thing a verification looked at, and what it found. */
interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

/** An inclusion proof as `deletionInclusionProof` answers it (DESIGN §6). */
export interface InclusionProofJson {
  ref: { type: string; id: string };
  leaf: string;
  path: string[];
  objectsRoot: string;
  receiptId: string;
}

/** What `verifyReceipt` found: every check, and the payload when the signature held. */
export interface Verification {
  checks: Check[];
  payload: ReceiptPayload | undefined;
  ok: boolean;
}

const REQUIRED: (keyof ReceiptPayload)[] = [
  'receiptId',
  'deletionId',
  'workspaceId',
  'activatedAt',
  'completedAt',
  'status',
  'total',
  'byType',
  'filesRemoved',
  'objectsRoot',
  'previousReceiptHash',
  'verified',
];

/**
 * Verifies a receipt offline (docs/receipts.md): its signature against `keys` (a JWKS), its payload's
 * fields, and, when given, the chain link to the workspace's previous receipt and an inclusion proof.
 * Every failure is a check with `ok: false`; nothing throws for a bad receipt.
 */
export async function verifyReceipt(
  jws: string,
  keys: JSONWebKeySet,
  options: { previous?: string; proof?: InclusionProofJson } = {},
): Promise<Verification> {
  const checks: Check[] = [];
  const payload = await signedPayload(jws, keys, checks);
  if (payload) {
    const missing = REQUIRED.filter((field) => !(field in payload));
    checks.push({
      what: 'payload fields',
      ok: missing.length === 0 && typeof payload.filesRemoved === 'number',
      detail: missing.length ? `missing ${missing.join(', ')}` : `${payload.status}, ${payload.total.count} objects`,
    });
    if (options.previous !== undefined) checks.push(await chainCheck(payload, options.previous, keys));
    if (options.proof) checks.push(proofCheck(payload, options.proof));
  }
  return { checks, payload, ok: checks.every((check) => check.ok) };
}

async function signedPayload(jws: string, keys: JSONWebKeySet, checks: Check[]): Promise<ReceiptPayload | undefined> {
  try {
    const { payload, protectedHeader } = await jose.compactVerify(jws.trim(), jose.createLocalJWKSet(keys));
    const typed = protectedHeader.typ === RECEIPT_TYP;
    checks.push({
      what: 'signature',
      ok: typed,
      detail: typed
        ? `valid ${protectedHeader.alg} signature by key ${protectedHeader.kid}`
        : `signature valid but typ is ${String(protectedHeader.typ)}, not ${RECEIPT_TYP}`,
    });
    return typed ? (JSON.parse(Buffer.from(payload).toString('utf8')) as ReceiptPayload) : undefined;
  } catch (error) {
    checks.push({ what: 'signature', ok: false, detail: `not a valid receipt signature: ${(error as Error).message}` });
    return undefined;
  }
}

/** The link to the previous receipt: its own signature holds, same workspace, and its hash is the one named. */
async function chainCheck(payload: ReceiptPayload, previous: string, keys: JSONWebKeySet): Promise<Check> {
  const what = 'chain link';
  const before = await signedPayload(previous, keys, []);
  if (!before) return { what, ok: false, detail: 'the previous receipt does not verify' };
  if (before.workspaceId !== payload.workspaceId)
    return { what, ok: false, detail: 'the previous receipt is of another workspace' };
  const hash = receiptHash(previous.trim());
  const ok = payload.previousReceiptHash === hash;
  return {
    what,
    ok,
    detail: ok
      ? `previousReceiptHash ${hash} is receipt ${before.receiptId}`
      : `previousReceiptHash is ${payload.previousReceiptHash ?? 'null'}, the given previous receipt hashes to ${hash}`,
  };
}

/** The proof's leaf folds up its path to the receipt's signed objectsRoot. */
function proofCheck(payload: ReceiptPayload, proof: InclusionProofJson): Check {
  const what = 'inclusion proof';
  if (proof.receiptId !== payload.receiptId || proof.objectsRoot !== payload.objectsRoot)
    return { what, ok: false, detail: 'the proof names another receipt or root' };
  try {
    const root = rootFromPath(Buffer.from(proof.leaf, 'hex'), proof.path).toString('hex');
    const ok = root === payload.objectsRoot;
    const ref = `${proof.ref.type} ${proof.ref.id}`;
    return {
      what,
      ok,
      detail: ok
        ? `${ref}: leaf folds to objectsRoot in ${proof.path.length} steps`
        : `${ref}: the path folds to ${root}, not objectsRoot`,
    };
  } catch (error) {
    return { what, ok: false, detail: (error as Error).message };
  }
}
