import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalFileStore } from '../src/domain/files/file-store';
import { startTestS3 } from '../test/support/s3-server';
import { BenchDatabase } from './bench-database';
import { executeOnce } from './executor.bench';
import { BenchResult } from './run';

const CHUNK_SIZE = 1_000;
const ROUNDS = 2;

/**
 * The executor with the files on S3 against the local folder, in the same run: the same ~20k-object
 * deletion (one file per tenth object), chunks of 1,000, alternating stores; each figure is the best
 * of ROUNDS. S3 is s3rver on this machine, so the figure prices the S3 protocol (one DeleteObjects
 * call a chunk), not a real bucket's network round trips.
 */
export async function executorS3Bench({ db }: BenchDatabase): Promise<BenchResult[]> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-files-'));
  const s3 = await startTestS3();
  try {
    const stores = { s3: await s3.store(), local: new LocalFileStore(folder) };
    const best = { s3: Infinity, local: Infinity };
    let objects = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const store of ['s3', 'local'] as const) {
        const { ms, count } = await executeOnce(db, stores[store], CHUNK_SIZE, `${store}-${round}`);
        objects = count;
        best[store] = Math.min(best[store], ms);
      }
    }
    const rate = (ms: number) => Math.round(objects / (ms / 1000)).toLocaleString('en');
    return [
      {
        name: `execute ${objects} objects, files on S3 (${rate(best.s3)} objects/s)`,
        ms: best.s3,
        baselineName: `files in the local folder (${rate(best.local)} objects/s)`,
        baselineMs: best.local,
      },
    ];
  } finally {
    await s3.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}
