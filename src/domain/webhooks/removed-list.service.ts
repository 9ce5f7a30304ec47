import { Database } from '../../database/database';
import { OBJECT_TABLES } from '../../database/object-tables';
import { AppError, ErrorCode } from '../../errors';
import { Clock } from '../clock';
import { UserRow } from '../domain-types';
import { Operation, requireMayAttempt } from '../policy';
import { isUuid } from '../uuid';
import { batchOfSql } from '../deletion/batch-membership';
import { LinkTokens } from './link-token';

/** One object named by type and id: all a downstream system needs to erase its copy. */
export interface RemovedRef {
  type: string;
  id: string;
}

/** A page of the removed list and the cursor of the next one (null on the last page). */
export interface RemovedPage {
  refs: RemovedRef[];
  next: string | null;
}

/** Who reads the list: a signed link token for this deletion, or a signed-in user (admins only). */
export type RemovedListReader = { token: string } | { user: UserRow | null };

/**
 * Where a page starts. Phase `r` walks deletion_removed (one row per executor chunk and type) by
 * its primary key (deletion_id, seq) and each row's ids by position `n`; phase `b` then walks the
 * objects still in the batch, table by table in OBJECT_TABLES order, by the `<table>_pending`
 * index's (archived_at DESC, id DESC), so no page sorts the batch.
 */
type Cursor = { p: 'r'; s: string; n: number } | { p: 'b'; t: number; a: string; id: string };

/** Largest page. */
export const MAX_REMOVED_PAGE = 1000;

/**
 * `GET /deletions/:id/removed` (docs/webhooks.md): the refs a deletion removed so far, then those
 * still in its batch. For a pending deletion that is the batch; for a completed one, exactly what
 * was removed; for a cancelled one, nothing. Refs only: no titles, names or other content.
 */
export class RemovedListService {
  constructor(
    private readonly db: Database,
    private readonly links: LinkTokens,
    private readonly clock: Clock,
  ) {}

  /** One page after `after` (a cursor from a previous page), or UNAUTHENTICATED/FORBIDDEN/NOT_FOUND. */
  async page(reader: RemovedListReader, deletionId: string, after: string | null, limit: number): Promise<RemovedPage> {
    await this.authorize(reader, deletionId);
    let cursor = after ? decodeCursor(after) : { p: 'r' as const, s: '0', n: 0 };
    const refs: RemovedRef[] = [];
    if (cursor.p === 'r') {
      // Rows from the cursor's on by the primary key, unnested one by one (an incremental sort by
      // position within each row): a page reads the few rows it needs, not the rest of the deletion.
      const rows = await this.db.rows<RemovedRef & { s: string; n: number }>(
        `SELECT r.seq::text AS s, u.n::int AS n, r.object_type AS type, u.id::text AS id
         FROM (SELECT seq, object_type, ids FROM deletion_removed
               WHERE deletion_id = $1 AND seq >= $2::bigint ORDER BY seq LIMIT $4) r
           CROSS JOIN LATERAL unnest(r.ids) WITH ORDINALITY u(id, n)
         WHERE (r.seq, u.n) > ($2::bigint, $3::bigint)
         ORDER BY r.seq, u.n LIMIT $4`,
        [deletionId, cursor.s, cursor.n, limit + 1],
      );
      const page = rows.map(({ type, id }) => ({ type, id }));
      if (rows.length > limit)
        return {
          refs: page.slice(0, limit),
          next: encodeCursor({ p: 'r', s: rows[limit - 1].s, n: rows[limit - 1].n }),
        };
      refs.push(...page);
      cursor = { p: 'b', t: 0, a: 'infinity', id: 'ffffffff-ffff-ffff-ffff-ffffffffffff' };
    }
    return this.batchPage(deletionId, cursor, refs, limit);
  }

  /** Continues a page with the objects still in the batch, from `cursor` on. */
  private async batchPage(
    deletionId: string,
    cursor: Extract<Cursor, { p: 'b' }>,
    refs: RemovedRef[],
    limit: number,
  ): Promise<RemovedPage> {
    for (let t = cursor.t; t < OBJECT_TABLES.length; t++) {
      const { table, type } = OBJECT_TABLES[t];
      const [a, id] = t === cursor.t ? [cursor.a, cursor.id] : ['infinity', 'ffffffff-ffff-ffff-ffff-ffffffffffff'];
      const left = limit - refs.length;
      const rows = await this.db.rows<{ id: string; a: string }>(
        `SELECT id::text, archived_at::text AS a FROM ${table}
         WHERE ${batchOfSql('$1::uuid')} AND (archived_at, id) < ($2::timestamptz, $3::uuid)
         ORDER BY archived_at DESC, id DESC LIMIT $4`,
        [deletionId, a, id, left + 1],
      );
      if (left === 0) {
        // The page is full: a next page only if this table has more.
        if (rows.length > 0) return { refs, next: encodeCursor({ p: 'b', t, a, id }) };
        continue;
      }
      refs.push(...rows.slice(0, left).map((row) => ({ type, id: row.id })));
      if (rows.length > left) {
        const last = rows[left - 1];
        return { refs, next: encodeCursor({ p: 'b', t, a: last.a, id: last.id }) };
      }
    }
    return { refs, next: null };
  }

  /** A valid link token for this very deletion, or an admin of its workspace; otherwise why not. */
  private async authorize(reader: RemovedListReader, deletionId: string): Promise<void> {
    const notFound = new AppError(ErrorCode.NOT_FOUND, `No such deletion: ${deletionId.slice(0, 100)}.`);
    if (!isUuid(deletionId)) throw notFound;
    if ('token' in reader) {
      if (!this.links.verify(reader.token, deletionId, this.clock.now()))
        throw new AppError(ErrorCode.UNAUTHENTICATED, 'The link token is invalid or expired: use an admin token.');
      return;
    }
    const { user } = reader;
    if (!user)
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'Send the link token of the webhook, or "Authorization: Bearer".');
    requireMayAttempt(user, Operation.READ_REMOVED_LIST, 'read removed lists');
    const row = await this.db.one('SELECT 1 FROM deletions WHERE id = $1 AND workspace_id = $2', [
      deletionId,
      user.workspaceId,
    ]);
    if (!row) throw notFound;
  }
}

/** PostgreSQL's text form of a timestamptz, or the start of the batch. */
const TIMESTAMP = /^(infinity|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?)$/;

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** A cursor from a previous page; BAD_USER_INPUT for anything else. */
function decodeCursor(text: string): Cursor {
  const bad = new AppError(ErrorCode.BAD_USER_INPUT, 'The `after` cursor is not one this list gave out.');
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw bad;
  }
  // Any JSON decodes: `null`, a number or an array is no cursor either (and must not fail as a TypeError, a 500).
  if (typeof value !== 'object' || value === null) throw bad;
  const position = value.n;
  if (value.p === 'r' && typeof value.s === 'string' && /^\d{1,18}$/.test(value.s) && isCount(position))
    return { p: 'r', s: value.s, n: position };
  if (!isUuid(value.id)) throw bad;
  if (
    value.p === 'b' &&
    Number.isInteger(value.t) &&
    (value.t as number) >= 0 &&
    (value.t as number) < OBJECT_TABLES.length &&
    typeof value.a === 'string' &&
    TIMESTAMP.test(value.a)
  )
    return { p: 'b', t: value.t as number, a: value.a, id: value.id };
  throw bad;
}

/** A position within a batch: a whole number from 0 to the largest array PostgreSQL indexes. */
function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 2_147_483_647;
}
