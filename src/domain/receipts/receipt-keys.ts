import { readFileSync } from 'node:fs';
import { Sql } from '../../database/database';
import { CryptoKey, jose, JWK, JSONWebKeySet } from '../jose';

/** The algorithm of keys the server makes itself: Ed25519 signatures (RFC 8037), small and fast. */
const RECEIPT_ALG = 'EdDSA';

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

  /** Retires the active stored key and makes a new one; old receipts keep verifying against the JWKS. */
  async rotate(sql: Sql, at: Date): Promise<string> {
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
    const pem = readFileSync(file, 'utf8');
    const alg = pem.includes('BEGIN PRIVATE KEY') && isEcKey(pem) ? 'ES256' : RECEIPT_ALG;
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

/** Whether a PKCS#8 PEM holds an EC key (its algorithm OID 1.2.840.10045.2.1), which signs as ES256. */
function isEcKey(pem: string): boolean {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return der.includes(Buffer.from('2a8648ce3d0201', 'hex'));
}
