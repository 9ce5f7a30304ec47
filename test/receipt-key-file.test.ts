import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeletionReceiptDocument } from '../operations/generated';
import { ConfigError, loadConfig } from '../src/config';
import { jose } from '../src/domain/jose';
import type { JSONWebKeySet, JWK } from '../src/domain/jose';
import { ReceiptPayload } from '../src/domain/receipts/receipt-payload';
import { runCliCommand } from './support/cli-command';
import { mustRequest } from './support/clients';
import { archivedObjects, deleteNow } from './support/deletion';
import { createWorkspace, TestUser } from './support/fixtures';
import { startTestServer, TEST_JWT_SECRET, TestServer } from './support/servers';

const folder = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-receipt-key-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A new key pair's private half written as PKCS#8 PEM to `name`; the kid is its public JWK's RFC 7638 thumbprint. */
async function keyFile(name: string, pair: { privateKey: KeyObject; publicKey: KeyObject }) {
  const file = path.join(folder, name);
  writeFileSync(file, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { file, kid: await jose.calculateJwkThumbprint(pair.publicKey.export({ format: 'jwk' }) as JWK) };
}

async function fetchJwks(server: TestServer): Promise<JSONWebKeySet> {
  const response = await fetch(new URL('/.well-known/jwks.json', server.url));
  expect(response.status).toBe(200);
  return (await response.json()) as JSONWebKeySet;
}

/** Deletes two new archived contacts to the end; the receipt's JWS. */
async function deleteAndReceipt(server: TestServer, admin: TestUser): Promise<string> {
  const id = await deleteNow(server, admin, await archivedObjects(server.url, admin, 'CONTACT', 2));
  return (await mustRequest(server.url, DeletionReceiptDocument, { id }, admin.token)).deletion!.receipt!.jws;
}

/** The problems loadConfig reports for RECEIPT_KEY_FILE=`file`. */
function keyFileProblems(file: string): string[] {
  try {
    loadConfig({ DATA_DIR: folder, RECEIPT_KEY_FILE: file });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

it('signs with RECEIPT_KEY_FILE’s key, lists only its public half, takes a replaced file at the next receipt, and refuses rotate-receipt-key', async () => {
  const live = path.join(folder, 'receipt-key.pem');
  const ed25519 = await keyFile('ed25519.pem', generateKeyPairSync('ed25519'));
  renameSync(ed25519.file, live);
  const server = await startTestServer({ SCHEDULER_INTERVAL: '1h', RECEIPT_KEY_FILE: live });
  const [admin] = (await createWorkspace(server.database.db, 1, 0)).admins;

  // The JWKS lists the file's key before any receipt (no stored key is made), with no private member.
  const before = await fetchJwks(server);
  expect(before.keys).toEqual([expect.objectContaining({ kid: ed25519.kid, alg: 'EdDSA', kty: 'OKP', use: 'sig' })]);
  expect(before.keys[0]).not.toHaveProperty('d');
  const firstJws = await deleteAndReceipt(server, admin);
  const first = await jose.compactVerify(firstJws, jose.createLocalJWKSet(await fetchJwks(server)));
  expect(first.protectedHeader).toMatchObject({ alg: 'EdDSA', kid: ed25519.kid, typ: 'deletion-receipt+jws' });
  expect(JSON.parse(Buffer.from(first.payload).toString()) as ReceiptPayload).toMatchObject({
    status: 'COMPLETED',
    total: { count: 2, bytes: 0 },
    verified: true,
  });

  // Rotation by file (docs/receipts.md): a P-256 key renamed over the old file signs the next receipt, as ES256.
  const p256 = await keyFile('p256.pem', generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  renameSync(p256.file, live);
  const secondJws = await deleteAndReceipt(server, admin);
  const keys = await fetchJwks(server);
  expect(keys.keys.map((key) => key.kid).sort()).toEqual([ed25519.kid, p256.kid].sort());
  const second = await jose.compactVerify(secondJws, jose.createLocalJWKSet(keys));
  expect(second.protectedHeader).toMatchObject({ alg: 'ES256', kid: p256.kid });
  await expect(jose.compactVerify(firstJws, jose.createLocalJWKSet(keys))).resolves.toBeDefined();

  // The command refuses: a new stored key would sign nothing while the file's key signs. Nothing changes.
  const rotation = await runCliCommand('rotate-receipt-key', {
    DATABASE_URL: server.database.url,
    DATA_DIR: server.dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    RECEIPT_KEY_FILE: live,
  });
  expect(rotation).toMatchObject({ code: 1, stdout: '' });
  expect(rotation.stderr).toMatch(
    /^rotate-receipt-key: RECEIPT_KEY_FILE is set: .* replace that file with a new PKCS#8 key/,
  );
  expect(await fetchJwks(server)).toEqual(keys);
});

it('refuses to start on a key file that is missing, not PKCS#8 PEM, or holds a key other than Ed25519 or P-256', async () => {
  const write = (name: string, text: string | Buffer) => {
    writeFileSync(path.join(folder, name), text);
    return path.join(folder, name);
  };
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const cases: [string, string][] = [
    [path.join(folder, 'missing.pem'), 'does not exist'],
    [write('text.pem', 'not a key\n'), 'is not a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)'],
    [
      write('sec1.pem', p256.export({ type: 'sec1', format: 'pem' })),
      'is not a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)',
    ],
    [
      write('garbled.pem', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
      'holds no readable PKCS#8 private key',
    ],
    [write('rsa.pem', rsa.export({ type: 'pkcs8', format: 'pem' })), 'holds an rsa key, not Ed25519 or P-256'],
    [
      write('p384.pem', p384.export({ type: 'pkcs8', format: 'pem' })),
      'holds an ec secp384r1 key, not Ed25519 or P-256',
    ],
  ];
  for (const [file, problem] of cases) {
    expect(keyFileProblems(file)).toEqual([
      `RECEIPT_KEY_FILE ${file} ${problem}: give a PKCS#8 PEM private key file, Ed25519 or P-256`,
    ]);
  }
  expect(keyFileProblems(write('good.pem', p256.export({ type: 'pkcs8', format: 'pem' })))).toEqual([]);
});
