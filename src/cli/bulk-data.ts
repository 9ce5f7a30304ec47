import { Readable } from 'node:stream';
import { randomInt } from 'node:crypto';
import { Database } from '../database/database';
import { sqlLiterals } from '../database/sql';
import { OBJECT_TABLES, ObjectTable, ObjectType } from '../database/object-tables';
import { forEachBounded } from '../domain/files/bounded-concurrency';
import { FileStore } from '../domain/files/file-store';
import { Role } from '../domain/domain-types';

export interface BulkDataOptions {
  /** Objects to create in all, spread over the 7 types and the workspaces. */
  objects: number;
  /** New workspaces to create; the first is the "large" one. */
  workspaces: number;
  /** Share of `objects` put in the first (large) workspace, 0..1; the rest spread evenly. Default 0.3. */
  largeShare?: number;
  /** Share of objects archived (default 1: the archive bin is what is browsed). */
  archivedShare?: number;
  /** Share of objects with one attachment row AND a real file in the file store (default 0.2). */
  attachmentShare?: number;
  /**
   * 'real' (default): every attachment row gets its file, so `npm run verify` passes.
   * 'rows-only': rows and attachment_bytes only, much faster; the file checks of verify then
   * report the files as missing, and a purge unlinks files that are not there (which it tolerates).
   */
  files?: 'real' | 'rows-only';
  onProgress?: (done: number, total: number) => void;
}

export interface BulkWorkspace {
  id: string;
  adminId: string;
  memberId: string;
  objects: number;
}

/**
 * The users of each bulk workspace: objects are created (and archived) by all of them, so lists
 * by creator have realistic sizes. `adminId` is the first admin, `memberId` the first member.
 */
const BULK_USERS: readonly { name: string; role: Role }[] = [
  { name: 'Bulk Admin', role: Role.ADMIN },
  { name: 'Bulk Second Admin', role: Role.ADMIN },
  { name: 'Bulk Member', role: Role.MEMBER },
  { name: 'Bulk Second Member', role: Role.MEMBER },
  { name: 'Bulk Third Member', role: Role.MEMBER },
];

/** Rows per INSERT: big enough that statement overhead vanishes, small enough for steady progress. */
const CHUNK_ROWS = 20_000;
/** Concurrent file writes: small files are latency-bound, so overlapping them pays up to a point. */
const FILE_WRITES_IN_FLIGHT = 16;
const MIN_FILE_BYTES = 64;
const MAX_FILE_BYTES = 2_048;

/**
 * Creates `workspaces` new workspaces (five users each) and `objects` objects in them, every row
 * made inside PostgreSQL by `INSERT … SELECT FROM generate_series` (no row crosses the wire), with
 * the attachment rows in the same statement. The stats triggers keep the counters exact as usual.
 * Calling it again adds more workspaces. Not crash-safe by design (it is a generator): a run killed
 * between a chunk's commit and its files leaves rows whose files are missing.
 */
export async function generateBulkData(
  db: Database,
  fileStore: FileStore,
  options: BulkDataOptions,
): Promise<BulkWorkspace[]> {
  const settings = checkedSettings(options);
  const sizes = spreadEvenly(settings.objects - settings.large, settings.workspaces - 1);
  const perWorkspace = [settings.large, ...sizes];
  const created = await createWorkspaces(db, settings.workspaces);
  let done = 0;
  const progress = () => options.onProgress?.(done, settings.objects);
  progress();
  for (const [index, workspace] of created.entries()) {
    const perType = spreadEvenly(perWorkspace[index], OBJECT_TABLES.length);
    for (const [typeIndex, table] of OBJECT_TABLES.entries()) {
      for (let from = 1; from <= perType[typeIndex]; from += CHUNK_ROWS) {
        const to = Math.min(perType[typeIndex], from + CHUNK_ROWS - 1);
        const stored = await insertChunk(db, table, workspace, { from, to }, settings);
        if (settings.files === 'real') await writeFiles(fileStore, stored);
        done += to - from + 1;
        progress();
      }
    }
  }
  // Fresh statistics, or the planner would still see the empty tables of a moment ago.
  await db.rows(`ANALYZE ${OBJECT_TABLES.map((t) => t.table).join(', ')}, attachments, users, workspaces`);
  return created.map((workspace, index) => ({
    id: workspace.id,
    adminId: workspace.userIds[0],
    memberId: workspace.userIds[BULK_USERS.findIndex((u) => u.role === Role.MEMBER)],
    objects: perWorkspace[index],
  }));
}

interface Settings {
  objects: number;
  workspaces: number;
  large: number;
  archivedShare: number;
  attachmentShare: number;
  files: 'real' | 'rows-only';
}

/** The options with their defaults; throws a RangeError naming the bad option before anything is written. */
function checkedSettings(options: BulkDataOptions): Settings {
  const { objects, workspaces } = options;
  if (!Number.isSafeInteger(objects) || objects < 0) throw new RangeError(`objects must be a whole number ≥ 0`);
  if (!Number.isSafeInteger(workspaces) || workspaces < 1)
    throw new RangeError('workspaces must be a whole number ≥ 1');
  const share = (name: string, value: number | undefined, fallback: number): number => {
    const result = value ?? fallback;
    if (!(result >= 0 && result <= 1)) throw new RangeError(`${name} must be between 0 and 1`);
    return result;
  };
  const largeShare = workspaces === 1 ? 1 : share('largeShare', options.largeShare, 0.3);
  const files = options.files ?? 'real';
  if (files !== 'real' && files !== 'rows-only') throw new RangeError(`files must be 'real' or 'rows-only'`);
  return {
    objects,
    workspaces,
    large: Math.round(objects * largeShare),
    archivedShare: share('archivedShare', options.archivedShare, 1),
    attachmentShare: share('attachmentShare', options.attachmentShare, 0.2),
    files,
  };
}

/** `total` in `parts` whole parts that differ by at most one, the larger ones first. */
export function spreadEvenly(total: number, parts: number): number[] {
  if (parts <= 0) return [];
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

interface CreatedWorkspace {
  id: string;
  userIds: string[];
}

async function createWorkspaces(db: Database, count: number): Promise<CreatedWorkspace[]> {
  return db.transaction(async (tx) => {
    const existing = await tx.one<{ n: number }>('SELECT count(*)::int AS n FROM workspaces');
    const workspaces = await tx.rows<{ id: string; n: number }>(
      `INSERT INTO workspaces (name) SELECT 'bulk ' || n FROM generate_series($1::int, $2::int) n
       RETURNING id, substr(name, 6)::int AS n`,
      [existing!.n + 1, existing!.n + count],
    );
    workspaces.sort((a, b) => a.n - b.n);
    // One statement for every user of every new workspace; emails carry the workspace id, so they are unique.
    const users = await tx.rows<{ id: string; workspaceId: string; slot: number }>(
      `INSERT INTO users (workspace_id, name, email, role)
       SELECT w, u.name, 'bulk' || u.slot || '@' || w || '.bulk.test', u.role
       FROM unnest($1::uuid[]) w CROSS JOIN unnest($2::text[], $3::text[]) WITH ORDINALITY u(name, role, slot)
       RETURNING id, workspace_id AS "workspaceId", substring(email FROM '^bulk(\\d+)@')::int AS slot`,
      [workspaces.map((w) => w.id), BULK_USERS.map((u) => u.name), BULK_USERS.map((u) => u.role)],
    );
    return workspaces.map(({ id }) => ({
      id,
      userIds: users
        .filter((u) => u.workspaceId === id)
        .sort((a, b) => a.slot - b.slot)
        .map((u) => u.id),
    }));
  });
}

/**
 * A uniform-looking whole number in 0..modulo-1 for row `i`: a hash rather than random(), so each
 * expression is immutable (safe to repeat) and each call of the generator differs by its seed.
 */
const hashed = (salt: number, modulo: string) =>
  `((hashint8extended(i, $5::bigint + ${salt}) & 9223372036854775807) % ${modulo})`;

const YEAR_MS = 365 * 86_400_000;
/** Archived at some instant of the last year; created up to a year before that. */
const ARCHIVED_AT = `now() - ${hashed(1, String(YEAR_MS))} * interval '1 millisecond'`;
const CREATED_AT = `now() - interval '1 year' - ${hashed(2, String(YEAR_MS))} * interval '1 millisecond'`;
const IS_ARCHIVED = 'floor(i * $3::float8) > floor((i - 1) * $3::float8)';
const HAS_FILE = 'floor(i * $4::float8) > floor((i - 1) * $4::float8)';
const oneOf = (salt: number, values: readonly string[]) =>
  `(ARRAY[${sqlLiterals(values)}])[1 + ${hashed(salt, String(values.length))}]`;

/**
 * Tasks that are archived are mostly REMOVED or VERIFIED (the statuses that may be deleted, docs/rules.md,
 * rule 3), some not, so marking by filter has something to skip; other tasks have any status.
 */
const TASK_STATUS = `CASE WHEN NOT ${IS_ARCHIVED} THEN ${oneOf(20, ['OPEN', 'IN_PROGRESS', 'DONE', 'VERIFIED', 'REMOVED'])}
  WHEN ${hashed(21, '100')} < 45 THEN 'REMOVED' WHEN ${hashed(21, '100')} < 85 THEN 'VERIFIED'
  ELSE ${oneOf(22, ['OPEN', 'IN_PROGRESS', 'DONE'])} END`;

/** SQL for each type's own columns, in the order of OBJECT_TABLES' `own`. */
const OWN_VALUES: Record<ObjectType, string[]> = {
  [ObjectType.CONTACT]: [
    `'contact' || i || '@example.test'`,
    `'+1 555 ' || lpad(${hashed(10, '10000')}::text, 4, '0')`,
    oneOf(11, ['Initech', 'Globex', 'Umbrella', 'Hooli', 'Acme']),
  ],
  [ObjectType.ACTIVITY]: [oneOf(10, ['MEETING', 'CALL', 'NOTE', 'VISIT']), CREATED_AT],
  [ObjectType.OBJECT]: [oneOf(10, ['Equipment', 'Vehicle', 'Property', 'License']), `'Bulk business object ' || i`],
  [ObjectType.DEAL]: [
    hashed(10, '100000000'),
    oneOf(11, ['EUR', 'USD', 'GBP']),
    oneOf(12, ['LEAD', 'NEGOTIATION', 'WON', 'LOST']),
  ],
  [ObjectType.TASK]: [TASK_STATUS, `now() + ${hashed(10, '60')} * interval '1 day'`],
  [ObjectType.EMAIL]: [`'sales@bulk.test'`, `'lead' || i || '@example.test'`, CREATED_AT],
  [ObjectType.CALL]: [
    `'+1 555 ' || lpad(${hashed(10, '10000')}::text, 4, '0')`,
    hashed(11, '3600'),
    oneOf(12, ['INBOUND', 'OUTBOUND']),
  ],
};

const TITLE_WORDS = ['Renewal', 'Onboarding', 'Quarterly review', 'Follow-up', 'Kickoff', 'Escalation', 'Upsell'];

/** The attachments a chunk created: their storage keys and sizes, for the files. */
interface StoredAttachment {
  key: string;
  size: number;
}

/**
 * Inserts rows `from..to` of one type in one workspace, and in the same statement one attachment
 * per object that has a file (its attachment_bytes set on insert, so the stats trigger counts it).
 * The attachment's id doubles as its storage key, sharded as newStorageKey shards them.
 */
async function insertChunk(
  db: Database,
  { table, type, own }: ObjectTable,
  workspace: CreatedWorkspace,
  rows: { from: number; to: number },
  settings: Settings,
): Promise<StoredAttachment[]> {
  const creator = `($2::uuid[])[1 + ${hashed(3, 'cardinality($2::uuid[])')}]`;
  const columns = ['workspace_id', 'title', 'created_by', 'created_at', 'archived_at', 'archived_by'];
  const values = [
    '$1::uuid',
    `${oneOf(4, TITLE_WORDS)} || ' ${type.toLowerCase()} #' || i`,
    creator,
    CREATED_AT,
    `CASE WHEN ${IS_ARCHIVED} THEN ${ARCHIVED_AT} END`,
    `CASE WHEN ${IS_ARCHIVED} THEN ${creator} END`,
  ];
  const fileBytes = `CASE WHEN ${HAS_FILE} THEN ${MIN_FILE_BYTES} + ${hashed(5, String(MAX_FILE_BYTES - MIN_FILE_BYTES + 1))} ELSE 0 END`;
  return db.rows<StoredAttachment>(
    `WITH objects AS (
       INSERT INTO ${table} (${[...columns, 'attachment_bytes', ...own.map((c) => c.column)].join(', ')})
       SELECT ${[...values, fileBytes, ...OWN_VALUES[type]].join(', ')}
       FROM generate_series($6::bigint, $7::bigint) i
       RETURNING id, created_by, created_at, attachment_bytes
     )
     INSERT INTO attachments (id, workspace_id, object_type, object_id, file_name, mime_type, size_bytes,
       storage_key, created_by, created_at)
     SELECT a.key, $1, '${type}', a.id, 'attachment-' || left(a.key::text, 8) || '.bin',
       'application/octet-stream', a.attachment_bytes, left(a.key::text, 2) || '/' || a.key, a.created_by, a.created_at
     FROM (SELECT o.*, gen_random_uuid() AS key FROM objects o WHERE o.attachment_bytes > 0) a
     RETURNING storage_key AS key, size_bytes::int AS size`,
    [
      workspace.id,
      workspace.userIds,
      settings.archivedShare,
      settings.attachmentShare,
      randomInt(2 ** 31),
      rows.from,
      rows.to,
    ],
  );
}

const FILE_BYTES = Buffer.alloc(MAX_FILE_BYTES, 'b');

async function writeFiles(fileStore: FileStore, stored: readonly StoredAttachment[]): Promise<void> {
  await forEachBounded(stored, FILE_WRITES_IN_FLIGHT, async ({ key, size }) => {
    await fileStore.put(key, Readable.from([FILE_BYTES.subarray(0, size)]), size);
  });
}
