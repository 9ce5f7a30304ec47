import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token in `removedUrl`: the deletion id and an expiry, signed with HMAC-SHA-256 under a key
 * derived from the server secret (a different key than the JWTs', so neither can stand in for the
 * other). It reads one deletion's removed list until it expires, and nothing else.
 */
export class LinkTokens {
  private readonly key: Buffer;

  constructor(serverSecret: string) {
    this.key = createHmac('sha256', serverSecret).update('crm-archive removed-list link v1').digest();
  }

  /** A token for `deletionId` valid until `expiresAt`. */
  sign(deletionId: string, expiresAt: Date): string {
    const expiry = Math.floor(expiresAt.getTime() / 1000);
    return `${expiry}.${this.mac(deletionId, expiry)}`;
  }

  /** Whether `token` was signed here for `deletionId` and has not expired at `now`. */
  verify(token: string, deletionId: string, now: Date): boolean {
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return false;
    const expiry = Number(match[1]);
    if (expiry * 1000 <= now.getTime()) return false;
    const expected = Buffer.from(this.mac(deletionId.toLowerCase(), expiry));
    const given = Buffer.from(match[2]);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private mac(deletionId: string, expiry: number): string {
    return createHmac('sha256', this.key).update(`${deletionId}.${expiry}`).digest('base64url');
  }
}
