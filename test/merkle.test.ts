import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  EMPTY_ROOT,
  leafData,
  leafHash,
  nodeHash,
  rootFromPath,
  SaltedLeaves,
  splitPoint,
  StreamingMerkle,
  StreamingProof,
} from '../src/domain/receipts/merkle';
import { hmacStates, sha256, sha256From } from '../src/domain/receipts/sha256';

/** RFC 6962 §2.1 MTH written as the RFC states it, recursively: the reference the streaming builder must match. */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0];
  const k = splitPoint(leaves.length);
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** RFC 6962 §2.1.1 PATH(m, D[n]), recursively, as `L:`/`R:` steps from the leaf up. */
function referencePath(m: number, leaves: Buffer[]): string[] {
  if (leaves.length <= 1) return [];
  const k = splitPoint(leaves.length);
  if (m < k) return [...referencePath(m, leaves.slice(0, k)), `R:${referenceRoot(leaves.slice(k)).toString('hex')}`];
  return [...referencePath(m - k, leaves.slice(k)), `L:${referenceRoot(leaves.slice(0, k)).toString('hex')}`];
}

function leavesOf(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
}

function streamedRoot(leaves: Buffer[]): Buffer {
  const tree = new StreamingMerkle();
  for (const leaf of leaves) tree.push(leaf);
  return tree.root();
}

describe('Merkle tree (RFC 6962)', () => {
  // The inputs and roots of the certificate-transparency reference tests (RFC 6962 hashing).
  const inputs = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
  const roots = [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];

  it('gives the reference roots for the known test vectors, and SHA-256("") for no leaves', () => {
    const leaves = inputs.map((hex) => leafHash(Buffer.from(hex, 'hex')));
    roots.forEach((root, i) => expect(streamedRoot(leaves.slice(0, i + 1)).toString('hex')).toBe(root));
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(new StreamingMerkle().root()).toEqual(EMPTY_ROOT);
  });

  it('streams the same root as the recursive definition for every size from 1 to 70', () => {
    for (let n = 1; n <= 70; n += 1) {
      const leaves = leavesOf(n);
      expect(streamedRoot(leaves).toString('hex')).toBe(referenceRoot(leaves).toString('hex'));
    }
  });

  it('streams the reference audit path for every leaf of every size from 1 to 40, and the path folds to the root', () => {
    for (let n = 1; n <= 40; n += 1) {
      const leaves = leavesOf(n);
      const root = referenceRoot(leaves);
      for (let m = 0; m < n; m += 1) {
        const proof = new StreamingProof(m, n);
        for (const leaf of leaves) proof.push(leaf);
        expect(proof.path()).toEqual(referencePath(m, leaves));
        expect(rootFromPath(leaves[m], proof.path())).toEqual(root);
      }
    }
  });

  it('rejects a proof for another leaf, a flipped step or a malformed step', () => {
    const leaves = leavesOf(13);
    const root = referenceRoot(leaves);
    const proof = new StreamingProof(5, 13);
    for (const leaf of leaves) proof.push(leaf);
    const path = proof.path();
    expect(rootFromPath(leaves[6], path)).not.toEqual(root);
    const flipped = path.map((step, i) => (i === 1 ? `${step[0] === 'L' ? 'R' : 'L'}${step.slice(1)}` : step));
    expect(rootFromPath(leaves[5], flipped)).not.toEqual(root);
    expect(() => rootFromPath(leaves[5], ['X:00'])).toThrow('Malformed');
  });

  it('salts leaves: the same ref under two salts gives unrelated leaf data, the same salt the same data', () => {
    const id = '6f1c2a5e-0000-4000-8000-000000000001';
    const a = leafData(Buffer.alloc(32, 1), 'CONTACT', id);
    expect(leafData(Buffer.alloc(32, 1), 'CONTACT', id)).toEqual(a);
    expect(leafData(Buffer.alloc(32, 2), 'CONTACT', id)).not.toEqual(a);
    expect(leafData(Buffer.alloc(32, 1), 'DEAL', id)).not.toEqual(a);
  });

  it('hashes as node:crypto does: SHA-256 of every length up to 119 bytes, HMAC under short and long keys, leaves and nodes', () => {
    const out = Buffer.alloc(32);
    for (let length = 0; length <= 119; length++) {
      const message = randomBytes(length);
      sha256(message, length, out);
      expect(out.toString('hex')).toBe(createHash('sha256').update(message).digest('hex'));
    }
    for (const keyLength of [0, 16, 32, 64, 65, 100]) {
      const key = randomBytes(keyLength);
      const message = randomBytes(45);
      sha256From(hmacStates(key).inner, 1, message, 45, out);
      const inner = Buffer.from(out);
      sha256From(hmacStates(key).outer, 1, inner, 32, out);
      expect(out.toString('hex')).toBe(createHmac('sha256', key).update(message).digest('hex'));
    }
    const salt = randomBytes(32);
    const leaves = new SaltedLeaves(salt);
    for (const type of ['CONTACT', 'ACTIVITY', 'OBJECT', 'DEAL', 'TASK', 'EMAIL', 'CALL', 'Ünïcode', 'X'.repeat(200)]) {
      const id = randomUUID();
      const data = createHmac('sha256', salt).update(`${type}:${id}`).digest();
      expect(leaves.data(type, id)).toEqual(data);
      expect(leaves.leaf(type, id)).toEqual(
        createHash('sha256')
          .update(Buffer.from([0]))
          .update(data)
          .digest(),
      );
    }
    const [left, right] = [randomBytes(32), randomBytes(32)];
    expect(nodeHash(left, right)).toEqual(
      createHash('sha256')
        .update(Buffer.from([1]))
        .update(left)
        .update(right)
        .digest(),
    );
    expect(() => nodeHash(left, randomBytes(31))).toThrow('32-byte');
  });
});
