import { batchVolumesMatchRecount } from './batch-check';
import { heldCountsMatchHolds } from './hold-check';
import { noStaleTombstones } from './tombstone-check';
import { VerifyCheck, VerifySources } from './verify-check';

export const countersMatchRecount: VerifyCheck = {
  name: 'type_stats counters equal a recount of the object tables',
  async run({ stats }) {
    return (await stats.recount()).map(
      (d) => `workspace ${d.workspaceId} ${d.type} ${d.counter}: stored ${d.stored}, actual ${d.actual}`,
    );
  },
};

const attachmentBytesMatchRows: VerifyCheck = {
  name: 'each object’s attachment_bytes equals the sum of its attachment rows',
  async run({ stats }) {
    return (await stats.attachmentBytesDrift()).map(
      (d) => `${d.type} ${d.id}: attachment_bytes ${d.stored}, attachments sum ${d.actual}`,
    );
  },
};

export const attachmentFilesPresent: VerifyCheck = {
  name: 'every attachment row has its file, of the recorded size',
  async run({ db, files }) {
    const problems: string[] = [];
    const rows = await db.rows<{ id: string; key: string; size: number }>(
      'SELECT id, storage_key AS key, size_bytes::float8 AS size FROM attachments ORDER BY id',
    );
    // One listing of the store rather than a request per row: a bucket answers 1,000 keys a call.
    const stored = new Map<string, number>();
    for await (const file of files.list()) stored.set(file.key, file.size);
    for (const row of rows) {
      const size = stored.get(row.key) ?? null;
      if (size === null) problems.push(`attachment ${row.id}: file ${row.key} is missing`);
      else if (size !== row.size)
        problems.push(`attachment ${row.id}: file ${row.key} has ${size} bytes, row says ${row.size}`);
    }
    return problems;
  },
};

export const noOrphanFiles: VerifyCheck = {
  name: 'every stored file belongs to an attachment row (or awaits deletion in a tombstone)',
  async run({ db, files }) {
    const known = new Set(
      (
        await db.rows<{ key: string }>(
          'SELECT storage_key AS key FROM attachments UNION SELECT storage_key FROM file_tombstones',
        )
      ).map((row) => row.key),
    );
    const problems: string[] = [];
    for await (const { key } of files.list()) if (!known.has(key)) problems.push(`file ${key} has no attachment row`);
    return problems;
  },
};

/** The checks `npm run verify` runs, in order. Other modules add theirs here. */
const VERIFY_CHECKS: VerifyCheck[] = [
  countersMatchRecount,
  attachmentBytesMatchRows,
  attachmentFilesPresent,
  noOrphanFiles,
  noStaleTombstones,
  heldCountsMatchHolds,
  batchVolumesMatchRecount,
];

/** Runs every check; returns each check's problems by name. */
export async function runVerifyChecks(
  sources: VerifySources,
  checks: readonly VerifyCheck[] = VERIFY_CHECKS,
): Promise<{ name: string; problems: string[] }[]> {
  const results: { name: string; problems: string[] }[] = [];
  for (const check of checks) results.push({ name: check.name, problems: await check.run(sources) });
  return results;
}
