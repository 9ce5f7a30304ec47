import { createPrivateKey, KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Sql } from '../../database/database';
import { CryptoKey, jose, JWK, JSONWebKeySet } from '../jose';

/** The algorithm of keys the server makes itself: Ed25519 signatures (RFC 8037), small and fast. */
const RECEIPT_ALG = 'EdDSA';

/** Why a server with RECEIPT_KEY_FILE rotates no stored key, and how its operator rotates instead (docs/receipts.md). */
const KEY_FILE_ROTATION =
  'RECEIPT_KEY_FILE is set: its key signs the receipts, so there is no stored key to rotate. To rotate, ' +
  'replace that file with a new PKCS#8 key (write it beside the old one, then rename it over); each receipt ' +
  'reads the file when it is signed, and the old key stays in the JWKS, so old receipts still verify.';

/** A key that signs receipts: its id (the RFC 7638 thumbprint of its public JWK), algorithm and private half. */
export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
}

interface KeyRow {
  kid: string;
  alg: string;
  publicJwk: JWK;
  privateKeyPem: string | null;
}

/**
 * The server's receipt signing keys. Without a key file, the active key lives in `receipt_keys`: made
 * on first use by whichever instance gets there first (the partial unique index lets exactly one
 * insert win), and read back on every issuance, so every instance signs with the same key and
 * nothing is kept in one process's memory. With `keyFile` (RECEIPT_KEY_FILE, a PKCS#8 PEM) that key
 * signs, and its public half is listed beside the stored ones. Rotation retires the active key and
 * makes a new one; retired keys stay in the JWKS so every receipt ever issued still verifies.
 */
export class ReceiptKeys {
  constructor(private readonly keyFile?: string) {}

  /** The key that signs now, made (or registered, for a key file) if there is none yet. */
  async active(sql: Sql): Promise<SigningKey> {
    if (this.keyFile) return this.fromFile(sql, this.keyFile);
    let row = await this.stored(sql);
    if (!row) {
      await insertKey(sql, await generateKey());
      row = await this.stored(sql);
    }
    if (!row?.privateKeyPem) throw new Error('No active receipt signing key could be made.');
    return { kid: row.kid, alg: row.alg, privateKey: await jose.importPKCS8(row.privateKeyPem, row.alg) };
  }

  /**
   * Retires the active stored key and makes a new one; old receipts keep verifying against the JWKS.
   * Refused with a key file: that file's key signs, so a new stored key would sign nothing.
   */
  async rotate(sql: Sql, at: Date): Promise<string> {
    if (this.keyFile) throw new Error(KEY_FILE_ROTATION);
    await sql.rows('UPDATE receipt_keys SET retired_at = $1 WHERE retired_at IS NULL AND private_key_pem IS NOT NULL', [
      at,
    ]);
    const key = await generateKey();
    await insertKey(sql, key);
    return key.kid;
  }

  /** Every public key a receipt may have been signed with (retired ones included): the JWKS document. */
  async jwks(sql: Sql): Promise<JSONWebKeySet> {
    if (this.keyFile) await this.fromFile(sql, this.keyFile);
    const rows = await sql.rows<{ publicJwk: JWK }>(
      'SELECT public_jwk AS "publicJwk" FROM receipt_keys ORDER BY created_at, kid',
    );
    return { keys: rows.map((row) => row.publicJwk as JSONWebKeySet['keys'][number]) };
  }

  private stored(sql: Sql): Promise<KeyRow | undefined> {
    return sql.one<KeyRow>(
      `SELECT kid, alg, public_jwk AS "publicJwk", private_key_pem AS "privateKeyPem" FROM receipt_keys
       WHERE retired_at IS NULL AND private_key_pem IS NOT NULL`,
    );
  }

  private async fromFile(sql: Sql, file: string): Promise<SigningKey> {
    const { pem, alg } = readKeyFile(file);
    const privateKey = await jose.importPKCS8(pem, alg, { extractable: true });
    const publicJwk = publicHalf(await jose.exportJWK(privateKey));
    const kid = await jose.calculateJwkThumbprint(publicJwk);
    await sql.rows(`INSERT INTO receipt_keys (kid, alg, public_jwk) VALUES ($1, $2, $3) ON CONFLICT (kid) DO NOTHING`, [
      kid,
      alg,
      { ...publicJwk, kid, alg, use: 'sig' },
    ]);
    return { kid, alg, privateKey };
  }
}

/** A new Ed25519 key pair with its thumbprint as id, ready to store. */
async function generateKey(): Promise<KeyRow> {
  const { publicKey, privateKey } = await jose.generateKeyPair(RECEIPT_ALG, { extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  const kid = await jose.calculateJwkThumbprint(jwk);
  return {
    kid,
    alg: RECEIPT_ALG,
    publicJwk: { ...jwk, kid, alg: RECEIPT_ALG, use: 'sig' },
    privateKeyPem: await jose.exportPKCS8(privateKey),
  };
}

/** Stores a made key as the active one; loses quietly to another instance that stored one first. */
async function insertKey(sql: Sql, key: KeyRow): Promise<void> {
  await sql.rows(
    `INSERT INTO receipt_keys (kid, alg, public_jwk, private_key_pem) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [key.kid, key.alg, key.publicJwk, key.privateKeyPem],
  );
}

/** The public members of a private JWK (OKP: crv, x; EC: crv, x, y). */
function publicHalf(jwk: JWK): JWK {
  const { kty, crv, x, y } = jwk;
  return y ? { kty, crv, x, y } : { kty, crv, x };
}

/**
 * A key file's PEM and the algorithm its key signs with: EdDSA for Ed25519, ES256 for P-256. Throws,
 * saying what is wrong with the file, for anything else; the config checks it at start, so a bad
 * file stops the server there rather than failing the first receipt.
 */
export function readKeyFile(file: string): { pem: string; alg: 'EdDSA' | 'ES256' } {
  if (!existsSync(file)) throw new Error('does not exist');
  const pem = readFileSync(file, 'utf8');
  // jose reads PKCS#8 only; node:crypto would also take PKCS#1 and SEC1 files, which it refuses.
  if (!pem.includes('-----BEGIN PRIVATE KEY-----'))
    throw new Error('is not a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('holds no readable PKCS#8 private key');
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === 'ed25519') return { pem, alg: RECEIPT_ALG };
  if (key.asymmetricKeyType === 'ec' && curve === 'prime256v1') return { pem, alg: 'ES256' };
  throw new Error(
    `holds an ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` ${curve}` : ''} key, not Ed25519 or P-256`,
  );
}
