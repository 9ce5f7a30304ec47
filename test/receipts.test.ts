import path from 'node:path';
import { createHash } from 'node:crypto';
import { DeletionInclusionProofDocument, DeletionReceiptDocument } from '../operations/generated';
import { jose } from '../src/domain/jose';
import type { JSONWebKeySet } from '../src/domain/jose';
import { leafData, leafHash, rootFromPath, StreamingMerkle } from '../src/domain/receipts/merkle';
import {
  recordedBatchSet,
  RemovedBatch,
  removedBatches,
  summariseRemoved,
} from '../src/domain/receipts/removed-batches';
import { RemovedFold } from '../src/domain/receipts/removed-fold';
import { LeafHashThread } from '../src/domain/receipts/leaf-hash-thread';
import { ReceiptPayload } from '../src/domain/receipts/receipt-payload';
import { verifyReceipt } from '../src/domain/receipts/receipt-verifier';
import { errorCode, mustRequest, request } from './support/clients';
import { archivedObjects, deleteNow, Ref } from './support/deletion';
import { createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { runCliCommand } from './support/cli-command';
import { startTestServer, TEST_JWT_SECRET, TestServer } from './support/servers';

let server: TestServer;
let base: string;
let ws: TestWorkspace;
let other: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h', DELETION_CHUNK_SIZE: '2' });
  base = server.url.replace(/\/graphql$/, '');
  ws = await createWorkspace(server.database.db, 2, 1);
  other = await createWorkspace(server.database.db, 1, 0);
});
afterAll(() => server.close());

async function receiptOf(admin: TestUser, id: string) {
  return (await mustRequest(server.url, DeletionReceiptDocument, { id }, admin.token)).deletion?.receipt ?? null;
}

async function fetchJwks(): Promise<JSONWebKeySet> {
  const response = await fetch(`${base}/.well-known/jwks.json`);
  expect(response.status).toBe(200);
  return (await response.json()) as JSONWebKeySet;
}

function download(id: string, token?: string): Promise<Response> {
  return fetch(`${base}/deletions/${id}/receipt`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

async function receiptCount(): Promise<number> {
  return (await server.database.db.one<{ n: number }>('SELECT count(*)::int AS n FROM deletion_receipts'))!.n;
}

/** Re-encodes a JWS with one byte of one decoded segment flipped. */
function flipped(jws: string, segment: number, byte: number): string {
  const parts = jws.split('.');
  const bytes = Buffer.from(parts[segment], 'base64url');
  bytes[byte] ^= 0x01;
  parts[segment] = bytes.toString('base64url');
  return parts.join('.');
}

describe('deletion receipts', () => {
  let first: { id: string; jws: string; erased: Ref[]; survivor: Ref };

  beforeAll(async () => {
    const [admin] = ws.admins;
    const contacts = await archivedObjects(server.url, admin, 'CONTACT', 3, { bytes: 300 });
    const deals = await archivedObjects(server.url, admin, 'DEAL', 2);
    const [survivor] = await archivedObjects(server.url, admin, 'CONTACT', 1);
    const id = await deleteNow(server, admin, [...contacts, ...deals]);
    const receipt = await receiptOf(admin, id);
    first = { id, jws: receipt!.jws, erased: [...contacts, ...deals], survivor };
  });

  it('signs a receipt that verifies with jose against the JWKS fetched over HTTP, with the counts of what was removed', async () => {
    const receipt = (await receiptOf(ws.admins[0], first.id))!;
    expect(receipt).toMatchObject({
      verified: true,
      previousReceiptHash: null,
      downloadUrl: `/deletions/${first.id}/receipt`,
    });
    const { payload, protectedHeader } = await jose.compactVerify(
      receipt.jws,
      jose.createLocalJWKSet(await fetchJwks()),
    );
    expect(protectedHeader.alg).toBe('EdDSA');
    const claims = JSON.parse(Buffer.from(payload).toString()) as ReceiptPayload;
    expect(claims).toMatchObject({
      receiptId: receipt.receiptId,
      deletionId: first.id,
      workspaceId: ws.id,
      activatedBy: ws.admins[0].id,
      status: 'COMPLETED',
      total: { count: 5, bytes: 300 },
      byType: [
        { type: 'CONTACT', count: 3, bytes: 300 },
        { type: 'DEAL', count: 2, bytes: 0 },
      ],
      filesRemoved: 1,
      filesPending: 0,
      objectsRoot: receipt.objectsRoot,
      leafCount: 5,
      previousReceiptHash: null,
      verified: true,
    });
    expect(typeof claims.filesRemoved).toBe('number');
    // The executor folded each chunk as it went (two objects a chunk here); rebuilt from the table, the figures are the same.
    const salt = await saltOf(ws.id);
    const rebuilt = await summariseRemoved(server.database.db, first.id, salt);
    expect(rebuilt).toEqual({
      objectsRoot: claims.objectsRoot,
      leafCount: 5,
      byType: claims.byType,
      filesRemoved: 1,
      survivors: 0,
    });
  });

  it('downloads as application/jose for an admin of the workspace only: 401 without a token, 403 for a member, 404 for another workspace', async () => {
    const before = await receiptCount();
    const response = await download(first.id, ws.admins[1].token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/jose');
    expect(await response.text()).toBe(first.jws);
    expect((await download(first.id)).status).toBe(401);
    expect((await download(first.id, ws.members[0].token)).status).toBe(403);
    expect((await download(first.id, other.admins[0].token)).status).toBe(404);
    expect((await download('not-a-uuid', ws.admins[0].token)).status).toBe(404);
    expect(await receiptCount()).toBe(before);
  });

  it('fails verification when any byte of the header, payload or signature is flipped, or when another key signed it', async () => {
    const keys = jose.createLocalJWKSet(await fetchJwks());
    const parts = first.jws.split('.');
    for (let segment = 0; segment < 3; segment += 1) {
      const length = Buffer.from(parts[segment], 'base64url').length;
      for (let byte = 0; byte < length; byte += 1) {
        await expect(jose.compactVerify(flipped(first.jws, segment, byte), keys)).rejects.toThrow();
      }
    }
    const header = jose.decodeProtectedHeader(first.jws);
    const { privateKey } = await jose.generateKeyPair('EdDSA');
    const forged = await new jose.CompactSign(Buffer.from(parts[1], 'base64url'))
      .setProtectedHeader({ ...header, alg: 'EdDSA' })
      .sign(privateKey);
    await expect(jose.compactVerify(forged, keys)).rejects.toThrow();
    expect((await verifyReceipt(forged, await fetchJwks())).ok).toBe(false);
  });

  it('proves an erased object with a path that folds to the signed root, and answers null for a survivor', async () => {
    const [admin] = ws.admins;
    for (const ref of first.erased) {
      const { deletionInclusionProof: proof } = await mustRequest(
        server.url,
        DeletionInclusionProofDocument,
        { deletionId: first.id, ref },
        admin.token,
      );
      expect(proof).toMatchObject({ ref, objectsRoot: (await receiptOf(admin, first.id))!.objectsRoot });
      expect(proof!.path.every((step) => /^[LR]:[0-9a-f]{64}$/.test(step))).toBe(true);
      expect(rootFromPath(Buffer.from(proof!.leaf, 'hex'), proof!.path).toString('hex')).toBe(proof!.objectsRoot);
      expect((await verifyReceipt(first.jws, await fetchJwks(), { proof: proof! })).ok).toBe(true);
    }
    const survivor = await mustRequest(
      server.url,
      DeletionInclusionProofDocument,
      { deletionId: first.id, ref: first.survivor },
      admin.token,
    );
    expect(survivor.deletionInclusionProof).toBeNull();
  });

  it('keeps receipts from members and other workspaces: FORBIDDEN for members, null for another workspace', async () => {
    const before = await receiptCount();
    const ref = first.erased[0];
    const asMember = await request(
      server.url,
      DeletionInclusionProofDocument,
      { deletionId: first.id, ref },
      ws.members[0].token,
    );
    expect(errorCode(asMember)).toBe('FORBIDDEN');
    expect(errorCode(await request(server.url, DeletionReceiptDocument, { id: first.id }, ws.members[0].token))).toBe(
      'FORBIDDEN',
    );
    const foreign = await mustRequest(
      server.url,
      DeletionInclusionProofDocument,
      { deletionId: first.id, ref },
      other.admins[0].token,
    );
    expect(foreign.deletionInclusionProof).toBeNull();
    expect(
      (await mustRequest(server.url, DeletionReceiptDocument, { id: first.id }, other.admins[0].token)).deletion,
    ).toBeNull();
    expect(await receiptCount()).toBe(before);
  });

  it('contains no titles, names, e-mail addresses or file names of the test data', async () => {
    const text = Buffer.from(first.jws.split('.')[1], 'base64url').toString();
    const titles = await server.database.db.rows<{ title: string }>(
      `SELECT DISTINCT title FROM contacts WHERE workspace_id = $1 UNION SELECT 'CONTACT 0' UNION SELECT 'DEAL 1'`,
      [ws.id],
    );
    const users = await server.database.db.rows<{ name: string; email: string }>(
      'SELECT name, email FROM users WHERE workspace_id = $1',
      [ws.id],
    );
    for (const secret of [...titles.map((t) => t.title), ...users.flatMap((u) => [u.name, u.email]), 'file.bin']) {
      expect(text).not.toContain(secret);
    }
  });

  it('chains the workspace’s receipts: the next names the hash of the previous, and a dropped receipt breaks the chain', async () => {
    const [admin] = ws.admins;
    const second = await deleteNow(
      server,
      admin,
      await archivedObjects(server.url, admin, 'TASK', 2, { status: 'REMOVED' }),
    );
    const secondJws = (await receiptOf(admin, second))!.jws;
    // Another workspace's first receipt starts its own chain.
    const foreign = await deleteNow(
      server,
      other.admins[0],
      await archivedObjects(server.url, other.admins[0], 'CALL', 1),
    );
    expect((await receiptOf(other.admins[0], foreign))!.previousReceiptHash).toBeNull();
    const third = await deleteNow(server, admin, await archivedObjects(server.url, admin, 'EMAIL', 1));
    const thirdJws = (await receiptOf(admin, third))!.jws;

    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect((await receiptOf(admin, second))!.previousReceiptHash).toBe(sha(first.jws));
    expect((await receiptOf(admin, third))!.previousReceiptHash).toBe(sha(secondJws));
    const keys = await fetchJwks();
    expect((await verifyReceipt(secondJws, keys, { previous: first.jws })).ok).toBe(true);
    expect((await verifyReceipt(thirdJws, keys, { previous: secondJws })).ok).toBe(true);
    // The second dropped: the third does not follow the first.
    const dropped = await verifyReceipt(thirdJws, keys, { previous: first.jws });
    expect(dropped.ok).toBe(false);
    expect(dropped.checks.find((check) => check.what === 'chain link')?.ok).toBe(false);
  });

  it('rotates the signing key with `npm run rotate-receipt-key`: new receipts carry the new kid, old ones still verify', async () => {
    const [admin] = ws.admins;
    const oldKid = jose.decodeProtectedHeader(first.jws).kid;
    const rotation = await runCliCommand('rotate-receipt-key', {
      DATABASE_URL: server.database.url,
      DATA_DIR: server.dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
    });
    expect(rotation).toMatchObject({ code: 0, stderr: '' });
    const newKid = /^new receipt signing key: (\S+)$/m.exec(rotation.stdout)?.[1];
    expect(rotation.stdout).toContain('the receipts they signed still verify');
    const active = await server.database.db.rows<{ kid: string }>(
      'SELECT kid FROM receipt_keys WHERE retired_at IS NULL AND private_key_pem IS NOT NULL',
    );
    expect(active).toEqual([{ kid: newKid }]);
    expect(newKid).not.toBe(oldKid);
    const id = await deleteNow(server, admin, await archivedObjects(server.url, admin, 'ACTIVITY', 1));
    const jws = (await receiptOf(admin, id))!.jws;
    expect(jose.decodeProtectedHeader(jws).kid).toBe(newKid);
    const keys = await fetchJwks();
    expect(keys.keys.map((key) => key.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect((await verifyReceipt(first.jws, keys)).ok).toBe(true);
    expect((await verifyReceipt(jws, keys)).ok).toBe(true);
  });

  it('streams a deletion’s removed batches in removal order across pages, also when their numbers grow a digit', async () => {
    const deletionId = '00000000-0000-4000-8000-0000000000aa';
    await insertBatches(deletionId, 12, 1_000_000 - 3);
    try {
      const seen: number[] = [];
      for await (const batch of removedBatches(server.database.db, deletionId, 5)) seen.push(batch.bytes);
      expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      // The root is RFC 6962's over every id, batch after batch, in each batch's order.
      const salt = Buffer.alloc(32, 7);
      const tree = new StreamingMerkle();
      for await (const batch of removedBatches(server.database.db, deletionId))
        for (const id of batch.ids) tree.push(leafHash(leafData(salt, batch.type, id)));
      const summary = await summariseRemoved(server.database.db, deletionId, salt);
      expect(summary).toMatchObject({ objectsRoot: tree.root().toString('hex'), leafCount: 24, filesRemoved: 12 });
    } finally {
      await server.database.db.rows('DELETE FROM deletion_removed WHERE deletion_id = $1', [deletionId]);
    }
  });

  it('hashes on the compiled worker thread exactly as in this thread, and a fold whose thread died is dropped', async () => {
    const deletionId = '00000000-0000-4000-8000-0000000000ac';
    await insertBatches(deletionId, 4, 1);
    // The thread runs the built worker (npm test builds first), as a built server does.
    const hashing = new LeafHashThread(path.resolve(__dirname, '../dist/src/domain/receipts/leaf-hash-worker.js'));
    try {
      const db = server.database.db;
      const batches: RemovedBatch[] = [];
      for await (const batch of removedBatches(db, deletionId)) batches.push(batch);
      const recorded = await recordedBatchSet(db, deletionId);
      const fold = new RemovedFold(db, hashing);
      for (const batch of batches) await fold.add(deletionId, ws.id, [batch]);
      expect(await fold.take(deletionId, recorded)).toEqual(
        await summariseRemoved(db, deletionId, await saltOf(ws.id)),
      );
      // The thread gone mid-way: the fold is not used (the issuer then rebuilds from the table).
      await fold.add(deletionId, ws.id, batches.slice(0, 1));
      await hashing.close();
      await fold.add(deletionId, ws.id, batches.slice(1));
      expect(await fold.take(deletionId, recorded)).toBeUndefined();
    } finally {
      await hashing.close();
      await server.database.db.rows('DELETE FROM deletion_removed WHERE deletion_id = $1', [deletionId]);
    }
  });

  it('uses a fold only when it saw exactly the recorded batches; otherwise the issuer rebuilds from the table', async () => {
    const deletionId = '00000000-0000-4000-8000-0000000000ab';
    await insertBatches(deletionId, 3, 1);
    try {
      const db = server.database.db;
      const batches: RemovedBatch[] = [];
      for await (const batch of removedBatches(db, deletionId)) batches.push(batch);
      const recorded = await recordedBatchSet(db, deletionId);
      const fold = new RemovedFold(db);
      // Saw the first two chunks only (as after a takeover): not used.
      await fold.add(deletionId, ws.id, batches.slice(0, 2));
      expect(await fold.take(deletionId, recorded)).toBeUndefined();
      // Saw all three, one chunk at a time: the same figures as the rebuild.
      for (const batch of batches) await fold.add(deletionId, ws.id, [batch]);
      const folded = await fold.take(deletionId, recorded);
      expect(folded).toEqual(await summariseRemoved(db, deletionId, await saltOf(ws.id)));
      // Taken once: a second take has nothing.
      expect(await fold.take(deletionId, recorded)).toBeUndefined();
    } finally {
      await server.database.db.rows('DELETE FROM deletion_removed WHERE deletion_id = $1', [deletionId]);
    }
  });
});

/** Records `n` batches of two made-up CONTACT ids for `deletionId` from seq `firstSeq` on; batch g has g bytes and one file. */
async function insertBatches(deletionId: string, n: number, firstSeq: number): Promise<void> {
  await server.database.db.rows(
    `INSERT INTO deletion_removed (deletion_id, seq, object_type, ids, bytes, files) OVERRIDING SYSTEM VALUE
     SELECT $1, $2 - 1 + g, 'CONTACT', ARRAY[gen_random_uuid(), gen_random_uuid()], g, 1 FROM generate_series(1, $3) g`,
    [deletionId, firstSeq, n],
  );
}

/** The workspace's receipt salt. */
async function saltOf(workspaceId: string): Promise<Buffer> {
  const row = await server.database.db.one<{ salt: Buffer }>(
    'SELECT salt FROM receipt_chains WHERE workspace_id = $1',
    [workspaceId],
  );
  return row!.salt;
}
